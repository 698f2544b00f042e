"""POST /v1/applications: decide an application once per Idempotency-Key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from riskloop.api.auth import AsChannel
from riskloop.api.deps import ServicesDep
from riskloop.api.render import decision_body
from riskloop.api.schemas import ApplicationIn, DecisionOut, ErrorOut
from riskloop.domain.decision import Decision
from riskloop.service.intake import request_digest

router = APIRouter(prefix="/v1/applications", tags=["applications"])
JSON = "application/json"


@router.post(
    "",
    status_code=201,
    response_model=DecisionOut,
    responses={code: {"model": ErrorOut} for code in (401, 403, 409, 422, 503)},
    summary="Decide a loan application (role channel)",
)
def post_application(
    body: ApplicationIn,
    services: ServicesDep,
    principal: AsChannel,
    idempotency_key: Annotated[
        str,
        Header(alias="Idempotency-Key", min_length=1, max_length=128, description="unique per application attempt"),
    ],
) -> Response:
    """Decide ``body``; a retry with the same key and body returns the original response byte for byte."""

    def render(decision_id: str, decision: Decision) -> bytes:
        status = "in_review" if decision.tier.needs_human else "final"
        outcome = None if decision.tier.needs_human else ("approved" if decision.tier.approves else "declined")
        return decision_body(decision_id, decision, status, final_outcome=outcome)

    submitted = services.intake.submit(
        key=idempotency_key,
        request=body.to_request(),
        digest=request_digest(body.model_dump(mode="json")),
        render=render,
        actor=principal.name,
    )
    headers = {"Location": f"/v1/decisions/{submitted.decision_id}"}
    if not submitted.created:
        headers["Idempotent-Replayed"] = "true"
    return Response(submitted.body, status_code=submitted.status_code, media_type=JSON, headers=headers)
