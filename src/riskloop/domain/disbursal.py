"""What riskloop says to the bank's core system to pay out a drawdown, and what the core answers.

The instruction id is the drawdown's id: the core pays at most once per id (a real core's unique request serial,
流水号), so re-sending an instruction after a lost answer can never pay twice. An answer is a value, never an
exception: a core that does not answer in time is ``UNANSWERED`` (the money may or may not have moved, so the
drawdown waits for a confirmation or an operator), one that never received the id is ``UNKNOWN``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from riskloop.domain import _checks as check
from riskloop.errors import ValidationError


class CoreStatus(StrEnum):
    """The core's answer about one instruction."""

    CONFIRMED = "confirmed"  # paid: the loan is booked on this answer only
    REJECTED = "rejected"  # refused (account closed, frozen, over the day's limit): nothing paid
    PENDING = "pending"  # received, not settled yet: ask again or wait for the callback
    UNKNOWN = "unknown"  # the core has no instruction of this id (never received)
    UNANSWERED = "unanswered"  # no answer in time, or the core could not be reached: nothing is known


SETTLED = frozenset({CoreStatus.CONFIRMED, CoreStatus.REJECTED})


@dataclass(frozen=True)
class Instruction:
    """Pay ``amount_cents`` into the borrower's settlement account, once per ``instruction_id``."""

    instruction_id: str  # the drawdown id
    loan_id: str
    credit_code: str
    account: str  # the settlement account number the application gave (sent to the core only, never stored raw)
    amount_cents: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        check.text("instruction_id", self.instruction_id, 40)
        check.text("loan_id", self.loan_id, 40)
        check.text("credit_code", self.credit_code, 18)
        check.text("account", self.account, 40)
        check.integer("amount_cents", self.amount_cents, 1)

    def to_dict(self) -> dict[str, Any]:
        """The instruction as sent (JSON-ready)."""
        return {
            "instruction_id": self.instruction_id,
            "loan_id": self.loan_id,
            "credit_code": self.credit_code,
            "account": self.account,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class CoreAnswer:
    """The core's answer: a status, its transaction reference when paid, its reason when refused."""

    instruction_id: str
    status: CoreStatus
    core_ref: str | None = None
    reason: str | None = None
    at: dt.datetime | None = None  # when the core settled it (its clock), if it says

    def __post_init__(self) -> None:
        check.text("instruction_id", self.instruction_id, 40)
        check.instance("status", self.status, CoreStatus)
        if self.status is CoreStatus.CONFIRMED:
            check.text("core_ref", self.core_ref, 64)
        if self.reason is not None:
            object.__setattr__(self, "reason", self.reason[:200])

    @property
    def settled(self) -> bool:
        """Whether the answer is final (confirmed or rejected)."""
        return self.status in SETTLED

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "instruction_id": self.instruction_id,
            "status": self.status.value,
            "core_ref": self.core_ref,
            "reason": self.reason,
            "at": None if self.at is None else self.at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoreAnswer:
        """The answer ``to_dict`` wrote (or a core's callback body); ValidationError naming the bad field."""
        if not isinstance(data, dict):
            raise ValidationError("body", "must be a JSON object")
        status = data.get("status")
        try:
            parsed = CoreStatus(str(status))
        except ValueError:
            valid = ", ".join(s.value for s in CoreStatus)
            raise ValidationError("status", f"{status!r} is not one of {valid}") from None
        at = data.get("at")
        when = None if at is None else check.utc_timestamp("at", _time(at))
        return cls(str(data.get("instruction_id", "")), parsed, data.get("core_ref"), data.get("reason"), when)


def _time(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError("at", f"{value!r} is not an ISO 8601 time") from None
    return value
