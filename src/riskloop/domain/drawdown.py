"""Drawdowns: one request to pay part of an accepted offer, re-checked, instructed once, booked on confirmation.

A drawdown is refused or referred by the pre-disbursal re-check (nothing reserved), or its amount is reserved
on the offer and its instruction sent to the core. The core's answer settles it: confirmed books the loan
(``DISBURSED``), rejected releases the amount (``FAILED``); no answer leaves it ``UNCONFIRMED`` with the amount
still reserved, until a late confirmation or an operator's reconciliation settles it. Nothing moves it on from
``DISBURSED`` or ``FAILED``, so a second confirmation changes nothing and a loan is booked at most once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from riskloop.domain.disbursal import CoreAnswer, CoreStatus
from riskloop.domain.repayment_schedule import Instalment
from riskloop.errors import ConflictError


class DrawdownStatus(StrEnum):
    """A drawdown's state."""

    REFUSED = "refused"  # the re-check refused it: nothing reserved, nothing sent
    REFERRED = "referred"  # the re-check wants a person to look: nothing reserved, nothing sent
    INSTRUCTED = "instructed"  # reserved and sent; no answer recorded yet
    UNCONFIRMED = "unconfirmed"  # sent, the core did not settle it: reserved until confirmed or reconciled
    DISBURSED = "disbursed"  # the core paid it: the loan is booked
    FAILED = "failed"  # the core refused it: the reservation released


OPEN = frozenset({DrawdownStatus.INSTRUCTED, DrawdownStatus.UNCONFIRMED})
FINAL = frozenset({DrawdownStatus.REFUSED, DrawdownStatus.REFERRED, DrawdownStatus.DISBURSED, DrawdownStatus.FAILED})


@dataclass(frozen=True)
class Drawdown:
    """One drawdown (a row of ``drawdowns``)."""

    drawdown_id: str
    offer_id: str
    channel: str
    idempotency_key: str
    request_sha256: str
    amount_cents: int
    term_months: int
    repayment: str
    status: DrawdownStatus
    requested_at: dt.datetime
    updated_at: dt.datetime
    reasons: tuple[str, ...] = ()
    recheck: dict[str, Any] = field(default_factory=dict)  # what the re-check read and the policy's answer
    loan_id: str | None = None
    core_ref: str | None = None
    core_reason: str | None = None
    row_version: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "drawdown_id": self.drawdown_id,
            "offer_id": self.offer_id,
            "amount_cents": self.amount_cents,
            "term_months": self.term_months,
            "repayment": self.repayment,
            "status": self.status.value,
            "reasons": list(self.reasons),
            "requested_at": self.requested_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "loan_id": self.loan_id,
            "core_ref": self.core_ref,
            "core_reason": self.core_reason,
        }


def drawdown_id(channel: str, key: str) -> str:
    """A drawdown's id, from its channel and Idempotency-Key: a retry names the same drawdown (and instruction)."""
    return "drw_" + hashlib.sha256(f"{channel}\x00{key}".encode()).hexdigest()[:24]


def loan_id(drawdown: str) -> str:
    """The id of the loan a drawdown books."""
    return "ln_" + drawdown.removeprefix("drw_")


def answered(drawdown: Drawdown, answer: CoreAnswer, at: dt.datetime) -> Drawdown:
    """The drawdown after the core's ``answer``; unchanged when it is already settled or the answer settles nothing.

    ConflictError when the answer names another instruction.
    """
    if answer.instruction_id != drawdown.drawdown_id:
        raise ConflictError("instruction_id", f"{answer.instruction_id!r} is not drawdown {drawdown.drawdown_id!r}")
    if drawdown.status not in OPEN:
        return drawdown
    version = drawdown.row_version + 1
    if answer.status is CoreStatus.CONFIRMED:
        return replace(drawdown, status=DrawdownStatus.DISBURSED, core_ref=answer.core_ref, core_reason=None,
                       loan_id=loan_id(drawdown.drawdown_id), updated_at=at, row_version=version)  # fmt: skip
    if answer.status is CoreStatus.REJECTED:
        return replace(drawdown, status=DrawdownStatus.FAILED, core_reason=answer.reason or "rejected by the core",
                       updated_at=at, row_version=version)  # fmt: skip
    if drawdown.status is DrawdownStatus.INSTRUCTED:
        why = answer.reason or answer.status.value
        return replace(drawdown, status=DrawdownStatus.UNCONFIRMED, core_reason=why, updated_at=at,
                       row_version=version)  # fmt: skip
    return drawdown


@dataclass(frozen=True)
class BookedLoan:
    """A loan booked on the core's confirmation of a drawdown, with its repayment schedule."""

    loan_id: str
    drawdown_id: str
    offer_id: str
    application_id: str
    credit_code: str
    principal_cents: int
    rate_bp: int
    term_months: int
    repayment: str
    disbursed_at: dt.datetime
    core_ref: str
    schedule: tuple[Instalment, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, the schedule included."""
        return {
            "loan_id": self.loan_id,
            "drawdown_id": self.drawdown_id,
            "offer_id": self.offer_id,
            "application_id": self.application_id,
            "principal_cents": self.principal_cents,
            "rate_bp": self.rate_bp,
            "term_months": self.term_months,
            "repayment": self.repayment,
            "disbursed_at": self.disbursed_at.isoformat(),
            "core_ref": self.core_ref,
            "schedule": [
                {
                    "number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "principal_cents": i.principal_cents,
                    "interest_cents": i.interest_cents,
                    "total_cents": i.total_cents,
                }
                for i in self.schedule
            ],
        }
