"""Post-loan alerts: list and filter, read with evidence, acknowledge, act on the loan, close.

Officers (role post_loan_officer) work alerts; auditors read them; channels, reviewers, analysts and approvers
never see them. The officer is the authenticated principal; the use case checks the role again.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AlertReader, AsOfficer
from riskloop.api.deps import ServicesDep
from riskloop.api.graph_schemas import GraphOut
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Strict, Text
from riskloop.domain.alert import AlertFilter

router = APIRouter(tags=["alerts"])
EXAMPLE_ALERT_ID = "alr_Qm3v9TtZr0cN4kWb8yXa2g"
AlertId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown(EXAMPLE_ALERT_ID))]
CHANGES = problem_responses(401, 403, 404, 409, 422)
Comment = Annotated[Text, Field(min_length=1, max_length=2000)]
EXAMPLE_SUMMARY: JsonDict = {
    "alert_id": EXAMPLE_ALERT_ID,
    "credit_code": "91420100000000001Y",
    "loan_id": "L-1",
    "level": "warning",
    "level_zh": "预警",
    "signal": "inflow_drop",
    "period": "2026-06",
    "origin": "direct",
    "industry_section": "C",
    "enterprise_kind": "company",
    "officer": "paul",
    "status": "open",
    "status_zh": "待处理",
    "created_at": "2026-07-01T09:00:00+00:00",
    "updated_at": "2026-07-01T09:00:00+00:00",
    "row_version": 0,
}
EXAMPLE_EVIDENCE: JsonDict = {
    "signals": [{"name": "inflow_drop", "value": 0.62, "threshold": 0.5, "coefficient": 1.0}],
    "policy": "reference-warning",
    "policy_version": 1,
    "path": [],
    "source_alert_id": None,
}

EXAMPLE_ACTION: JsonDict = {
    "action_id": "act_Xb2n8QpLr5tW0yZc3vKd7A",
    "alert_id": EXAMPLE_ALERT_ID,
    "credit_code": "91420100000000001Y",
    "loan_id": "L-1",
    "action": "freeze_undrawn_limit",
    "action_zh": "冻结未用额度",
    "reasons": ["Inflows down 62 % on 3 months"],
    "actor": "paul",
    "at": "2026-07-01T10:00:00+00:00",
}
EXAMPLE_DETAIL: JsonDict = {
    **EXAMPLE_SUMMARY,
    "status": "actioned",
    "status_zh": "已处置",
    "evidence": EXAMPLE_EVIDENCE,
    "actions": [EXAMPLE_ACTION],
    "history": [
        {"at": "2026-07-01T09:00:00+00:00", "actor": "job:monitor", "action": "alert.raised", "detail": {}},
        {"at": "2026-07-01T10:00:00+00:00", "actor": "paul", "action": "alert.actioned", "detail": {}},
    ],
    "propagation": None,
}


class SignalOut(BaseModel):
    """One signal the policy saw."""

    name: str
    value: float | int | str | bool | None
    threshold: float | int | str | bool | None
    coefficient: float | None


class HopOut(BaseModel):
    """One step of a propagation path (credit codes or keyed tokens)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    edge_kind: str


class EvidenceOut(BaseModel):
    """Why the alert was raised."""

    signals: list[SignalOut]
    policy: str
    policy_version: int
    path: list[HopOut] = Field(description="propagated alerts: from the source enterprise to this one")
    source_alert_id: str | None


class AlertSummaryOut(BaseModel):
    """An alert as lists show it."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_SUMMARY]})

    alert_id: str
    credit_code: str
    loan_id: str | None
    level: Literal["warning", "attention", "notice"]
    level_zh: str = Field(description="预警, 关注 or 提示")
    signal: str
    period: str
    origin: Literal["direct", "propagated", "model"]
    industry_section: str | None
    enterprise_kind: str | None
    officer: str | None
    status: Literal["open", "acknowledged", "actioned", "closed"]
    status_zh: str
    created_at: str
    updated_at: str
    row_version: int


class AlertOut(AlertSummaryOut):
    """An alert with its evidence."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**EXAMPLE_SUMMARY, "evidence": EXAMPLE_EVIDENCE}]})

    evidence: EvidenceOut


class LoanActionOut(BaseModel):
    """An action on the loan, decided on an alert."""

    action_id: str
    alert_id: str
    credit_code: str
    loan_id: str
    action: Literal["freeze_undrawn_limit", "reduce_limit", "request_review", "start_collection"]
    action_zh: str
    reasons: list[str]
    actor: str
    at: str


class HistoryOut(BaseModel):
    """One audited step."""

    at: str
    actor: str
    action: str
    detail: dict[str, Any]


