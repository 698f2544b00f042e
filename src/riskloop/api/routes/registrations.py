"""POST /v1/registrations: screen a sign-up before it reaches a decision (accept, step-up or block, with reasons).

Channels post each registration as it arrives; its time is the service's clock, never a time the client sends.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from riskloop.api.auth import AsChannel
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses
from riskloop.api.schemas import Line
from riskloop.domain.registration import CHANNELS, OUTCOMES
from riskloop.errors import NotFoundError
from riskloop.rules.reasons import RuleReasonCatalog

router = APIRouter(prefix="/v1/registrations", tags=["registrations"])
Channel = Literal["app", "web", "mini_program", "branch", "campaign"]
Outcome = Literal["accept", "step_up", "block"]
if set(get_args(Channel)) != set(CHANNELS) or set(get_args(Outcome)) != set(OUTCOMES):
    raise RuntimeError("the route's channels or outcomes differ from the domain's")
_CATALOG = RuleReasonCatalog.default()


class RegistrationIn(BaseModel):
    """One registration: who signs up and from where."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "registration_id": "reg-20260701-000123", "phone": "13800138000",
        "device_id": "8e822ff9f60a5a1e43dcf90949b9f008", "ip": "116.156.134.63",
        "credit_code": "91510107072294992Q", "legal_rep_id": "320102197302103596", "channel": "app",
        "device_model": "huawei p60/harmonyos 4.0"}]})  # fmt: skip

    registration_id: Annotated[Line, Field(min_length=1, max_length=40)]
    phone: Annotated[Line, Field(min_length=1, max_length=32)]
    device_id: Annotated[Line, Field(min_length=1, max_length=64)]
    ip: Annotated[Line, Field(min_length=1, max_length=64)]
    credit_code: Annotated[Line, Field(min_length=1, max_length=32)]
    legal_rep_id: Annotated[Line, Field(min_length=1, max_length=32)]
    channel: Channel
    device_model: Annotated[Line | None, Field(max_length=80)] = None


class ReasonOut(BaseModel):
    """A reason code with its texts (Chinese first)."""

    code: str
    zh: str
    en: str


class RegistrationOut(BaseModel):
    """The outcome: accept, step_up (ask for a second factor) or block, with reasons and the evidence behind them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "registration_id": "reg-20260701-000123", "outcome": "block",
        "reasons": [{"code": "REG_VELOCITY_DEVICE", "zh": "同一设备短期内注册多家企业",
                     "en": "One device registered several enterprises within a short window"}],
        "points": 3,
        "signals": [{"reason": "REG_VELOCITY_DEVICE", "kind": "device_id", "window": "1d", "parties": 4,
                     "points": 3}],
        "policy": "registration-v1 (shipped; no registration policy active)",
        "held": ["phone", "device_id", "legal_rep_id", "credit_code"]}]})  # fmt: skip

    registration_id: str
    outcome: Outcome
    reasons: list[ReasonOut]
    points: int
    signals: list[dict[str, Any]]
    policy: str = Field(description="The thresholds' version and where they come from (active, or shipped)")
    held: list[str] = Field(description="On a block: the identifiers grey-listed for the decision path (LIST_GREY)")


@router.post(
    "",
    response_model=RegistrationOut,
    responses=problem_responses(401, 403, 413, 422),
    summary="Screen a registration: accept, step up (second factor) or block, with reasons",
)
def screen_registration(body: RegistrationIn, services: ServicesDep, _: AsChannel) -> RegistrationOut:
    """Velocity of the registration's identifiers and bursts on what it shares, over sliding windows (ADR 0031).

    A block grey-lists the registration's identifiers: a later application with any of them is referred.
    """
    if services.registrations is None:
        raise NotFoundError("registration screening is not deployed")
    verdict = services.registrations.screen(body.model_dump())
    reasons = [_CATALOG.reason(code) for code in verdict.reasons]
    return RegistrationOut(
        registration_id=verdict.registration_id,
        outcome=verdict.outcome,  # type: ignore[arg-type]
        reasons=[ReasonOut(code=r.code, zh=r.text_zh, en=r.text) for r in reasons],
        points=verdict.points,
        signals=[dict(s) for s in verdict.signals],
        policy=verdict.policy,
        held=list(verdict.held),
    )
