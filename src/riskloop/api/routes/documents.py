"""Risk tags of one posted document (role analyst): the active tagger, or the lexicon's rules alone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from riskloop.api.auth import AsAnalyst
from riskloop.api.deps import ServicesDep
from riskloop.api.document_schemas import DocumentIn, TagsOut, tags_out
from riskloop.api.openapi import problem_responses
from riskloop.text.document import Document

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.post(
    "/tag",
    response_model=TagsOut,
    responses=problem_responses(401, 403, 413, 422),
    summary="Risk tags of a document, each with its confidence and evidence span (role analyst)",
)
def tag_document(body: DocumentIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """Tags at or above the threshold; nothing is stored (batch tagging: ``riskloop text tag``)."""
    tagger = services.text_tagger()
    return tags_out(tagger, tagger.tag(Document("posted", body.subject_name, body.doc_type, body.body)))
