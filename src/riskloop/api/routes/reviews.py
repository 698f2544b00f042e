"""The manual-review queue: list by tier and age, claim with a lease, decide with a comment, reopen.

The reviewer is the authenticated principal (role reviewer); a body's ``reviewer`` or ``actor``, when given,
must name the same principal.
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
from riskloop.api.schemas import EXAMPLE_ID, Line, Strict, Text
from riskloop.domain.access import acting

router = APIRouter(tags=["reviews"])
DecisionId = Annotated[Line, Path(min_length=1, max_length=36, openapi_examples=shown(EXAMPLE_ID))]
Actor = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,80}$")]
CHANGES = problem_responses(401, 403, 404, 409, 422)  # claim, decide, reopen: a review that is missing or busy
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


class ReviewsOut(BaseModel):
    """Open reviews, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reviews": [EXAMPLE_REVIEW]}]})

    reviews: list[ReviewOut]


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
    """Queue an automatically decided application for review."""
    acting(principal, body.actor, "actor")
    return services.reviews.reopen(principal, decision_id, body.comment).to_dict()
