"""Strategy lifecycle: drafts, submission, four-eyes approval, activation and rollback as approved changes.

Analysts author, submit and request activations; approvers approve versions and changes. The actor is the
authenticated principal: a body's ``author`` or ``actor``, when given, must name the same principal, so the
four-eyes rules (approver ≠ author, change approver ≠ requester) compare principals.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AsAnalyst, AsApprover, AsBacktester, StrategyReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Strict, Text
from riskloop.domain.access import acting
from riskloop.errors import NotFoundError
from riskloop.service.strategy_backtest import DEFAULT_SAMPLE, MAX_SAMPLE

router = APIRouter(tags=["strategies"])
Name = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,59}$", openapi_examples=shown("tighter"))]
Version = Annotated[int, Path(ge=1, le=10**6, openapi_examples=shown(1))]
CHANGES = problem_responses(401, 403, 404, 409, 422)  # a version or change that is missing or in the wrong state
JDM = '{"nodes": [{"id": "in", "type": "inputNode"}, {"id": "out", "type": "outputNode"}], "edges": []}'
EXAMPLE_VERSION: JsonDict = {
    "name": "tighter",
    "version": 1,
    "key": "tighter@1",
    "status": "approved",
    "author": "ann",
    "approved_by": "bob",
    "sha256": "4f86939adcfe6acf147075ebca5133583aab33e23d885e241fa939893a437a99",
    "created_at": "2026-07-01T09:00:00+00:00",
}


class StrategyVersionOut(BaseModel):
    """A strategy version and where it is in its lifecycle."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_VERSION]})

    name: str
    version: int
    key: str
    status: str = Field(description="draft, submitted, approved, active or retired")
    author: str
    approved_by: str | None
    sha256: str
    created_at: str


class StrategyVersionsOut(BaseModel):
    """Every version of a strategy."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"versions": [EXAMPLE_VERSION]}]})

    versions: list[StrategyVersionOut]


EXAMPLE_OVERVIEW: JsonDict = {
    "name": "reference",
    "active_version": 1,
    "latest_version": 2,
    "by_status": {"draft": 0, "submitted": 1, "approved": 0, "active": 1, "retired": 0},
}
EXAMPLE_CHANGE: JsonDict = {
    "change_id": 1,
    "name": "reference",
    "version": 2,
    "key": "reference@2",
    "requested_by": "ann",
    "requested_at": "2026-07-01T09:00:00+00:00",
    "status": "pending",
    "approved_by": None,
    "note": "go live",
}


class StrategyOverviewOut(BaseModel):
    """One strategy at a glance."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_OVERVIEW]})

    name: str
    active_version: int | None
    latest_version: int | None
    by_status: dict[str, int] = Field(description="versions by status: draft, submitted, approved, active, retired")


class StrategiesOut(BaseModel):
    """Every strategy, by name."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"strategies": [EXAMPLE_OVERVIEW]}]})

    strategies: list[StrategyOverviewOut]


class ChangeViewOut(BaseModel):
    """An activation change (a rollback too) and where it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CHANGE]})

    change_id: int
    name: str
    version: int
    key: str
    requested_by: str
    requested_at: str
    status: str = Field(description="pending or applied")
    approved_by: str | None
    note: str


