"""Records of risk documents: the documents themselves and the analysts' reviews of a sample of them.

One frozen dataclass per contract table (``risk_documents``, ``document_reviews``); each checks what the
contract checks and nothing it cannot see in one row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain import _checks as check
from riskloop.domain.identity import CreditCode
from riskloop.domain.text_tags import DOC_TYPES, NO_TAG, TAGS

REVIEW_TAGS = (*TAGS, NO_TAG)


@dataclass(frozen=True, slots=True)
class RiskDocument:
    """A court judgment, enforcement notice, penalty decision or news item on an enterprise; one row."""

    doc_id: str
    credit_code: CreditCode
    subject_name: str
    doc_type: str
    published_date: dt.date
    title: str
    body: str

    def __post_init__(self) -> None:
        check.text("doc_id", self.doc_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.text("subject_name", self.subject_name, 100)
        check.choice("doc_type", self.doc_type, DOC_TYPES)
        check.date("published_date", self.published_date)
        check.text("title", self.title, 200)
        check.text("body", self.body, 8000)


@dataclass(frozen=True, slots=True)
class DocumentReview:
    """An analyst's finding on a document (a tag and its evidence span, or ``none``); one row."""

    review_id: str
    doc_id: str
    reviewed_at: dt.datetime
    tag: str
    span_start: int | None
    span_end: int | None

    def __post_init__(self) -> None:
        check.text("review_id", self.review_id, 40)
        check.text("doc_id", self.doc_id, 40)
        object.__setattr__(self, "reviewed_at", check.utc_timestamp("reviewed_at", self.reviewed_at))
        check.choice("tag", self.tag, REVIEW_TAGS)
        if self.span_start is not None:
            check.integer("span_start", self.span_start, 0)
        if self.span_end is not None:
            check.integer("span_end", self.span_end, 0)
