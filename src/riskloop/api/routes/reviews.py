"""The manual-review queue: list by tier and age, the case view, claim with a lease, release, decide, reopen.

The reviewer is the authenticated principal (role reviewer); a body's ``reviewer`` or ``actor``, when given,
must name the same principal. The reviewer who reopens a decision never claims nor decides it (four eyes).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AsReviewer, ReviewReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import EXAMPLE_DECISION, EXAMPLE_ID, Line, ReasonOut, Strict, Text, VersionsOut
from riskloop.domain.access import acting

router = APIRouter(tags=["reviews"])
DecisionId = Annotated[Line, Path(min_length=1, max_length=36, openapi_examples=shown(EXAMPLE_ID))]
Actor = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,80}$")]
CHANGES = problem_responses(401, 403, 404, 409, 422)  # claim, release, decide, reopen: missing or busy
EXAMPLE_REVIEW: JsonDict = {
    "decision_id": EXAMPLE_ID,
    "tier": "manual_review",
    "status": "claimed",
    "queued_at": "2026-07-01T09:00:00+00:00",
    "age_seconds": 240.0,
    "claimed_by": "ann",
    "lease_expires_at": "2026-07-01T09:19:00+00:00",
    "first_reviewer": None,
    "first_outcome": None,
    "final_outcome": None,
    "reopened_by": None,
}


class ReviewOut(BaseModel):
    """A review of the queue and where it stands."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REVIEW]})

    decision_id: str
    tier: str
    status: str = Field(description="open, claimed, awaiting_second or closed")
    queued_at: str
    age_seconds: float
    claimed_by: str | None
    lease_expires_at: str | None
    first_reviewer: str | None
    first_outcome: str | None
    final_outcome: str | None
    reopened_by: str | None = Field(default=None, description="who queued an automatic decision (never decides it)")


class ReviewsOut(BaseModel):
    """Open reviews, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reviews": [EXAMPLE_REVIEW]}]})

    reviews: list[ReviewOut]


EXAMPLE_HISTORY: JsonDict = {
    "at": "2026-07-01T09:04:00+00:00",
    "actor": "ann",
    "action": "review.claimed",
    "detail": {"lease_expires_at": "2026-07-01T09:19:00+00:00"},
}
EXAMPLE_CASE_DECISION: JsonDict = {
    **{k: v for k, v in EXAMPLE_DECISION.items() if k != "status"},
    "status": "in_review",
    "final_outcome": None,
    "strategy": "reference@1",
    "tier": "manual_review",
    "reasons": [{"code": "SCORE_BORDERLINE", "source": "rule", "text": "Score in the referral band",
                 "text_zh": "评分处于人工审核区间"}],
    "trace": [{"node": "score", "result": {"tier": "manual_review"}}],
}  # fmt: skip
EXAMPLE_DATA: JsonDict = {
    "application": {"application_id": "APP-1", "credit_code": "91420100000000001Y", "amount_cents": 50_000_000},
    "profile": {"credit_code": "91420100000000001Y", "industry_section": "C", "status": "active",
                "established_date": "2015-03-02", "blacklisted": False},
    "features_as_of": "2026-06-30",
    "dimensions": [{"dimension": "tax", "group": "tax", "available": 1,
                    "features": [{"name": "tax_paid_12m", "meaning": "Tax paid in the last 12 months",
                                  "value": 182000.0}]}],
    "graph": {"gang_member": False, "propagated_risk": 0.02},
    "lists": None,
    "failures": [],
}  # fmt: skip


class ReviewHistoryOut(BaseModel):
    """One audit row of a review or its decision."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_HISTORY]})

    at: str
    actor: str
    action: str
    detail: dict[str, Any]


class ReviewWithHistoryOut(ReviewOut):
    """The review with its history."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**EXAMPLE_REVIEW, "history": [EXAMPLE_HISTORY]}]})

    history: list[ReviewHistoryOut]


class ReviewedDecisionOut(BaseModel):
    """The decision under review: outcome, tier, limit, rate, reasons in Chinese and English, rule trace."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CASE_DECISION]})

    decision_id: str
    application_id: str
    status: str = Field(description="decided, in_review or final")
    final_outcome: str | None
    strategy: str = Field(description="name@version of the strategy that decided")
    tier: str
    score: float | None
    pd: float | None
    limit_cents: int
    rate_bp: int
    reasons: list[ReasonOut]
    trace: list[dict[str, Any]]
    versions: VersionsOut
    decided_at: str


class ReviewedDataOut(BaseModel):
    """The data the decision stored (identifiers left out: GET /v1/decisions/{id}/identifiers shows them masked)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DATA]})

    application: dict[str, Any]
    profile: dict[str, Any] | None
    features_as_of: str | None
    dimensions: list[dict[str, Any]] = Field(description="feature values by data dimension, with their meaning")
    graph: dict[str, Any] | None
    lists: dict[str, Any] | None
    failures: list[dict[str, Any]] = Field(description="sources that failed when it was decided")


class ReviewCaseOut(BaseModel):
    """A review's case view in one read."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "review": {**EXAMPLE_REVIEW, "history": [EXAMPLE_HISTORY]},
                    "decision": EXAMPLE_CASE_DECISION,
                    "data": EXAMPLE_DATA,
                }
            ]
        }
    )

    review: ReviewWithHistoryOut
    decision: ReviewedDecisionOut
    data: ReviewedDataOut


