"""Request and response schemas of ``POST /v1/documents/tag``: one document in, its risk tags out."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.schemas import Line, Strict, Text
from riskloop.domain.text_tags import DOC_TYPES, TAGS

MAX_BODY_CHARS = 8_000  # as the risk_documents contract
EXAMPLE_DOCUMENT: JsonDict = {
    "subject_name": "武汉珞喻科技有限公司",
    "doc_type": "judgment",
    "body": "原告北京华泰食品有限公司诉被告武汉珞喻科技有限公司民间借贷纠纷一案，本院依法审理。",
}
EXAMPLE_TAGS: JsonDict = {
    "tagger": "tag-lexicon-v2+text-tags@3f2a9c81d0e4",
    "threshold": 0.5,
    "tags": [{"tag": "借贷纠纷", "confidence": 0.97, "start": 31, "end": 37, "evidence": "民间借贷纠纷",
              "source": "rules+model"}],
}  # fmt: skip


def _doc_type(value: str) -> str:
    if value not in DOC_TYPES:
        raise ValueError(f"{value!r} is not one of {', '.join(DOC_TYPES)}")
    return value


DocType = Annotated[str, Field(json_schema_extra={"enum": list(DOC_TYPES)}), AfterValidator(_doc_type)]


class DocumentIn(BaseModel):
    """A document naming an enterprise: who it was matched to, its kind and its text."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [EXAMPLE_DOCUMENT]})

    subject_name: Line = Field(min_length=2, max_length=100, description="the enterprise's name as written in it")
    doc_type: DocType
    body: Text = Field(min_length=1, max_length=MAX_BODY_CHARS, description="the full text (Chinese)")


class TagOut(BaseModel):
    """One risk tag with its confidence and the evidence: ``body[start:end]``."""

    tag: str = Field(json_schema_extra={"enum": list(TAGS)})
    confidence: float = Field(ge=0, le=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    evidence: str
    source: str = Field(description="rules, model, or rules+model")


class TagsOut(BaseModel):
    """The document's tags at or above the tagger's threshold, and which tagger gave them."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_TAGS]})

    tagger: str
    threshold: float
    tags: list[TagOut]


def tags_out(tagger: Any, results: list[Any]) -> dict[str, Any]:
    """The response body of a tagging."""
    return {
        "tagger": tagger.version,
        "threshold": tagger.threshold,
        "tags": [
            {"tag": r.tag, "confidence": r.confidence, "start": r.start, "end": r.end, "evidence": r.evidence,
             "source": r.source}
            for r in results
        ],
    }  # fmt: skip
