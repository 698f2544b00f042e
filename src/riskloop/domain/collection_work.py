"""The collection team's work (issue 16): plans, recorded actions and outcomes, call findings, QA cases.

A plan is a case's next best action; a recorded action carries its outcome and logged propensity; a call's
quality check gives findings, and a finding at the threshold opens a QA case for the team lead.

Rules only (stdlib): what a valid outcome is, which propensity a recorded action logs, when a check opens a QA
case, and how a lead closes one. Use cases (``service/collections.py``) apply them and store the results.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from riskloop.domain.collection import ARM_KEYS, DIMENSION_OF, POLICY_KIND, parse_arm
from riskloop.errors import ConflictError, ValidationError

OPEN, ACTED, SUPERSEDED = "open", "acted", "superseded"  # a plan's status
PLAN_STATUSES = (OPEN, ACTED, SUPERSEDED)
QA_OPEN, QA_CLOSED = "open", "closed"
CONFIRMED, DISMISSED = "confirmed", "dismissed"  # how a lead closes a QA case
RESOLUTIONS = (CONFIRMED, DISMISSED)
MAX_PAID_CENTS = 10**13  # 100 billion yuan: anything above is a typo, not a repayment
MAX_CURE_DAYS = 365
CASE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")


def check_case_id(value: str, field_name: str = "case_id") -> str:
    """``value`` if it is a case (or call) id: 1-60 letters, digits or ``_ . : -``; else a ValidationError."""
    if not isinstance(value, str) or not CASE_ID.match(value):
        raise ValidationError(field_name, "1-60 letters, digits or _ . : -")
    return value


@dataclass(frozen=True)
class Plan:
    """The next best action the active policy chose for a case's next contact round, with what it logged."""

    plan_id: str
    case_id: str
    round_no: int
    arm: str  # ``action@window``
    propensity: float  # the probability the policy gave ``arm``: logged with the action taken
    pmf: Mapping[str, float]  # the policy's probability of every arm (exploration included)
    expected_net_cents: Mapping[str, int]  # the policy's expected recovery net of cost per arm
    reasons: tuple[str, ...]
    policy_id: str
    planned_at: dt.datetime
    status: str = OPEN
    row_version: int = 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the CLI and the API."""
        arm = parse_arm(self.arm)
        return {
            "plan_id": self.plan_id,
            "case_id": self.case_id,
            "round_no": self.round_no,
            "next_best_action": {"arm": self.arm, "action": arm.action, "channel": arm.channel, "window": arm.window},
            "propensity": self.propensity,
            "expected_net_cents": dict(self.expected_net_cents),
            "pmf": dict(self.pmf),
            "reasons": list(self.reasons),
            "policy_id": self.policy_id,
            "planned_at": self.planned_at.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True)
class Outcome:
    """What a contact round brought: a promise, an amount paid (integer cents), a cure, a complaint."""

    promise_to_pay: bool
    amount_paid_cents: int
    cured: bool
    days_to_cure: int | None
    complaint: bool


def check_outcome(body: Mapping[str, Any]) -> Outcome:
    """An Outcome from a request body or CLI options; a ValidationError names the first bad field."""
    flags = {}
    for name in ("promise_to_pay", "cured", "complaint"):
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise ValidationError(name, "must be true or false")
        flags[name] = value
    paid = body.get("amount_paid_cents", 0)
    if isinstance(paid, bool) or not isinstance(paid, int) or not 0 <= paid <= MAX_PAID_CENTS:
        raise ValidationError("amount_paid_cents", f"an integer number of cents from 0 to {MAX_PAID_CENTS}")
    days = body.get("days_to_cure")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_CURE_DAYS):
        raise ValidationError("days_to_cure", f"an integer number of days from 0 to {MAX_CURE_DAYS}, or null")
    if days is not None and not flags["cured"]:
        raise ValidationError("days_to_cure", "only a cured case has days to cure (set cured, or leave it out)")
    if flags["cured"] and days is None:
        raise ValidationError("days_to_cure", "a cured case needs its days to cure")
    return Outcome(flags["promise_to_pay"], paid, flags["cured"], days, flags["complaint"])


@dataclass(frozen=True)
class RecordedAction:
    """An action a collector took on a case, the propensity logged with it, and its outcome."""

    action_id: str
    case_id: str
    plan_id: str
    arm: str
    propensity: float  # the plan's probability of ``arm`` (the chosen arm's, or a deviation's)
    followed_plan: bool  # False: the collector chose another arm (kept, but not learnt from as the policy's)
    policy_id: str
    acted_at: dt.datetime
    recorded_by: str
    agent_id: str | None
    outcome: Outcome

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the CLI and the API."""
        arm = parse_arm(self.arm)
        return {
            "action_id": self.action_id,
            "case_id": self.case_id,
            "plan_id": self.plan_id,
            "arm": self.arm,
            "action": arm.action,
            "channel": arm.channel,
            "window": arm.window,
            "propensity": self.propensity,
            "followed_plan": self.followed_plan,
            "policy_id": self.policy_id,
            "acted_at": self.acted_at.isoformat(),
            "recorded_by": self.recorded_by,
            "agent_id": self.agent_id,
            **vars(self.outcome),
        }


