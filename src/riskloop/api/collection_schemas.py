"""Request and response schemas of the collection routes (``/v1/collections``): strict in, documented out.

The vocabulary (arms, actions, channels, windows, issue types, dimensions, speakers) comes from
``domain.collection``; the requests' bounds from ``domain.collection_work`` (the use case checks them again).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.schemas import Line, Strict, Text
from riskloop.domain.collection import ACTIONS, ARM_KEYS, CHANNELS, DIMENSIONS, ISSUE_TYPES, SPEAKERS, WINDOWS
from riskloop.domain.collection_work import MAX_CURE_DAYS, MAX_PAID_CENTS, PLAN_STATUSES, RESOLUTIONS

MAX_TURNS, MAX_TURN_CHARS = 500, 2_000  # a transcript's bounds (the body also stays within the app's size limit)
ID_PATTERN = r"^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,59}$"  # a case or call id (never "." or "..": URL path segments)


def _enum(values: tuple[str, ...], description: str) -> Any:
    """A string field documented as one of ``values`` (the domain's tuple stays the one definition)."""
    return Field(description=description, json_schema_extra={"enum": list(values)})


def _one_of(values: tuple[str, ...]) -> Any:
    """A validator: the value if it is one of ``values``, else a ValueError listing them."""

    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"{value!r} is not one of {', '.join(values)}")
        return value

    return AfterValidator(check)


# Request strings that must be one of the domain's values: documented as enums, enforced at the edge.
ArmKey = Annotated[str, Field(json_schema_extra={"enum": list(ARM_KEYS)}), _one_of(ARM_KEYS)]
Speaker = Annotated[str, Field(json_schema_extra={"enum": list(SPEAKERS)}), _one_of(SPEAKERS)]
Resolution = Annotated[str, Field(json_schema_extra={"enum": list(RESOLUTIONS)}), _one_of(RESOLUTIONS)]


def _iso_text(value: object) -> dt.datetime:
    """A JSON date-time string parsed (ISO 8601); numbers and other types are refused, never read as epochs."""
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 date-time with its offset, e.g. 2026-07-01T10:15:00+08:00")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None


EXAMPLE_ARM: JsonDict = {"arm": "agent_call@evening", "action": "agent_call", "channel": "phone", "window": "evening"}
EXAMPLE_PLAN: JsonDict = {
    "plan_id": "pln_Qm3v9TtZr0cN4kWb",
    "case_id": "L-20260501-0042",
    "round_no": 2,
    "next_best_action": EXAMPLE_ARM,
    "propensity": 0.82,
    "expected_net_cents": {"agent_call@evening": 184_000, "sms@morning": 61_000},
    "pmf": {"agent_call@evening": 0.82, "sms@morning": 0.18},
    "reasons": ["promised and paid after an agent call before", "reachable in the evening"],
    "policy_id": "collection-policy@3",
    "planned_at": "2026-07-01T06:00:00+00:00",
    "status": "open",
}
EXAMPLE_ACTION: JsonDict = {
    "action_id": "cac_Xb2n8QpLr5tW0yZc",
    "case_id": "L-20260501-0042",
    "plan_id": "pln_Qm3v9TtZr0cN4kWb",
    **EXAMPLE_ARM,
    "propensity": 0.82,
    "followed_plan": True,
    "policy_id": "collection-policy@3",
    "acted_at": "2026-07-01T11:20:00+00:00",
    "recorded_by": "carl",
    "agent_id": "A-017",
    "promise_to_pay": True,
    "amount_paid_cents": 250_000,
    "cured": False,
    "days_to_cure": None,
    "complaint": False,
}
EXAMPLE_FINDING: JsonDict = {
    "call_id": "call-20260701-0007",
    "issue_type": "threat",
    "source": "rule:threat.family",
    "turn_no": 6,
    "utterance": "再不还钱我们就去找你家里人",
    "score": 0.93,
    "dimension": "compliance",
}
EXAMPLE_QA_CASE: JsonDict = {
    "qa_case_id": "qac_Hn4k2VbT9sLq0wEr",
    "call_id": "call-20260701-0007",
    "opened_at": "2026-07-01T11:25:00+00:00",
    "issue_types": ["threat"],
    "max_score": 0.93,
    "status": "open",
    "closed_by": None,
    "resolution": None,
    "comment": None,
    "dimension_scores": {"compliance": 40, "courtesy": 100, "script": 100, "disclosure": 100},
}


