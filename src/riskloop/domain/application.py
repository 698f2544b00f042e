"""Applications and what comes with them: identity verification, bureau score, login events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from riskloop.domain import _checks as check
from riskloop.domain.identity import Address, BankAccount, CreditCode, DeviceId, Email, IpAddress, Phone, ResidentId
from riskloop.domain.lending import MAX_TERM_MONTHS
from riskloop.domain.money import Money
from riskloop.errors import ValidationError

Channel = Literal["web", "mobile", "mini_program", "branch"]
LoginEventType = Literal["register", "login", "otp", "apply"]
CHANNELS = ("web", "mobile", "mini_program", "branch")
LOGIN_EVENT_TYPES = ("register", "login", "otp", "apply")
BUREAU_SCORE_MIN, BUREAU_SCORE_MAX = 300, 950


@dataclass(frozen=True, slots=True)
class IdentityVerification:
    """Results of the identity checks taken at application time.

    Examples
    --------
    >>> IdentityVerification(sms_verified=True, face_match_score=0.93).passed(min_face_match=0.8)
    True

    """

    sms_verified: bool
    face_match_score: float
    device_fingerprint_ok: bool = True
    phone_owner_match: bool = True

    def __post_init__(self) -> None:
        check.boolean("sms_verified", self.sms_verified)
        object.__setattr__(self, "face_match_score", check.unit_interval("face_match_score", self.face_match_score))
        check.boolean("device_fingerprint_ok", self.device_fingerprint_ok)
        check.boolean("phone_owner_match", self.phone_owner_match)

    def passed(self, min_face_match: float) -> bool:
        """True when every check passed and the face match reaches ``min_face_match``."""
        return (
            self.sms_verified
            and self.device_fingerprint_ok
            and self.phone_owner_match
            and self.face_match_score >= min_face_match
        )


@dataclass(frozen=True, slots=True)
class Application:
    """A loan application with its contacts, device, IP and identity verification; one row of ``applications``."""

    application_id: str
    credit_code: CreditCode
    applicant_id: ResidentId
    product_code: str
    applied_at: dt.datetime
    requested_amount: Money
    term_months: int
    channel: Channel
    phone: Phone
    address: Address
    device_id: DeviceId
    ip: IpAddress
    email: Email | None
    bank_account: BankAccount
    verification: IdentityVerification

    def __post_init__(self) -> None:
        check.text("application_id", self.application_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.instance("applicant_id", self.applicant_id, ResidentId)
        check.text("product_code", self.product_code, 30)
        object.__setattr__(self, "applied_at", check.utc_timestamp("applied_at", self.applied_at))
        check.money("requested_amount", self.requested_amount)
        if self.requested_amount.cents == 0:
            raise ValidationError("requested_amount", "must be positive")
        check.integer("term_months", self.term_months, 1, MAX_TERM_MONTHS)
        check.choice("channel", self.channel, CHANNELS)
        check.instance("phone", self.phone, Phone)
        check.instance("address", self.address, Address)
        check.instance("device_id", self.device_id, DeviceId)
        check.instance("ip", self.ip, IpAddress)
        check.optional_instance("email", self.email, Email)
        check.instance("bank_account", self.bank_account, BankAccount)
        check.instance("verification", self.verification, IdentityVerification)


@dataclass(frozen=True, slots=True)
class BureauScore:
    """The external bureau (征信) score retrieved for an application; one row of ``bureau_scores``."""

    application_id: str
    score: int
    queried_at: dt.datetime

    def __post_init__(self) -> None:
        check.text("application_id", self.application_id, 40)
        check.integer("score", self.score, BUREAU_SCORE_MIN, BUREAU_SCORE_MAX)
        object.__setattr__(self, "queried_at", check.utc_timestamp("queried_at", self.queried_at))


@dataclass(frozen=True, slots=True)
class LoginEvent:
    """A registration, login, one-time-code or apply step; one row of ``login_events``."""

    event_id: str
    person_id: ResidentId
    ts: dt.datetime
    event_type: LoginEventType
    device_id: DeviceId
    ip: IpAddress
    phone: Phone
    success: bool

    def __post_init__(self) -> None:
        check.text("event_id", self.event_id, 40)
        check.instance("person_id", self.person_id, ResidentId)
        object.__setattr__(self, "ts", check.utc_timestamp("ts", self.ts))
        check.choice("event_type", self.event_type, LOGIN_EVENT_TYPES)
        check.instance("device_id", self.device_id, DeviceId)
        check.instance("ip", self.ip, IpAddress)
        check.instance("phone", self.phone, Phone)
        check.boolean("success", self.success)
