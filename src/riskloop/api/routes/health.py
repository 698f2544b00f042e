"""Liveness (``/healthz``: the process answers) and readiness (``/readyz``: it can decide now); no authentication."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, JsonValue

from riskloop import __version__
from riskloop.api import errors
from riskloop.api.observability import log
from riskloop.api.openapi import Problem, problem_response, problem_responses
from riskloop.service.bureau_pull import BureauPull
from riskloop.service.readiness import Probe, graph_probe, model_probe, readiness, strategy_probe
from riskloop.service.runtime import NoGraphChecks
from riskloop.service.sources import circuits_probe
from riskloop.storage.ping import ping

router = APIRouter(tags=["platform"])

_READY_CHECKS: list[JsonValue] = [
    {"name": "database", "ok": True, "reason": "answers (migration 0006)"},
    {"name": "model", "ok": True, "reason": "loaded ensemble:3f9a0c2e"},
    {"name": "strategy", "ok": True, "reason": "reference@1 loaded (sha256 5b1e0a7c9d24)"},
    {"name": "graph", "ok": True, "reason": "WorkspaceGraphChecks deployed"},
]
_NOT_READY_CHECKS: list[JsonValue] = [
    *_READY_CHECKS[:3],
    {"name": "graph", "ok": False, "reason": "not deployed (run: riskloop graph build)"},
]


class HealthOut(BaseModel):
    """The process answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok", "version": "0.1.0"}]})

    status: Literal["ok"]
    version: str


class CheckOut(BaseModel):
    """One readiness check."""

    name: str
    ok: bool
    reason: str


class ReadyOut(BaseModel):
    """Every check passed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ready": True, "checks": _READY_CHECKS}]})

    ready: bool
    checks: list[CheckOut]


class NotReadyProblem(Problem):
    """The 503 of /readyz: a problem listing every check."""

    checks: list[CheckOut]


def probes(state: Any) -> dict[str, Probe]:
    """What readiness checks, from the app's state: the one place to re-point when the wiring changes."""
    services = getattr(state, "services", None)
    if services is None:
        return {"startup": _not_started}
    dependencies = getattr(state, "dependencies", None)
    found: dict[str, Probe]
    if dependencies is not None:  # the live pipeline: every watched dependency (service.fail_closed)
        found = {"database": lambda: ping(services.engine), **dependencies.probes()}
    else:
        decider = services.intake.decider
        graph = decider.graph
        found = {
            "database": lambda: ping(services.engine),
            "model": model_probe(decider.scorer),
            "strategy": strategy_probe(decider.rules, lambda: str(decider.strategy)),
            "graph": graph_probe(type(graph).__name__, deployed=not isinstance(graph, NoGraphChecks)),
        }
        if isinstance(decider.bureau, BureauPull):  # the bureau is pulled: an open circuit makes it unready
            found["sources"] = circuits_probe(decider.bureau.puller)
    registrations = getattr(services, "registrations", None)
    if registrations is not None:  # informational, like a shadow model: which thresholds screen sign-ups
        found["registration policy"] = registrations.policy_state
    lending = getattr(services, "lending", None)
    if lending is not None and lending.core_state is not None:  # informational: the decision path never calls it
        found["core"] = lending.core_state
    shadow = services.intake.shadow_model
    if shadow is not None:  # its counts as of now; informational: a shadow model never makes the process unready
        found["shadow model"] = shadow.state
    return found


def _not_started() -> str:
    raise RuntimeError("the application has not started")


@router.get("/healthz", response_model=HealthOut, responses=problem_responses(), summary="Liveness (no authentication)")
def healthz() -> dict[str, str]:
    """The process answers; nothing else is checked (a failing database is a readiness matter)."""
    return {"status": "ok", "version": __version__}


_KIND, _STATUS, _SLUG, _TITLE = errors.NOT_READY
_DETAIL = "not ready: graph: not deployed (run: riskloop graph build)"
_NOT_READY = {
    "type": errors.TYPE_PREFIX + _SLUG,
    "title": _TITLE,
    "status": _STATUS,
    "detail": _DETAIL,
    "instance": "/readyz",
    "error": _KIND,
    "message": _DETAIL,
    "field": None,
    "checks": _NOT_READY_CHECKS,
}


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={**problem_responses(), 503: problem_response(503, NotReadyProblem, _NOT_READY)},
    summary="Readiness (no authentication)",
)
def readyz(request: Request) -> JSONResponse | dict[str, Any]:
    """Ready: the database answers, a model is loaded, the champion strategy loads, graph checks are deployed.

    Otherwise a 503 problem lists every check and why it failed. A challenger model in shadow has a line of its
    own (loaded or why not, decisions made and failures), and so have the registration policy (the version
    screening sign-ups, active or shipped) and the core system drawdowns are paid through (how the drawdowns' last
    exchanges with it went); none of these ever makes the process unready.
    """
    result = readiness(probes(request.app.state))
    checks = [c.to_dict() for c in result.checks]
    if result.ready:
        return {"ready": True, "checks": checks}
    log.warning("not ready", failed=result.failed())
    return errors.not_ready(request, f"not ready: {result.failed()}", checks)