class AlertDetailOut(AlertOut):
    """An alert with its evidence, the actions on its loan, its history and, propagated, its path on the graph."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DETAIL]})

    actions: list[LoanActionOut]
    history: list[HistoryOut]
    propagation: GraphOut | None = Field(
        description="a propagated alert: its path from the source enterprise as graph nodes and edges (null: direct)"
    )


class AlertsOut(BaseModel):
    """One page of alerts, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"alerts": [EXAMPLE_SUMMARY], "total": 1, "limit": 50, "offset": 0, "next_offset": None}]
        }
    )

    alerts: list[AlertSummaryOut]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class CommentIn(BaseModel):
    """An officer's step, with a comment."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"comment": "Called the firm's CFO"}]})

    comment: Comment


class ActionIn(BaseModel):
    """An action on the alert's loan and its reason."""

    model_config = ConfigDict(
        **Strict,
        json_schema_extra={"examples": [{"action": "freeze_undrawn_limit", "reason": "Inflows down 62 % on 3 months"}]},
    )

    action: Literal["freeze_undrawn_limit", "reduce_limit", "request_review", "start_collection"]
    reason: Comment


class ActedOut(BaseModel):
    """The alert after the action, and the action recorded."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"alert": {**EXAMPLE_SUMMARY, "status": "actioned", "status_zh": "已处置",
                                                   "evidence": EXAMPLE_EVIDENCE}, "action": EXAMPLE_ACTION}]}
    )  # fmt: skip

    alert: AlertOut
    action: LoanActionOut


@router.get(
    "/v1/alerts",
    response_model=AlertsOut,
    responses=problem_responses(401, 403, 422),
    summary="Alerts, newest first (role post_loan_officer or auditor)",
)
def list_alerts(  # noqa: PLR0917 - one query parameter each
    services: ServicesDep,
    principal: AlertReader,
    level: Annotated[Literal["warning", "attention", "notice"] | None, Query(openapi_examples=shown("warning"))] = None,
    industry: Annotated[
        str | None, Query(pattern=r"^[A-T]$", description="GB/T 4754 section letter", openapi_examples=shown("C"))
    ] = None,
    officer: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._@-]{1,80}$", openapi_examples=shown("paul"))] = None,
    status: Annotated[
        Literal["open", "acknowledged", "actioned", "closed"] | None, Query(openapi_examples=shown("open"))
    ] = None,
    origin: Annotated[
        Literal["direct", "propagated", "model"] | None, Query(openapi_examples=shown("propagated"))
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, openapi_examples=shown(50))] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9, openapi_examples=shown(0))] = 0,
) -> dict[str, Any]:
    """Alerts matching every filter given, newest first, one page."""
    where = AlertFilter(level=level, industry_section=industry, officer=officer, status=status, origin=origin)
    return services.alerts.list(principal, where, limit=limit, offset=offset).to_dict()


@router.get(
    "/v1/alerts/{alert_id}",
    response_model=AlertDetailOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="An alert with its evidence, actions and history (role post_loan_officer or auditor)",
)
def get_alert(alert_id: AlertId, services: ServicesDep, principal: AlertReader) -> dict[str, Any]:
    """The alert with its evidence, the actions taken on its loan, its audited history and its propagation path."""
    detail = services.alerts.get(principal, alert_id).to_dict()
    path = detail["evidence"]["path"]
    detail["propagation"] = services.graph.propagation(principal, path) if services.graph and path else None
    return detail


@router.post(
    "/v1/alerts/{alert_id}/acknowledge",
    response_model=AlertOut,
    responses=CHANGES,
    summary="Acknowledge an open alert (role post_loan_officer)",
)
def acknowledge_alert(
    alert_id: AlertId, body: CommentIn, services: ServicesDep, principal: AsOfficer
) -> dict[str, Any]:
    """Acknowledge an open alert; an unassigned one is assigned to the officer."""
    return services.alerts.acknowledge(principal, alert_id, body.comment).to_dict()


@router.post(
    "/v1/alerts/{alert_id}/actions",
    status_code=201,
    response_model=ActedOut,
    responses=CHANGES,
    summary="Act on the alert's loan (role post_loan_officer)",
)
def act_on_alert(alert_id: AlertId, body: ActionIn, services: ServicesDep, principal: AsOfficer) -> dict[str, Any]:
    """Record an action on the loan (freeze the undrawn limit, reduce the limit, request a review, collect)."""
    alert, action = services.alerts.act(principal, alert_id, body.action, body.reason)
    return {"alert": alert.to_dict(), "action": action.to_dict()}


@router.post(
    "/v1/alerts/{alert_id}/close",
    response_model=AlertOut,
    responses=CHANGES,
    summary="Close an alert (role post_loan_officer)",
)
def close_alert(alert_id: AlertId, body: CommentIn, services: ServicesDep, principal: AsOfficer) -> dict[str, Any]:
    """Close the alert with a comment (from open, acknowledged or actioned)."""
    return services.alerts.close(principal, alert_id, body.comment).to_dict()