class ClaimIn(BaseModel):
    """Take a review for a while."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"lease_minutes": 15}]})

    reviewer: Actor | None = Field(default=None, description="optional: the authenticated principal")
    lease_minutes: Annotated[int, Field(ge=1, le=480)] = 15


class ReviewDecisionIn(BaseModel):
    """A reviewer's decision."""

    model_config = ConfigDict(
        **Strict, json_schema_extra={"examples": [{"outcome": "approved", "comment": "Invoices confirm the revenue"}]}
    )

    reviewer: Actor | None = Field(default=None, description="optional: the authenticated principal")
    outcome: Literal["approved", "declined"]
    comment: Annotated[Text, Field(min_length=1, max_length=2000)]


class ReleaseIn(BaseModel):
    """Give a claimed review back."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{}, {"reviewer": "ann"}]})

    reviewer: Actor | None = Field(default=None, description="optional: the authenticated principal")


class ReopenIn(BaseModel):
    """Put an automatic decision in the queue (an appeal)."""

    model_config = ConfigDict(
        **Strict, json_schema_extra={"examples": [{"comment": "Customer appeal: new tax filing"}]}
    )

    actor: Actor | None = Field(default=None, description="optional: the authenticated principal")
    comment: Annotated[Text, Field(min_length=1, max_length=2000)]


@router.get(
    "/v1/reviews",
    response_model=ReviewsOut,
    responses=problem_responses(401, 403, 422),
    summary="Open reviews (role reviewer or auditor)",
)
def list_reviews(
    services: ServicesDep,
    principal: ReviewReader,
    tier: Annotated[
        Literal["suggest_approve", "manual_review", "prudent_review", "suggest_reject", "auto_reject", "auto_approve"]
        | None,
        Query(openapi_examples=shown("manual_review")),
    ] = None,
    min_age_minutes: Annotated[int | None, Query(ge=0, le=10**6, openapi_examples=shown(30))] = None,
) -> dict[str, Any]:
    """Open reviews, oldest first, of ``tier`` and at least ``min_age_minutes`` old when given."""
    age = None if min_age_minutes is None else dt.timedelta(minutes=min_age_minutes)
    return {"reviews": [r.to_dict() for r in services.reviews.list(principal, tier, age)]}


@router.get(
    "/v1/reviews/{decision_id}",
    response_model=ReviewCaseOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A review's case view: the review, its history, the decision and its data (role reviewer or auditor)",
)
def get_case(decision_id: DecisionId, services: ServicesDep, principal: ReviewReader) -> dict[str, Any]:
    """The review, its history, the decision (reasons in zh and en, rule trace) and the data it stored."""
    return services.review_case.view(principal, decision_id)


@router.post(
    "/v1/reviews/{decision_id}/claim",
    response_model=ReviewOut,
    responses=CHANGES,
    summary="Claim a review (role reviewer)",
)
def claim_review(
    decision_id: DecisionId, body: ClaimIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Claim a review; a lease held by someone else is a 409 until it expires."""
    acting(principal, body.reviewer, "reviewer")
    return services.reviews.claim(principal, decision_id, dt.timedelta(minutes=body.lease_minutes)).to_dict()


@router.post(
    "/v1/reviews/{decision_id}/release",
    response_model=ReviewOut,
    responses=CHANGES,
    summary="Give a claimed review back (role reviewer, the lease holder)",
)
def release_review(
    decision_id: DecisionId, body: ReleaseIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Release the lease: the review is open to others again; someone else's lease (or none) is a 409."""
    acting(principal, body.reviewer, "reviewer")
    return services.reviews.release(principal, decision_id).to_dict()


@router.post(
    "/v1/reviews/{decision_id}/decision",
    response_model=ReviewOut,
    responses=CHANGES,
    summary="Decide a claimed review (role reviewer)",
)
def decide_review(
    decision_id: DecisionId, body: ReviewDecisionIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Decide a claimed review; approving an automatic decline waits for a second reviewer."""
    acting(principal, body.reviewer, "reviewer")
    return services.reviews.decide(principal, decision_id, body.outcome, body.comment).to_dict()


@router.post(
    "/v1/decisions/{decision_id}/review",
    status_code=201,
    response_model=ReviewOut,
    responses=CHANGES,
    summary="Queue a decision for review (role reviewer)",
)
def reopen_review(
    decision_id: DecisionId, body: ReopenIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Queue an automatically decided application for review; another reviewer claims and decides it."""
    acting(principal, body.actor, "actor")
    return services.reviews.reopen(principal, decision_id, body.comment).to_dict()
