"""The manual-review queue: list by tier and age, claim with a lease, decide with a comment, reopen.

The reviewer is the authenticated principal (role reviewer); a body's ``reviewer`` or ``actor``, when given,
must name the same principal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from riskloop.api.auth import AsReviewer, ReviewReader
from riskloop.api.deps import ServicesDep
from riskloop.api.schemas import ErrorOut, Strict
from riskloop.domain.access import acting

router = APIRouter(tags=["reviews"], responses={code: {"model": ErrorOut} for code in (401, 403)})
DecisionId = Annotated[str, Path(min_length=1, max_length=36)]
Actor = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,80}$")]


class ClaimIn(BaseModel):
    """Take a review for a while."""

    model_config = Strict

    reviewer: Actor | None = Field(default=None, description="optional: the authenticated principal")
    lease_minutes: Annotated[int, Field(ge=1, le=480)] = 15


class ReviewDecisionIn(BaseModel):
    """A reviewer's decision."""

    model_config = Strict

    reviewer: Actor | None = Field(default=None, description="optional: the authenticated principal")
    outcome: Literal["approved", "declined"]
    comment: Annotated[str, Field(min_length=1, max_length=2000)]


class ReopenIn(BaseModel):
    """Put an automatic decision in the queue (an appeal)."""

    model_config = Strict

    actor: Actor | None = Field(default=None, description="optional: the authenticated principal")
    comment: Annotated[str, Field(min_length=1, max_length=2000)]


@router.get("/v1/reviews", summary="Open reviews (role reviewer or auditor)")
def list_reviews(
    services: ServicesDep,
    principal: ReviewReader,
    tier: Annotated[
        Literal["suggest_approve", "manual_review", "prudent_review", "suggest_reject", "auto_reject", "auto_approve"]
        | None,
        Query(),
    ] = None,
    min_age_minutes: Annotated[int | None, Query(ge=0, le=10**6)] = None,
) -> dict[str, Any]:
    """Open reviews, oldest first, of ``tier`` and at least ``min_age_minutes`` old when given."""
    age = None if min_age_minutes is None else dt.timedelta(minutes=min_age_minutes)
    return {"reviews": [r.to_dict() for r in services.reviews.list(principal, tier, age)]}


@router.post("/v1/reviews/{decision_id}/claim", summary="Claim a review (role reviewer)")
def claim_review(
    decision_id: DecisionId, body: ClaimIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Claim a review; a lease held by someone else is a 409 until it expires."""
    acting(principal, body.reviewer, "reviewer")
    return services.reviews.claim(principal, decision_id, dt.timedelta(minutes=body.lease_minutes)).to_dict()


@router.post("/v1/reviews/{decision_id}/decision", summary="Decide a claimed review (role reviewer)")
def decide_review(
    decision_id: DecisionId, body: ReviewDecisionIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Decide a claimed review; approving an automatic decline waits for a second reviewer."""
    acting(principal, body.reviewer, "reviewer")
    return services.reviews.decide(principal, decision_id, body.outcome, body.comment).to_dict()


@router.post(
    "/v1/decisions/{decision_id}/review", status_code=201, summary="Queue a decision for review (role reviewer)"
)
def reopen_review(
    decision_id: DecisionId, body: ReopenIn, services: ServicesDep, principal: AsReviewer
) -> dict[str, Any]:
    """Queue an automatically decided application for review."""
    acting(principal, body.actor, "actor")
    return services.reviews.reopen(principal, decision_id, body.comment).to_dict()