def recorded(plan: Plan, arm: str, *, action_id: str, at: dt.datetime, by: str, agent_id: str | None,
             outcome: Outcome) -> tuple[Plan, RecordedAction]:  # fmt: skip
    """The plan marked acted and the action recorded against it; a plan no longer open is a ConflictError.

    The logged propensity is the plan's probability of the arm taken: the chosen arm's when the collector
    followed the plan, else the deviation's (its own probability under the policy, possibly 0).
    """
    if plan.status != OPEN:
        raise ConflictError("plan", f"plan {plan.plan_id} of case {plan.case_id} is {plan.status}; plan the case again")
    if arm not in ARM_KEYS:
        parse_arm(arm)  # raises, naming the valid arms
    action = RecordedAction(
        action_id, plan.case_id, plan.plan_id, arm, float(plan.pmf.get(arm, 0.0)), arm == plan.arm,
        plan.policy_id, at, by, agent_id, outcome,
    )  # fmt: skip
    return replace(plan, status=ACTED, row_version=plan.row_version + 1), action


@dataclass(frozen=True)
class Finding:
    """One quality issue found in a call: its type and dimension, the rule or model, the utterance and its turn."""

    call_id: str
    issue_type: str
    source: str  # ``rule:<id>`` or ``model:<name>@<version>``
    turn_no: int | None  # None: a finding about the whole call (its hours, a missing statement)
    utterance: str  # the offending utterance, scrubbed of identifiers
    score: float  # 0..1

    @property
    def dimension(self) -> str:
        """The quality dimension the issue scores."""
        return DIMENSION_OF[self.issue_type]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**vars(self), "dimension": self.dimension}


@dataclass(frozen=True)
class QaCase:
    """A call whose check found an issue at or above the threshold: the team lead's to confirm or dismiss."""

    qa_case_id: str
    call_id: str
    opened_at: dt.datetime
    issue_types: tuple[str, ...]
    max_score: float
    status: str = QA_OPEN
    closed_by: str | None = None
    resolution: str | None = None
    comment: str | None = None
    row_version: int = 1
    dimension_scores: Mapping[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = {**vars(self), "opened_at": self.opened_at.isoformat()}
        out["issue_types"], out["dimension_scores"] = list(self.issue_types), dict(self.dimension_scores)
        out.pop("row_version")
        return out


def opens_case(findings: tuple[Finding, ...], threshold: float) -> bool:
    """Whether a call's findings open a QA case: any finding scored at or above ``threshold``."""
    return any(f.score >= threshold for f in findings)


def closed_case(case: QaCase, *, by: str, resolution: str, comment: str | None) -> QaCase:
    """The case closed by ``by``; a closed case or an unknown resolution is refused."""
    if resolution not in RESOLUTIONS:
        raise ValidationError("resolution", f"one of {', '.join(RESOLUTIONS)}")
    if comment is not None and len(comment) > 1000:
        raise ValidationError("comment", "at most 1000 characters")
    if case.status != QA_OPEN:
        raise ConflictError("status", f"QA case {case.qa_case_id} is already closed ({case.resolution})")
    return replace(
        case, status=QA_CLOSED, closed_by=by, resolution=resolution, comment=comment, row_version=case.row_version + 1
    )


def check_release(model_id: str, kind: str, metrics: Mapping[str, Any]) -> None:
    """A collection policy goes live only with an off-policy estimate that does not show it worse than the logged.

    Other kinds pass. The estimate is the doubly robust one of its training run on held-out logged rounds
    (``service/collection_policy.py``). Refused: no estimate, or a 95 % interval wholly below the logged policy's
    value. Between the two the estimate cannot tell (a few thousand rounds of sparse exploration): the approver
    decides with the figures before them. A ValidationError naming ``ope`` says why a candidate stays out.
    """
    if kind != POLICY_KIND:
        return
    ope = metrics.get("ope")
    dr = ope.get("dr") if isinstance(ope, Mapping) else None
    if not isinstance(ope, Mapping) or not isinstance(dr, Mapping):
        raise ValidationError("ope", f"{model_id} has no off-policy estimate (run: riskloop collections train)")
    high, logged = float(dr["high"]), float(ope["logged_net_per_round_cents"])
    if high < logged:
        raise ValidationError(
            "ope",
            f"{model_id}: even the top of its doubly robust 95 % interval ({high / 100:,.2f} yuan net per round) is "
            f"below the logged policy's value ({logged / 100:,.2f}); it does not go live",
        )
