"""What a decision is made from: the application as posted, the enterprise profile and the graph signals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from riskloop.domain import _checks as check
from riskloop.domain.applicant import missing_identity
from riskloop.domain.application import BUREAU_SCORE_MAX, BUREAU_SCORE_MIN, CHANNELS
from riskloop.domain.lending import MAX_TERM_MONTHS
from riskloop.errors import ValidationError


@dataclass(frozen=True)
class DecisionRequest:
    """One loan application as the lending channel posts it.

    ``bureau_score`` and ``existing_debt_cents`` come from the credit-bureau report the channel pulled with
    the applicant's consent (``None`` when there is none); the four identity results are the channel's.
    ``address`` (the company's, as written), ``email`` and ``bank_account`` (the settlement account) are
    optional: the graph checks link them as the batch graph links the applications table's (``None``: not
    given, as in requests stored before they existed). ``verification_id`` names a verification session the
    server ran (``service.verification_gate``): its results then replace the four identity claims. ``campaign_id``
    names the marketing campaign the application answers; it decides nothing and is kept for conversion tracking.

    Examples
    --------
    >>> r = DecisionRequest("APP1", "91420100000000001X", "HRT-TAX", 5_000_000, 12, "mobile")
    >>> r.verification_failures
    0

    """

    application_id: str
    credit_code: str
    product_code: str
    amount_cents: int
    term_months: int
    channel: str
    applicant_id: str | None = None
    phone: str | None = None
    device_id: str | None = None
    ip: str | None = None
    bureau_score: int | None = None
    existing_debt_cents: int | None = None
    sms_verified: bool = True
    face_match_score: float = 1.0
    device_fingerprint_ok: bool = True
    phone_owner_match: bool = True
    address: str | None = None
    email: str | None = None
    bank_account: str | None = None
    verification_id: str | None = None
    consent_id: str | None = None  # the consent the bureau report is pulled under (issue 17)
    campaign_id: str | None = None  # the marketing campaign the application answers (issue 18): conversion

    def __post_init__(self) -> None:
        check.text("application_id", self.application_id, 40)
        check.text("credit_code", self.credit_code, 64)
        for name, value in check.identity(self).items():  # folded to one ASCII spelling (ADR 0013)
            object.__setattr__(self, name, value)
        check.text("product_code", self.product_code, 30)
        check.integer("amount_cents", self.amount_cents, 1, 10**13)
        check.integer("term_months", self.term_months, 1, MAX_TERM_MONTHS)
        if self.channel not in CHANNELS:
            raise ValidationError("channel", f"{self.channel!r} is not one of {', '.join(CHANNELS)}")
        if self.bureau_score is not None:
            check.integer("bureau_score", self.bureau_score, BUREAU_SCORE_MIN, BUREAU_SCORE_MAX)
        if self.existing_debt_cents is not None:
            check.integer("existing_debt_cents", self.existing_debt_cents, 0, 10**14)
        check.unit_interval("face_match_score", self.face_match_score)
        check.optional_text("consent_id", self.consent_id, 40)
        check.optional_text("campaign_id", self.campaign_id, 40)
        for name in ("sms_verified", "device_fingerprint_ok", "phone_owner_match"):
            check.boolean(name, getattr(self, name))
        check.optional_text("verification_id", self.verification_id, 64)

    @property
    def missing_identity(self) -> tuple[str, ...]:
        """The identifiers of the minimum identity this request lacks (``domain.applicant``); empty when complete."""
        given = {name: getattr(self, name) for name in ("applicant_id", "phone", "device_id", "ip")}
        return missing_identity(given, self.channel)

    @property
    def verification_failures(self) -> int:
        """How many of the SMS, device-fingerprint and phone-owner checks failed."""
        return sum(not ok for ok in (self.sms_verified, self.device_fingerprint_ok, self.phone_owner_match))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (session, consent and campaign ids only when given: older inputs are unchanged)."""
        out = _fields(self)
        for later in ("verification_id", "consent_id", "campaign_id"):
            if out[later] is None:
                del out[later]
        return out


@dataclass(frozen=True)
class EnterpriseProfile:
    """The registration facts admission rules read."""

    credit_code: str
    industry_section: str
    status: str
    established_date: dt.date
    blacklisted: bool = False

    def firm_age_days(self, on: dt.date) -> int:
        """Days from establishment to ``on``."""
        return (on - self.established_date).days

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (the date as ISO text)."""
        return {**_fields(self), "established_date": self.established_date.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnterpriseProfile:
        """The profile ``to_dict`` wrote."""
        return cls(**{**data, "established_date": dt.date.fromisoformat(data["established_date"])})


@dataclass(frozen=True)
class GraphSignals:
    """Per-application results of the relationship-graph checks, with the ids of the evidence behind them.

    ``shared_device_applicants`` counts unrelated applicants on the same device or IP in the check's
    window; ``propagated_risk`` and ``related_party_risk`` are in [0, 1]. ``features`` are the model's
    ``graph_*`` inputs of the application (the graph source: the values ``riskloop.graph.features`` gives it in
    batch); empty when the checks compute none (an input stored before they did, a stand-in graph).
    """

    gang_member: bool = False
    gang_size: int = 0
    shared_phone_other_company: bool = False
    shared_device_applicants: int = 0
    propagated_risk: float = 0.0
    related_party_risk: float = 0.0
    evidence: tuple[str, ...] = field(default_factory=tuple)
    features: dict[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        check.integer("gang_size", self.gang_size, 0, 10**9)
        check.integer("shared_device_applicants", self.shared_device_applicants, 0, 10**9)
        check.unit_interval("propagated_risk", self.propagated_risk)
        check.unit_interval("related_party_risk", self.related_party_risk)
        check.finite_numbers("features", self.features)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {**_fields(self), "evidence": list(self.evidence), "features": dict(self.features)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphSignals:
        """The signals ``to_dict`` wrote (an input stored before ``features`` existed has none)."""
        return cls(**{**data, "evidence": tuple(data.get("evidence", ())), "features": dict(data.get("features", {}))})


def _fields(obj: Any) -> dict[str, Any]:
    """A flat dataclass's fields (scalars only: no deep copy, which ``asdict`` makes on every decision)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}