class ArmOut(BaseModel):
    """An arm of the policy: an action (and its channel) in a time window."""

    arm: str = _enum(ARM_KEYS, "action@window")
    action: str = _enum(ACTIONS, "the action")
    channel: str = _enum(CHANNELS, "the medium the action reaches the debtor through")
    window: str = _enum(WINDOWS, "the time window (Asia/Shanghai)")


class PlanOut(BaseModel):
    """A case's plan: the next best action the active policy chose, with its reasons and logged propensity."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PLAN]})

    plan_id: str
    case_id: str
    round_no: int
    next_best_action: ArmOut
    propensity: float = Field(description="the policy's probability of the next best action (logged with it)")
    expected_net_cents: dict[str, int] = Field(description="expected recovery net of the action's cost, per arm")
    pmf: dict[str, float] = Field(description="the policy's probability of every arm (exploration included)")
    reasons: list[str]
    policy_id: str
    planned_at: str
    status: str = _enum(PLAN_STATUSES, "open until acted on; superseded by a newer plan of the case")


class CasesOut(BaseModel):
    """One page of plans by case id; ``next_after`` pages on."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"cases": [EXAMPLE_PLAN], "limit": 50,
                                                               "next_after": None}]})  # fmt: skip

    cases: list[PlanOut]
    limit: int
    next_after: str | None = Field(description="pass as ?after= for the next page; null on the last page")


class RecordedActionOut(BaseModel):
    """An action taken on a case's plan, the propensity logged with it, and its outcome."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ACTION]})

    action_id: str
    case_id: str
    plan_id: str
    arm: str = _enum(ARM_KEYS, "the arm taken")
    action: str = _enum(ACTIONS, "the action taken")
    channel: str = _enum(CHANNELS, "its channel")
    window: str = _enum(WINDOWS, "its time window")
    propensity: float = Field(description="the plan's probability of the arm taken (0 when the policy never takes it)")
    followed_plan: bool
    policy_id: str
    acted_at: str
    recorded_by: str
    agent_id: str | None
    promise_to_pay: bool
    amount_paid_cents: int
    cured: bool
    days_to_cure: int | None
    complaint: bool


class CaseOut(BaseModel):
    """A case: its open plan (null once acted on) and the actions recorded on it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"case_id": "L-20260501-0042", "plan": None,
                                                               "actions": [EXAMPLE_ACTION]}]})  # fmt: skip

    case_id: str
    plan: PlanOut | None
    actions: list[RecordedActionOut]


class RecordIn(BaseModel):
    """What a collector did on the case's open plan and what it brought."""

    model_config = ConfigDict(
        **Strict,
        json_schema_extra={"examples": [{"arm": "agent_call@evening", "agent_id": "A-017", "promise_to_pay": True,
                                         "amount_paid_cents": 250_000, "cured": False, "complaint": False}]},
    )  # fmt: skip

    arm: ArmKey | None = Field(default=None, description="the arm taken (action@window); null or absent: the plan's")
    agent_id: Annotated[Line, Field(min_length=1, max_length=40)] | None = None
    promise_to_pay: bool = False
    amount_paid_cents: int = Field(default=0, ge=0, le=MAX_PAID_CENTS, description="integer cents paid")
    cured: bool = False
    days_to_cure: int | None = Field(default=None, ge=0, le=MAX_CURE_DAYS, description="required when cured")
    complaint: bool = False

    def outcome(self) -> dict[str, Any]:
        """The body as the use case reads it (an absent arm is the plan's)."""
        body = self.model_dump()
        if body["arm"] is None:
            del body["arm"]
        return body


