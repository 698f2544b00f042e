"""Models: the registry and a model's card, approval and activation (four eyes), monitoring, drift, shadow decisions.

A model's shadow decisions (``serve --shadow-model``) are reported against the champion's. Analysts,
approvers and auditors read them. Monitoring here never raises alerts (a GET changes nothing): the scheduled
``riskloop monitor models --as-of D`` run grades the thresholds and raises them. Approvers approve and activate
a model through ``service.models.ModelDesk`` (never its trainer; audited), as ``riskloop models approve`` does.
Vintage curves (bad rate by months on book per disbursal month) are served by ``GET /v1/effect``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AsApprover, StrategyReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Line, Strict
from riskloop.domain.access import acting
from riskloop.service.model_monitoring import Options

router = APIRouter(tags=["models"])
EXAMPLE_MODEL: JsonDict = {
    "model_id": "sme-v2",
    "name": "sme",
    "version": 2,
    "kind": "fused-ensemble",
    "status": "active",
    "registered_by": "ann",
    "approved_by": "bob",
    "created_at": "2026-07-01T09:00:00+00:00",
    "manifest_sha256": "4f86939adcfe6acf147075ebca5133583aab33e23d885e241fa939893a437a99",
}
EXAMPLE_MONITORING: JsonDict = {
    "model": "sme-v2",
    "as_of": "2026-06-30",
    "policy": "model-monitoring@1",
    "stability": {"decisions": 1200, "score_psi": 0.04, "inputs": []},
    "performance": {"vintages": []},
    "mix": {"by_tier": [], "by_strategy": []},
    "grades": [],
    "alerts": {"raised": 0, "upgraded": 0, "unchanged": 0},
}


class ModelOut(BaseModel):
    """A registered model and where it is in its lifecycle."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_MODEL]})

    model_id: str
    name: str
    version: int
    kind: str
    status: str = Field(description="registered (a candidate), approved, active or retired")
    registered_by: str
    approved_by: str | None
    created_at: str
    manifest_sha256: str


class ModelsOut(BaseModel):
    """Every registered model."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"models": [EXAMPLE_MODEL]}]})

    models: list[ModelOut]


EXAMPLE_SHADOW: JsonDict = {
    "model": {"model_id": "sme-v3", "status": "registered", "version": "sme-v3:9a1c0e5b7d2f4a61"},
    "period": {"since": "2026-06-01", "until": None},
    "horizon_months": 6,
    "pairs": 1200,
    "unpaired": 0,
    "agreement": {"same_tier": 1030, "rate": 0.8583},
    "swap_in": {"count": 41, "bad_rate": None, "examples": []},
    "swap_out": {"count": 37, "bad_rate": 0.081, "examples": []},
    "pd": {"scored_pairs": 1200, "champion_mean": 0.052, "shadow_mean": 0.049, "correlation": 0.91},
    "outcomes": {"matured_pairs": 310, "bad": 19, "scored_pairs": 310, "champion_auc": 0.71, "shadow_auc": 0.74},
}


class ShadowOut(BaseModel):
    """A model's shadow decisions against the champion's (see docs/closed-loop.md for every figure)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_SHADOW]})

    model: dict[str, Any]
    pairs: int
    agreement: dict[str, Any]


class MonitoringOut(BaseModel):
    """Model monitoring of the active model as of a day (see docs/closed-loop.md for every figure)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_MONITORING]})

    model: str
    as_of: str


@router.get(
    "/v1/models",
    response_model=ModelsOut,
    responses=problem_responses(401, 403),
    summary="Registered models (role analyst, approver or auditor)",
)
def list_models(services: ServicesDep, principal: StrategyReader) -> dict[str, Any]:
    """Every registered model, by name then version, with its status, trainer and approver."""
    return {"models": [m.lifecycle() for m in services.models.list()]}


@router.get(
    "/v1/models/monitoring",
    response_model=MonitoringOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="Model monitoring as of a day (role analyst, approver or auditor)",
)
def model_monitoring(
    services: ServicesDep,
    principal: StrategyReader,
    as_of: Annotated[
        dt.date, Query(description="The day monitored (YYYY-MM-DD)", openapi_examples=shown("2026-06-30"))
    ],
    window_days: Annotated[
        int, Query(ge=1, le=366, description="Recent decisions compared with training", openapi_examples=shown(30))
    ] = 30,
    horizon: Annotated[int, Query(description="Bad within 3, 6 or 12 months on book", openapi_examples=shown(6))] = 6,
) -> dict[str, Any]:
    """Stability, performance on matured vintages and decision mix of the active model; raises no alert."""
    options = Options(window_days=window_days, horizon=horizon, raise_alerts=False)
    return services.model_monitor.run(as_of, options)


ModelId = Annotated[
    Line, Path(min_length=1, max_length=80, description="A registered model", openapi_examples=shown("sme-v2"))
]
EXAMPLE_CARD: JsonDict = {
    **EXAMPLE_MODEL,
    "metrics": {"oot": {"auc": 0.74, "ks": 0.38}},
    "training_window": {"observed_on": "2026-06-30", "rows": 24000},
    "features": ["reg_firm_age_days", "tax_paid_12m"],
    "validation_report": {"summary": {"oot": {"auc": 0.74}}, "psi": {}},
}
EXAMPLE_DRIFT: JsonDict = {
    "model": "sme-v2",
    "step_days": 30,
    "points": [{"as_of": "2026-06-30", "decisions": 1200, "score_psi": 0.04, "inputs": {"tax_paid_12m": 0.02}}],
}


class ModelCardOut(ModelOut):
    """A registered model's card: lifecycle, metrics, training window, features, the validation report."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CARD]})

    metrics: dict[str, Any]
    training_window: dict[str, Any]
    features: list[str]
    validation_report: dict[str, Any] | None = Field(description="report.json of training; null without one")


