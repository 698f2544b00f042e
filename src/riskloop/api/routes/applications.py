"""POST /v1/applications: decide an application once per Idempotency-Key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from riskloop.api.auth import AsChannel
from riskloop.api.deps import Services, ServicesDep
from riskloop.api.observability import note
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.render import posted_body
from riskloop.api.schemas import ApplicationIn, DecisionOut, Line
from riskloop.domain.access import Principal
from riskloop.domain.decision import Decision
from riskloop.service.intake import Submitted
from riskloop.service.intake import submitted as submitted_of
from riskloop.service.stages import lap

router = APIRouter(prefix="/v1/applications", tags=["applications"])
JSON = "application/json"
KEY_LENGTH = (1, 128)  # of an Idempotency-Key (``api.lean_route`` checks it too)


@router.post(
    "",
    status_code=201,
    response_model=DecisionOut,
    responses=problem_responses(401, 403, 409, 422, 503),
    summary="Decide a loan application (role channel)",
)
async def post_application(
    request: Request,
    body: ApplicationIn,
    services: ServicesDep,
    principal: AsChannel,
    idempotency_key: Annotated[
        Line,
        Header(
            alias="Idempotency-Key",
            min_length=KEY_LENGTH[0],
            max_length=KEY_LENGTH[1],
            description="unique per application attempt",
            openapi_examples=shown("web-7f3c2a1e-0001"),
        ),
    ],
) -> Response:
    """Decide ``body``; a retry with the same key and body returns the original response byte for byte.

    On the event loop: the decision is computation and indexed reads (a hand-over to a thread costs more than
    it saves), and its write is awaited from the group commit, so the loop decides the next requests meanwhile.
    A well-formed request is answered by ``api.lean_route`` without FastAPI's request machinery, through
    ``answer_application`` below; this route answers the rest (its refusals) and is what the API documents.
    """
    return await answer_application(request, body, services, principal, idempotency_key)


async def answer_application(
    request: Request, body: ApplicationIn, services: Services, principal: Principal, idempotency_key: str
) -> Response:
    """The route's answer to a validated request of an authenticated channel (the route and the lean path)."""
    lap("parse")
    decided: list[Decision] = []

    def render(decision_id: str, decision: Decision) -> bytes:
        decided.append(decision)
        return posted_body(decision_id, decision)

    prepared = services.intake.prepare(
        key=idempotency_key,
        request=body.to_request(),
        digest=body.digest(),
        render=render,
        actor=principal.name,
    )
    # a retry gets the stored answer; a new decision is answered once the group commit has stored it
    submitted = prepared if isinstance(prepared, Submitted) else submitted_of(await services.commits.record(prepared))
    lap("persist")
    _note(request, submitted.decision_id, decided[0] if decided and submitted.created else None)
    headers = {"Location": f"/v1/decisions/{submitted.decision_id}"}
    if not submitted.created:
        headers["Idempotent-Replayed"] = "true"
    return Response(submitted.body, status_code=submitted.status_code, media_type=JSON, headers=headers)


def _note(request: Request, decision_id: str, decision: Decision | None) -> None:
    """The decision's id (and, when this request made it, tier and strategy) for the log line and the counters."""
    if decision is None:
        note(request, decision_id=decision_id, replayed=True)
    else:
        strategy = decision.versions.strategy.partition(":")[0]  # name@version, without the content digest
        note(request, decision_id=decision_id, tier=decision.tier.value, strategy=strategy)
