"""Risk-dimension (风险) records: litigation, court enforcement, dishonest-debtor list, administrative penalties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from riskloop.domain import _checks as check
from riskloop.domain.identity import CreditCode, ResidentId
from riskloop.domain.money import Money

PartyRole = Literal["plaintiff", "defendant"]
Authority = Literal["tax", "market", "environment", "safety"]
PARTY_ROLES = ("plaintiff", "defendant")
AUTHORITIES = ("tax", "market", "environment", "safety")


@dataclass(frozen=True, slots=True)
class Litigation:
    """A court case an enterprise is party to; one row of ``litigations``."""

    case_no: str
    credit_code: CreditCode
    role: PartyRole
    filed_date: dt.date
    cause: str
    amount: Money

    def __post_init__(self) -> None:
        check.text("case_no", self.case_no, 60)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.choice("role", self.role, PARTY_ROLES)
        check.date("filed_date", self.filed_date)
        check.text("cause", self.cause, 100)
        check.money("amount", self.amount)


@dataclass(frozen=True, slots=True)
class Enforcement:
    """A court enforcement (被执行) record, open until ``closed_date``; one row of ``enforcements``."""

    case_no: str
    credit_code: CreditCode
    filed_date: dt.date
    amount: Money
    closed_date: dt.date | None = None

    def __post_init__(self) -> None:
        check.text("case_no", self.case_no, 60)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("filed_date", self.filed_date)
        check.money("amount", self.amount)
        check.optional_date("closed_date", self.closed_date)
        check.not_before("closed_date", self.closed_date, self.filed_date, "filed_date")

    def open_on(self, day: dt.date) -> bool:
        """True when the enforcement was filed and not yet closed on ``day``."""
        return self.filed_date <= day and (self.closed_date is None or day < self.closed_date)


@dataclass(frozen=True, slots=True)
class DishonestEntry:
    """A dishonest-debtor (失信被执行人) listing, active until ``removed_date``; one row of ``dishonest_list``."""

    case_no: str
    credit_code: CreditCode
    listed_date: dt.date
    removed_date: dt.date | None = None

    def __post_init__(self) -> None:
        check.text("case_no", self.case_no, 60)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("listed_date", self.listed_date)
        check.optional_date("removed_date", self.removed_date)
        check.not_before("removed_date", self.removed_date, self.listed_date, "listed_date")

    def listed_on(self, day: dt.date) -> bool:
        """True when the enterprise was on the list on ``day``."""
        return self.listed_date <= day and (self.removed_date is None or day < self.removed_date)


@dataclass(frozen=True, slots=True)
class AdminPenalty:
    """An administrative penalty decision; one row of ``admin_penalties``."""

    penalty_id: str
    credit_code: CreditCode
    penalty_date: dt.date
    authority: Authority
    amount: Money

    def __post_init__(self) -> None:
        check.text("penalty_id", self.penalty_id, 60)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("penalty_date", self.penalty_date)
        check.choice("authority", self.authority, AUTHORITIES)
        check.money("amount", self.amount)


ABNORMAL_REASONS = ("no_annual_report", "unreachable_address", "false_information", "no_disclosure")


@dataclass(frozen=True, slots=True)
class AbnormalOperation:
    """An abnormal-operation (经营异常名录) listing, until ``removed_date``; one row of ``abnormal_operations``."""

    record_id: str
    credit_code: CreditCode
    listed_date: dt.date
    reason: str
    removed_date: dt.date | None = None

    def __post_init__(self) -> None:
        check.text("record_id", self.record_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("listed_date", self.listed_date)
        check.choice("reason", self.reason, ABNORMAL_REASONS)
        check.optional_date("removed_date", self.removed_date)
        check.not_before("removed_date", self.removed_date, self.listed_date, "listed_date")


@dataclass(frozen=True, slots=True)
class EquityFreeze:
    """A court freeze (股权冻结) of equity held in an enterprise; one row of ``equity_freezes``."""

    freeze_id: str
    credit_code: CreditCode
    holder_kind: str
    holder_code: CreditCode | None
    holder_person_id: ResidentId | None
    frozen_amount: Money
    freeze_date: dt.date
    freeze_end_date: dt.date
    released_date: dt.date | None = None

    def __post_init__(self) -> None:
        check.text("freeze_id", self.freeze_id, 60)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.choice("holder_kind", self.holder_kind, ("person", "enterprise"))
        check.optional_instance("holder_code", self.holder_code, CreditCode)
        check.optional_instance("holder_person_id", self.holder_person_id, ResidentId)
        check.money("frozen_amount", self.frozen_amount)
        check.date("freeze_date", self.freeze_date)
        check.date("freeze_end_date", self.freeze_end_date)
        check.optional_date("released_date", self.released_date)
        check.not_before("released_date", self.released_date, self.freeze_date, "freeze_date")