class TurnIn(BaseModel):
    """One turn of a call."""

    model_config = ConfigDict(**Strict)

    turn_no: int = Field(ge=0, le=100_000)
    speaker: Speaker
    text: Annotated[Text, Field(max_length=MAX_TURN_CHARS)]


class TranscriptIn(BaseModel):
    """A collection call's transcript, to check."""

    model_config = ConfigDict(
        **Strict,
        json_schema_extra={"examples": [{"call_id": "call-20260701-0007", "started_at": "2026-07-01T19:05:00+08:00",
                                         "turns": [{"turn_no": 1, "speaker": "agent",
                                                    "text": "您好，我是某银行委托的催收专员，本次通话将被录音。"},
                                                   {"turn_no": 2, "speaker": "debtor", "text": "嗯，什么事？"}]}]},
    )  # fmt: skip

    call_id: str = Field(pattern=ID_PATTERN)
    started_at: Annotated[AwareDatetime, BeforeValidator(_iso_text)] = Field(
        description="when the call started: ISO 8601 with its offset (permitted hours are local time)"
    )
    turns: list[TurnIn] = Field(min_length=1, max_length=MAX_TURNS)


class FindingOut(BaseModel):
    """A quality issue in a call: its rule or model, the offending utterance (scrubbed) and its turn."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_FINDING]})

    call_id: str
    issue_type: str = _enum(ISSUE_TYPES, "the issue")
    source: str = Field(description="rule:<id> or model:<name>@<version>")
    turn_no: int | None = Field(description="null: a finding about the whole call (its hours, a missing statement)")
    utterance: str
    score: float
    dimension: str = _enum(DIMENSIONS, "the quality dimension the issue scores")


class QaCaseOut(BaseModel):
    """A call with an issue at the threshold, for the collection lead to confirm or dismiss."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_QA_CASE]})

    qa_case_id: str
    call_id: str
    opened_at: str
    issue_types: list[str]
    max_score: float
    status: Literal["open", "closed"]
    closed_by: str | None
    resolution: str | None = Field(description="confirmed or dismissed, once closed")
    comment: str | None
    dimension_scores: dict[str, int]


class CallCheckOut(BaseModel):
    """A call's check: its findings, scores per dimension, and its open QA case if any."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"call_id": "call-20260701-0007",
                                                               "checker": "transcript-qa@2",
                                                               "dimension_scores": EXAMPLE_QA_CASE["dimension_scores"],
                                                               "findings": [EXAMPLE_FINDING],
                                                               "qa_case": EXAMPLE_QA_CASE}]})  # fmt: skip

    call_id: str
    checker: str
    dimension_scores: dict[str, int]
    findings: list[FindingOut]
    qa_case: QaCaseOut | None


class FindingsOut(BaseModel):
    """The findings of a call's latest check, in turn order (whole-call findings first)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"call_id": "call-20260701-0007", "findings": [EXAMPLE_FINDING]}]}
    )

    call_id: str
    findings: list[FindingOut]


class QaCasesOut(BaseModel):
    """QA cases, highest score first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"qa_cases": [EXAMPLE_QA_CASE], "limit": 50}]})

    qa_cases: list[QaCaseOut]
    limit: int


class CloseIn(BaseModel):
    """The lead's resolution of a QA case."""

    model_config = ConfigDict(
        **Strict,
        json_schema_extra={"examples": [{"resolution": "confirmed", "comment": "agent coached on 2026-07-02"}]},
    )

    resolution: Resolution = Field(description="confirmed: the issue was real; dismissed: a false alarm")
    comment: Annotated[Text, Field(min_length=1, max_length=1000)] | None = None