class ModelStepIn(BaseModel):
    """Approve or activate a model (the authenticated principal acts)."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{}, {"actor": "bob"}]})

    actor: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9._@-]{1,80}$", description="optional: the principal")] = (
        None
    )


class DriftOut(BaseModel):
    """PSI of the active model's score and inputs over consecutive windows (oldest first), for charts."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DRIFT]})

    model: str
    step_days: int
    points: list[dict[str, Any]]


@router.get(
    "/v1/models/drift",
    response_model=DriftOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="Score and input PSI over time (role analyst, approver or auditor)",
)
def model_drift(
    services: ServicesDep,
    principal: StrategyReader,
    until: Annotated[dt.date, Query(description="The last day (YYYY-MM-DD)", openapi_examples=shown("2026-06-30"))],
    points: Annotated[int, Query(ge=1, le=24, description="Windows", openapi_examples=shown(6))] = 6,
    step_days: Annotated[int, Query(ge=1, le=366, description="Days a window", openapi_examples=shown(30))] = 30,
) -> dict[str, Any]:
    """PSI of the score and every input against training, per window; grades nothing, raises nothing."""
    return services.model_monitor.drift(until, points, step_days)


@router.get(
    "/v1/models/{model_id}",
    response_model=ModelCardOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A registered model's card (role analyst, approver or auditor)",
)
def get_model(services: ServicesDep, principal: StrategyReader, model_id: ModelId) -> dict[str, Any]:
    """Kind, status, metrics, validation report, manifest sha256, who trained and who approved it."""
    return services.model_desk.card(principal, model_id)


@router.post(
    "/v1/models/{model_id}/approve",
    response_model=ModelOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Approve a registered model (role approver; never its trainer)",
)
def approve_model(services: ServicesDep, principal: AsApprover, model_id: ModelId, body: ModelStepIn) -> dict[str, Any]:
    """Registered → approved; its trainer is refused (403), another status is a 409; audited."""
    acting(principal, body.actor, "actor")
    return services.model_desk.approve(principal, model_id).lifecycle()


@router.post(
    "/v1/models/{model_id}/activate",
    response_model=ModelOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Activate an approved (or retired: a rollback) model (role approver; never its trainer)",
)
def activate_model(
    services: ServicesDep, principal: AsApprover, model_id: ModelId, body: ModelStepIn
) -> dict[str, Any]:
    """Approved or retired → active, retiring the active model of its name; serving follows; audited."""
    acting(principal, body.actor, "actor")
    return services.model_desk.activate(principal, model_id).lifecycle()


@router.get(
    "/v1/models/{model_id}/shadow",
    response_model=ShadowOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A model's shadow decisions against the champion's (role analyst, approver or auditor)",
)
def shadow_report(  # noqa: PLR0917 - FastAPI parameters
    services: ServicesDep,
    principal: StrategyReader,
    model_id: Annotated[
        Line, Path(min_length=1, max_length=80, description="A registered model", openapi_examples=shown("sme-v3"))
    ],
    since: Annotated[
        dt.date | None, Query(description="Decisions from this day (YYYY-MM-DD)", openapi_examples=shown("2026-06-01"))
    ] = None,
    until: Annotated[
        dt.date | None,
        Query(description="Decisions before this day (YYYY-MM-DD)", openapi_examples=shown("2026-07-01")),
    ] = None,
    horizon: Annotated[int, Query(description="Bad within 3, 6 or 12 months on book", openapi_examples=shown(6))] = 6,
) -> dict[str, Any]:
    """Agreement, tier moves, swap sets, mean PD and correlation, AUC on matured pairs of ``serve --shadow-model``."""
    return services.shadow_report.run(model_id, since, until, horizon)
