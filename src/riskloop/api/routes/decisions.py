"""GET /v1/decisions/{decision_id}: a stored decision with its explanation (reasons, trace, versions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from riskloop.api.auth import DecisionReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.render import decision_body
from riskloop.api.schemas import EXAMPLE_ID, DecisionOut, Line

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
