"""GET /v1/decisions/{decision_id}/identifiers: the applicant's identifiers, masked unless the reader audits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from riskloop.api.auth import DecisionReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import EXAMPLE_ID, IdentifiersOut, Line
from riskloop.service.identifiers import applicant_identifiers

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])


@router.get(
    "/{decision_id}/identifiers",
    response_model=IdentifiersOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="The applicant's identifiers (channel: its own, masked; reviewer: masked; auditor: whole), audited",
)
def get_identifiers(
    decision_id: Annotated[Line, Path(min_length=1, max_length=36, openapi_examples=shown(EXAMPLE_ID))],
    services: ServicesDep,
    reader: DecisionReader,
) -> IdentifiersOut:
    """Opened from the sealed decision inputs; a ``pii.reveal`` audit row names the reader and the view."""
    stored = services.lookup.get(reader, decision_id)  # another channel's decision is a 404
    found = applicant_identifiers(services.decisions, services.clock, stored, reader)
    return IdentifiersOut(**found)
