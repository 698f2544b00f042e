"""GET /v1/decisions/{decision_id}: a stored decision, explained; GET .../outcome: how the loan drawn on it does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from riskloop.api.auth import DecisionReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.render import decision_body
from riskloop.api.schemas import EXAMPLE_ID, DecisionOut, Line, OutcomeOut

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])


@router.get(
    "/{decision_id}",
    response_model=DecisionOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A decision (role channel: its own; reviewer or auditor: any)",
)
def get_decision(
    decision_id: Annotated[Line, Path(min_length=1, max_length=36, openapi_examples=shown(EXAMPLE_ID))],
    services: ServicesDep,
    principal: DecisionReader,
) -> Response:
    """The decision with its reasons, rule trace and versions; another channel's decision is a 404."""
    stored = services.lookup.get(principal, decision_id)
    body = decision_body(
        stored.decision_id, stored.decision, stored.status, trace=True, final_outcome=stored.final_outcome
    )
    return Response(body, media_type="application/json")


@router.get(
    "/{decision_id}/outcome",
    response_model=OutcomeOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="The outcome of the loan drawn on a decision (roles as for the decision)",
)
def get_outcome(
    decision_id: Annotated[Line, Path(min_length=1, max_length=36, openapi_examples=shown(EXAMPLE_ID))],
    services: ServicesDep,
    principal: DecisionReader,
) -> OutcomeOut:
    """Days past due, first 90+ day, bad at 3/6/12 months; 404 when no loan was drawn or no update ran yet."""
    services.lookup.get(principal, decision_id)  # who may read the decision may read its outcome
    return OutcomeOut(**services.outcomes.outcome_of(decision_id))
