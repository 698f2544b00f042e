"""Registration (工商) entities: enterprise, person, shareholding, officer, registration change."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from riskloop.domain import _checks as check
from riskloop.domain.identity import Address, CreditCode, Phone, ResidentId
from riskloop.domain.money import Money, Rate
from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.errors import ValidationError

EnterpriseKind = Literal["company", "individual_business"]
EnterpriseStatus = Literal["active", "abnormal", "revoked"]
HolderKind = Literal["person", "enterprise"]
OfficerRole = Literal["legal_rep", "director", "supervisor", "manager", "finance"]
ChangeType = Literal["legal_rep", "address", "capital", "name", "scope", "shareholder"]

ENTERPRISE_KINDS = ("company", "individual_business")
ENTERPRISE_STATUSES = ("active", "abnormal", "revoked")
HOLDER_KINDS = ("person", "enterprise")
OFFICER_ROLES = ("legal_rep", "director", "supervisor", "manager", "finance")
CHANGE_TYPES = ("legal_rep", "address", "capital", "name", "scope", "shareholder")
_REGION_RE = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class Enterprise:
    """An enterprise or individual business, keyed on its credit code; one row of ``enterprises``."""

    credit_code: CreditCode
    name: str
    kind: EnterpriseKind
    industry_section: str
    established_date: dt.date
    registered_capital: Money
    region_code: str
    address: Address
    phone: Phone
    legal_rep_id: ResidentId
    status: EnterpriseStatus
    valid_from: dt.date | None = None  # the day this version took effect (ADR 0020); empty: the ingest's day

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.text("name", self.name, 200)
        check.choice("kind", self.kind, ENTERPRISE_KINDS)
        check.choice("industry_section", self.industry_section, INDUSTRY_SECTIONS)
        check.date("established_date", self.established_date)
        check.money("registered_capital", self.registered_capital)
        if not isinstance(self.region_code, str) or not _REGION_RE.match(self.region_code):
            raise ValidationError("region_code", f"must be a 6-digit division code, got {self.region_code!r}")
        check.instance("address", self.address, Address)
        check.instance("phone", self.phone, Phone)
        check.instance("legal_rep_id", self.legal_rep_id, ResidentId)
        check.choice("status", self.status, ENTERPRISE_STATUSES)
        if self.valid_from is not None:
            check.date("valid_from", self.valid_from)

    def age_years(self, on: dt.date) -> float:
        """Years since establishment on ``on`` (negative before it)."""
        return (on - self.established_date).days / 365.25


@dataclass(frozen=True, slots=True)
class Person:
    """A natural person (legal representative, shareholder, officer, applicant); one row of ``persons``."""

    person_id: ResidentId
    name: str
    phone: Phone | None = None

    def __post_init__(self) -> None:
        check.instance("person_id", self.person_id, ResidentId)
        check.text("name", self.name, 50)
        check.optional_instance("phone", self.phone, Phone)


@dataclass(frozen=True, slots=True)
class Shareholding:
    """A stake held by a person or an enterprise in an enterprise; one row of ``shareholders``."""

    credit_code: CreditCode
    holder_kind: HolderKind
    holder_id: ResidentId | CreditCode
    stake: Rate
    since_date: dt.date

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.choice("holder_kind", self.holder_kind, HOLDER_KINDS)
        expected = ResidentId if self.holder_kind == "person" else CreditCode
        check.instance("holder_id", self.holder_id, expected)
        if self.holder_id == self.credit_code:
            raise ValidationError("holder_id", "an enterprise cannot hold a stake in itself")
        check.instance("stake", self.stake, Rate)
        if self.stake.bp < 1:
            raise ValidationError("stake", "must be at least 1 basis point")
        check.date("since_date", self.since_date)


@dataclass(frozen=True, slots=True)
class Officer:
    """A person holding an office in an enterprise; one row of ``officers``."""

    credit_code: CreditCode
    person_id: ResidentId
    role: OfficerRole
    since_date: dt.date

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.instance("person_id", self.person_id, ResidentId)
        check.choice("role", self.role, OFFICER_ROLES)
        check.date("since_date", self.since_date)


@dataclass(frozen=True, slots=True)
class RegistrationChange:
    """A registered change (legal representative, address, capital ...); one row of ``registration_changes``."""

    change_id: str
    credit_code: CreditCode
    change_date: dt.date
    change_type: ChangeType
    before_value: str | None
    after_value: str | None

    def __post_init__(self) -> None:
        check.text("change_id", self.change_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("change_date", self.change_date)
        check.choice("change_type", self.change_type, CHANGE_TYPES)
        check.optional_text("before_value", self.before_value, 300)
        check.optional_text("after_value", self.after_value, 300)
