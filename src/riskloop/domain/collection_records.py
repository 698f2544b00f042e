"""Collection's records: overdue cases, contact rounds (actions), recorded calls, transcript turns, QA reviews.

One frozen dataclass per contract table (``collection_cases``, ``collection_actions``, ``collection_calls``,
``call_turns``, ``call_reviews``); each checks what the contract checks and nothing it cannot see in one row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain import _checks as check
from riskloop.domain.collection import ACTIONS, CHANNELS, ISSUE_TYPES, SPEAKERS, WINDOWS
from riskloop.domain.identity import CreditCode
from riskloop.domain.money import Money
from riskloop.errors import ValidationError

REVIEW_ISSUES = (*ISSUE_TYPES, "none")
_MAX_DAYS = 3650


@dataclass(frozen=True, slots=True)
class CollectionCase:
    """An overdue instalment opened for collection; one row of ``collection_cases``."""

    case_id: str
    loan_id: str
    credit_code: CreditCode
    opened_date: dt.date
    overdue_amount: Money
    outstanding: Money
    dpd_at_open: int

    def __post_init__(self) -> None:
        check.text("case_id", self.case_id, 40)
        check.text("loan_id", self.loan_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("opened_date", self.opened_date)
        check.money("overdue_amount", self.overdue_amount)
        check.money("outstanding", self.outstanding)
        check.integer("dpd_at_open", self.dpd_at_open, 0, _MAX_DAYS)


@dataclass(frozen=True, slots=True)
class CollectionAction:
    """One contact round of a case: the arm chosen, by which policy with what propensity, and the outcome."""

    action_id: str
    case_id: str
    round_no: int
    acted_at: dt.datetime
    dpd_at_action: int
    remaining_overdue: Money
    action: str
    channel: str
    time_window: str
    agent_id: str | None
    policy: str
    propensity: float
    cost: Money
    promise_to_pay: bool
    amount_paid: Money
    days_to_cure: int | None
    cured: bool
    complaint: bool

    def __post_init__(self) -> None:
        check.text("action_id", self.action_id, 40)
        check.text("case_id", self.case_id, 40)
        check.integer("round_no", self.round_no, 1, 100)
        object.__setattr__(self, "acted_at", check.utc_timestamp("acted_at", self.acted_at))
        check.integer("dpd_at_action", self.dpd_at_action, 0, _MAX_DAYS)
        check.money("remaining_overdue", self.remaining_overdue)
        check.choice("action", self.action, ACTIONS)
        check.choice("channel", self.channel, CHANNELS)
        check.choice("time_window", self.time_window, WINDOWS)
        check.optional_text("agent_id", self.agent_id, 20)
        check.text("policy", self.policy, 60)
        if check.unit_interval("propensity", self.propensity) == 0.0:
            raise ValidationError("propensity", "must be above 0: the chosen arm had some probability")
        check.money("cost", self.cost)
        check.boolean("promise_to_pay", self.promise_to_pay)
        check.money("amount_paid", self.amount_paid)
        if self.days_to_cure is not None:
            check.integer("days_to_cure", self.days_to_cure, 0, _MAX_DAYS)
        check.boolean("cured", self.cured)
        check.boolean("complaint", self.complaint)


@dataclass(frozen=True, slots=True)
class CollectionCall:
    """A recorded collection phone call; one row of ``collection_calls``."""

    call_id: str
    action_id: str
    case_id: str
    agent_id: str
    started_at: dt.datetime
    duration_seconds: int

    def __post_init__(self) -> None:
        check.text("call_id", self.call_id, 40)
        check.text("action_id", self.action_id, 40)
        check.text("case_id", self.case_id, 40)
        check.text("agent_id", self.agent_id, 20)
        object.__setattr__(self, "started_at", check.utc_timestamp("started_at", self.started_at))
        check.integer("duration_seconds", self.duration_seconds, 0, 86_400)


@dataclass(frozen=True, slots=True)
class CallTurn:
    """One turn of a call's transcript; one row of ``call_turns``."""

    call_id: str
    turn_no: int
    speaker: str
    text: str

    def __post_init__(self) -> None:
        check.text("call_id", self.call_id, 40)
        check.integer("turn_no", self.turn_no, 1, 1000)
        check.choice("speaker", self.speaker, SPEAKERS)
        check.text("text", self.text, 300)


@dataclass(frozen=True, slots=True)
class CallReview:
    """A QA reviewer's finding on a call (an issue and its turn, or ``none``); one row of ``call_reviews``."""

    review_id: str
    call_id: str
    reviewed_at: dt.datetime
    issue_type: str
    turn_no: int | None

    def __post_init__(self) -> None:
        check.text("review_id", self.review_id, 40)
        check.text("call_id", self.call_id, 40)
        object.__setattr__(self, "reviewed_at", check.utc_timestamp("reviewed_at", self.reviewed_at))
        check.choice("issue_type", self.issue_type, REVIEW_ISSUES)
        if self.turn_no is not None:
            check.integer("turn_no", self.turn_no, 1)