class ChangesOut(BaseModel):
    """Activation changes, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"changes": [EXAMPLE_CHANGE]}]})

    changes: list[ChangeViewOut]


_SIDE: JsonDict = {
    "approval_rate": 0.46, "bad_rate_approved": 0.031, "bad_rate_auto_approved": 0.02,
    "straight_through_rate": 0.71, "approved_limit_cents": 4_150_000_000, "expected_loss_cents": 38_000_000,
    "expected_loss_rate": 0.0092,
    "by_tier": {"auto_approve": {"count": 90, "share": 0.3, "bad_rate": 0.02, "mean_pd": 0.018}},
    "top_reasons": [{"code": "SCORE_LOW", "count": 41}],
}  # fmt: skip
EXAMPLE_BACKTEST: JsonDict = {
    "applications": 300,
    "sample": 300,
    "with_outcome": 120,
    "outcomes": "observed on 2026-07-01",
    "graph": "stored graph: graph 3 built at 2026-06-30T22:00:00+00:00",
    "champion": {"strategy": "reference@1", **_SIDE},
    "candidate": {"strategy": "reference@2", **_SIDE, "approval_rate": 0.41},
    "swap": {
        "swap_in": {"count": 3, "bad_rate": None},
        "swap_out": {"count": 18, "bad_rate": 0.09},
        "unchanged_tier": 260,
        "tier_moves": [{"champion": "auto_approve", "candidate": "suggest_approve", "count": 22}],
        "examples_in": ["APP000123"],
        "examples_out": ["APP000456"],
        "examples": {"in": [{"application_id": "APP000123", "champion_tier": "manual_review",
                             "candidate_tier": "suggest_approve", "bad": None}], "out": []},
    },
    "series": {
        "by_tier": [{"tier": "auto_approve", "champion": 90, "candidate": 68}],
        "by_outcome": [{"outcome": "approved", "champion": 138, "candidate": 123}],
    },
    "writes": 0,
}  # fmt: skip


class BacktestIn(BaseModel):
    """How many historical applications to decide again (a seeded sample of the workspace's history)."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{}, {"sample": 500}]})

    sample: Annotated[int, Field(ge=1, le=MAX_SAMPLE, description="at most this many applications")] = DEFAULT_SAMPLE


class BacktestOut(BaseModel):
    """A version against the active one on history: rates, expected loss, swap sets, series for charts."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_BACKTEST]})

    applications: int
    sample: int
    with_outcome: int
    outcomes: str = Field(description="where bad outcomes come from: loans observed as of today, or none")
    graph: str = Field(description="how the graph was checked")
    champion: dict[str, Any]
    candidate: dict[str, Any]
    swap: dict[str, Any]
    series: dict[str, list[dict[str, Any]]]
    writes: int


class ChangeOut(BaseModel):
    """A requested activation, waiting for another person's approval."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"change_id": 1}]})

    change_id: int


Actor = Annotated[
    str | None, Field(default=None, pattern=r"^[A-Za-z0-9._@-]{1,80}$", description="optional: the principal")
]


class DraftIn(BaseModel):
    """A new version's JDM JSON."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"content": JDM, "note": "cap limits"}]})

    content: Annotated[Text, Field(min_length=2, max_length=2_000_000)]
    author: Actor = None
    note: Annotated[Text, Field(max_length=2000)] = ""


class EditIn(BaseModel):
    """New content for a draft."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"content": JDM}]})

    content: Annotated[Text, Field(min_length=2, max_length=2_000_000)]
    actor: Actor = None


class ActorIn(BaseModel):
    """Who does it."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{}, {"actor": "bob"}]})

    actor: Actor = None


class ActivationIn(BaseModel):
    """Ask for a version to become active (a rollback names an earlier version)."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"version": 1, "note": "go live"}]})

    version: Annotated[int, Field(ge=1, le=10**6)]
    actor: Actor = None
    note: Annotated[Text, Field(max_length=2000)] = ""


@router.get(
    "/v1/strategies",
    response_model=StrategiesOut,
    responses=problem_responses(401, 403),
    summary="Every strategy: active and latest version, versions by status (role analyst, approver or auditor)",
)
def list_strategies(services: ServicesDep, principal: StrategyReader) -> dict[str, Any]:
    """Every stored strategy by name."""
    return {"strategies": services.strategies.catalogue(principal)}


@router.get(
    "/v1/strategy-changes",
    response_model=ChangesOut,
    responses=problem_responses(401, 403, 422),
    summary="Activation changes, e.g. the pending ones to approve (role analyst, approver or auditor)",
)
def list_changes(
    services: ServicesDep,
    principal: StrategyReader,
    status: Annotated[Literal["pending", "applied"] | None, Query(openapi_examples=shown("pending"))] = None,
) -> dict[str, Any]:
    """Activation changes (rollbacks included) of ``status`` when given, oldest first."""
    return {"changes": [c.to_dict() for c in services.strategies.changes(principal, status)]}


@router.post(
    "/v1/strategies/{name}/versions",
    status_code=201,
    response_model=StrategyVersionOut,
    responses=problem_responses(401, 403, 422),
    summary="A new draft (role analyst)",
)
def create_draft(name: Name, body: DraftIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """A new draft version, authored by the principal."""
    acting(principal, body.author, "author")
    return services.strategies.create(principal, name, body.content, body.note).to_dict()


@router.get(
    "/v1/strategies/{name}/versions",
    response_model=StrategyVersionsOut,
    responses=problem_responses(401, 403, 422),
    summary="Versions (role analyst, approver or auditor)",
)
def list_versions(name: Name, services: ServicesDep, principal: StrategyReader) -> dict[str, Any]:
    """Every version of a strategy and its status."""
    return {"versions": [v.to_dict() for v in services.strategies.versions(principal, name)]}


@router.put(
    "/v1/strategies/{name}/versions/{version}",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Edit a draft (role analyst)",
)
def edit_draft(
    name: Name, version: Version, body: EditIn, services: ServicesDep, principal: AsAnalyst
) -> dict[str, Any]:
    """Replace a draft's content (its author only; published versions are immutable: 409)."""
    acting(principal, body.actor, "actor")
    return services.strategies.edit(principal, name, version, body.content).to_dict()


@router.post(
    "/v1/strategies/{name}/versions/{version}/submit",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Submit a draft (role analyst)",
)
def submit(name: Name, version: Version, body: ActorIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """Draft → submitted, by its author."""
    acting(principal, body.actor, "actor")
    return services.strategies.submit(principal, name, version).to_dict()


@router.post(
    "/v1/strategies/{name}/versions/{version}/approve",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Approve a version (role approver)",
)
def approve(
    name: Name, version: Version, body: ActorIn, services: ServicesDep, principal: AsApprover
) -> dict[str, Any]:
    """Submitted → approved; the approver is never the author (403), whatever roles the author's key holds."""
    acting(principal, body.actor, "actor")
    return services.strategies.approve(principal, name, version).to_dict()


@router.post(
    "/v1/strategies/{name}/versions/{version}/backtest",
    response_model=BacktestOut,
    responses=CHANGES,
    summary="Backtest a version against the active one on a sample of history (role analyst or approver)",
)
def backtest(
    name: Name, version: Version, body: BacktestIn, services: ServicesDep, principal: AsBacktester
) -> dict[str, Any]:
    """Decide a seeded sample of historical applications with both versions; writes nothing but the audit.

    409 naming what is missing when the workspace cannot backtest (no history, no active version, no model).
    """
    if services.strategy_backtest is None:
        raise NotFoundError("backtests are not served by this app")
    return services.strategy_backtest().run(principal, name, version, body.sample)


@router.post(
    "/v1/strategies/{name}/activations",
    status_code=201,
    response_model=ChangeOut,
    responses=CHANGES,
    summary="Request an activation (role analyst)",
)
def request_activation(name: Name, body: ActivationIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """Request an activation (or a rollback); another person approves it."""
    acting(principal, body.actor, "actor")
    return {"change_id": services.strategies.request_activation(principal, name, body.version, body.note)}


@router.post(
    "/v1/strategy-changes/{change_id}/approve",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Approve and apply a change (role approver)",
)
def approve_activation(
    change_id: Annotated[int, Path(ge=1, le=2**31 - 1, openapi_examples=shown(1))],
    body: ActorIn,
    services: ServicesDep,
    principal: AsApprover,
) -> dict[str, Any]:
    """Approve and apply an activation (never by its requester): the version becomes active, the old one retired."""
    acting(principal, body.actor, "actor")
    return services.strategies.approve_activation(principal, change_id).to_dict()
