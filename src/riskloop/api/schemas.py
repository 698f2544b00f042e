"""Request and response schemas: strict (unknown fields, wrong types and out-of-range values are 422s)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.domain.address import ADDRESS_MAX
from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.fold import MAX_RAW_LENGTH
from riskloop.domain.identifiers import (
    EMAIL_MAX,
    canonical_ip,
    normalize_bank_account,
    normalize_email,
    normalize_phone,
    validate_resident_id,
    validate_uscc,
)
from riskloop.errors import ValidationError
from riskloop.graph.divisions import placed_address
from riskloop.service.intake import request_digest

Strict = ConfigDict(extra="forbid", strict=True)
MULTILINE = frozenset("\t\n\r")


def _no_controls(value: str, allowed: frozenset[str] = frozenset()) -> str:
    """``value`` when it holds no control character (NUL, escape ...) outside ``allowed``; else a ValueError."""
    bad = next((c for c in value if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if bad is not None:
        raise ValueError(f"must not contain control characters (found U+{ord(bad):04X})")
    return value


Line = Annotated[str, AfterValidator(_no_controls)]  # one line of text: no control character at all
Text = Annotated[str, AfterValidator(lambda v: _no_controls(v, MULTILINE))]  # tabs and line breaks allowed
EXAMPLE_ID = "dec_q3Xv8kT0bN2mR7wY1cZf4A"  # the decision of the examples below
EXAMPLE_APPLICATION: JsonDict = {
    "application_id": "APP-1",
    "credit_code": "91420100000000001Y",
    "applicant_id": "110105199003071239",
    "product_code": "HRT-TAX",
    "amount_cents": 50_000_000,
    "term_months": 12,
    "channel": "mobile",
    "phone": "13800138000",
    "device_id": "dev-9f2c",
    "ip": "203.0.113.7",
    "address": "湖北省武汉市洪山区珞喻路129号",
    "email": "finance@example.com",
    "bank_account": "6222021234567890123",
    "identity": {
        "sms_verified": True,
        "face_match_score": 0.95,
        "device_fingerprint_ok": True,
        "phone_owner_match": True,
    },
    "bureau": {"score": 760, "existing_debt_cents": 0},
}  # synthetic: valid check characters, no real person or enterprise
EXAMPLE_DECISION: JsonDict = {
    "decision_id": EXAMPLE_ID,
    "application_id": "APP-1",
    "tier": "auto_approve",
    "status": "final",
    "score": 655.0,
    "pd": 0.00765,
    "limit_cents": 50_000_000,
    "rate_bp": 420,
    "reasons": [],
    "versions": {
        "data": "features as of 2026-07-01, published 2026-07-01T09:00:00+00:00",
        "features": "0deb878f7739",
        "model": "ensemble:3f9a0c2e",
        "strategy": "reference@1:4f86939adcfe6acf",
        "reasons": "rules:1.1.0;model:1.0.0",
    },
    "decided_at": "2026-07-01T09:00:00+00:00",
    "final_outcome": "approved",
}


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except ValidationError as exc:
        raise ValueError(exc.problem) from None


def _optional(validate: Callable[[str, str], str], field: str) -> Callable[[str | None], str | None]:
    """A pydantic validator of an optional identifier: folded to its one ASCII spelling (ADR 0013)."""

    def run(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate(value, field)
        except ValidationError as exc:
            raise ValueError(exc.problem) from None

    return run


Raw = Field(min_length=1, max_length=MAX_RAW_LENGTH)  # room for spaces and zero-width marks folded away
# Fields added after the first release: left out of the digest while absent, so a body posted before them and
# retried under the same Idempotency-Key after an upgrade is still the same body.
LATER_FIELDS = ("address", "email", "bank_account", "verification_id", "consent_id", "campaign_id")
ADDRESS_DOC = (
    "The company's address as written (kept trimmed; the graph links it by division code and street, so 湖北省武汉市…, "
    "武汉市… and 湖北武汉… are one place). It must be placed: without its city, or with only a province, it is a 422."
)
EMAIL_DOC = "A contact e-mail, local@domain.tld without spaces; trimmed and lower-cased."
VERIFICATION_DOC = (
    "A verification session the server ran (POST /v1/verifications): its results replace `identity`; a session that "
    "is unknown, expired or of another applicant refers the application (IDV_...)."
)
CONSENT_DOC = (
    "The recorded consent (POST /v1/consents) under which the credit-bureau report is pulled through the bank's "
    "gateway when one is configured; then the pulled report replaces `bureau`, and a missing, expired or revoked "
    "consent or a failing gateway refers the application (CONSENT_MISSING, SOURCE_UNAVAILABLE)."
)
CAMPAIGN_DOC = (
    "The marketing campaign the application answers (POST /v1/prospects/campaigns): it decides nothing and is kept "
    "with the decision, so the campaign's conversion is counted (GET /v1/prospects/campaigns/{id}/conversion)."
)
ACCOUNT_DOC = "The settlement account number: 6 to 32 digits, spaces and hyphens allowed (dropped), any digit script."


class IdentityIn(BaseModel):
    """Identity-verification results taken by the channel."""

    model_config = Strict

    sms_verified: bool
    face_match_score: Annotated[float, Field(ge=0.0, le=1.0)]
    device_fingerprint_ok: bool
    phone_owner_match: bool


class BureauIn(BaseModel):
    """The credit-bureau report pulled with the applicant's consent."""

    model_config = Strict

    score: Annotated[int, Field(ge=300, le=950)] | None = None
    existing_debt_cents: Annotated[int, Field(ge=0, le=10**14)] | None = None


class ApplicationIn(BaseModel):
    """A loan application posted by the lending channel."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [EXAMPLE_APPLICATION]})

    application_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,40}$")]
    credit_code: Annotated[str, Raw, AfterValidator(_uscc)]
    applicant_id: Annotated[str | None, Raw, AfterValidator(_optional(validate_resident_id, "applicant_id"))] = None
    product_code: Annotated[str, Field(pattern=r"^[A-Z0-9-]{1,30}$")]
    amount_cents: Annotated[int, Field(ge=1, le=10**12)]
    term_months: Annotated[int, Field(ge=1, le=120)]
    channel: Literal["web", "mobile", "mini_program", "branch"]
    phone: Annotated[str | None, Raw, AfterValidator(_optional(normalize_phone, "phone"))] = None
    device_id: Annotated[str | None, Field(default=None, pattern=r"^[\x21-\x7e]{1,64}$")]
    ip: Annotated[str | None, Raw, AfterValidator(_optional(canonical_ip, "ip"))] = None
    address: Annotated[
        str | None,
        Field(min_length=1, max_length=ADDRESS_MAX, description=ADDRESS_DOC),
        AfterValidator(_optional(placed_address, "address")),
    ] = None
    email: Annotated[
        str | None,
        Field(min_length=1, max_length=EMAIL_MAX, description=EMAIL_DOC),
        AfterValidator(_optional(normalize_email, "email")),
    ] = None
    bank_account: Annotated[
        str | None,
        Field(min_length=1, max_length=MAX_RAW_LENGTH, description=ACCOUNT_DOC),
        AfterValidator(_optional(normalize_bank_account, "bank_account")),
    ] = None
    identity: IdentityIn
    bureau: BureauIn | None = None
    verification_id: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description=VERIFICATION_DOC)] = None
    consent_id: Annotated[
        str | None,
        Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$", description=CONSENT_DOC),
    ] = None
    campaign_id: Annotated[
        str | None,
        Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$", description=CAMPAIGN_DOC),
    ] = None

    @classmethod
    def from_request(cls, request: DecisionRequest) -> ApplicationIn:
        """The body that ``to_request`` turns back into ``request`` (for clients, replays and load tests)."""
        return cls.model_validate(
            {
                "application_id": request.application_id,
                "credit_code": request.credit_code,
                "applicant_id": request.applicant_id,
                "product_code": request.product_code,
                "amount_cents": request.amount_cents,
                "term_months": request.term_months,
                "channel": request.channel,
                "phone": request.phone,
                "device_id": request.device_id,
                "ip": request.ip,
                "address": request.address,
                "email": request.email,
                "bank_account": request.bank_account,
                "identity": {
                    "sms_verified": request.sms_verified,
                    "face_match_score": request.face_match_score,
                    "device_fingerprint_ok": request.device_fingerprint_ok,
                    "phone_owner_match": request.phone_owner_match,
                },
                "bureau": {"score": request.bureau_score, "existing_debt_cents": request.existing_debt_cents},
                "verification_id": request.verification_id,
                "consent_id": request.consent_id,
                "campaign_id": request.campaign_id,
            }
        )

    def digest(self) -> str:
        """sha256 of the body as validated: what an Idempotency-Key's claim keeps to tell a retry from a reuse."""
        body = self.model_dump(mode="json")
        return request_digest({k: v for k, v in body.items() if v is not None or k not in LATER_FIELDS})

    def to_request(self) -> DecisionRequest:
        """The domain request."""
        bureau = self.bureau or BureauIn()
        return DecisionRequest(
            application_id=self.application_id,
            credit_code=self.credit_code,
            product_code=self.product_code,
            amount_cents=self.amount_cents,
            term_months=self.term_months,
            channel=self.channel,
            applicant_id=self.applicant_id,
            phone=self.phone,
            device_id=self.device_id,
            ip=self.ip,
            address=self.address,
            email=self.email,
            bank_account=self.bank_account,
            bureau_score=bureau.score,
            existing_debt_cents=bureau.existing_debt_cents,
            sms_verified=self.identity.sms_verified,
            face_match_score=self.identity.face_match_score,
            device_fingerprint_ok=self.identity.device_fingerprint_ok,
            phone_owner_match=self.identity.phone_owner_match,
            verification_id=self.verification_id,
            consent_id=self.consent_id,
            campaign_id=self.campaign_id,
        )


def posted_digest(request: DecisionRequest) -> str:
    """The digest the API keeps of ``request`` posted as its body (``ApplicationIn.from_request``)."""
    return ApplicationIn.from_request(request).digest()


class ReasonOut(BaseModel):
    """One reason of a decision."""

    code: str
    source: Literal["rule", "model"]
    text: str
    text_zh: str


class VersionsOut(BaseModel):
    """What the decision depended on."""

    data: str
    features: str
    model: str
    strategy: str
    reasons: str


class DecisionOut(BaseModel):
    """A decision as returned by POST /v1/applications and GET /v1/decisions/{id}."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DECISION]})

    decision_id: str
    application_id: str
    tier: Literal["auto_approve", "suggest_approve", "manual_review", "prudent_review", "suggest_reject", "auto_reject"]
    status: Literal["decided", "in_review", "final"]
    score: float | None
    pd: float | None
    limit_cents: int
    rate_bp: int
    reasons: list[ReasonOut]
    versions: VersionsOut
    decided_at: str
    trace: list[dict[str, object]] | None = Field(default=None, description="rule trace (GET only)")
    final_outcome: str | None = None


class OutcomeOut(BaseModel):
    """The loan drawn on a decision, as of the last outcome update (bad: 90+ days past due by h months on book)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision_id": EXAMPLE_ID,
                    "loan_id": "LN00012345",
                    "application_id": "APP000123456",
                    "as_of": "2026-06-30",
                    "disbursed_date": "2025-09-15",
                    "vintage": "2025-09",
                    "term_months": 12,
                    "principal_cents": 30000000,
                    "channel": "web-channel",
                    "months_on_book": 9,
                    "status": "current",
                    "current_dpd": 0,
                    "max_dpd": 12,
                    "first_bad_day": None,
                    "matured_3m": True,
                    "bad_3m": False,
                    "matured_6m": True,
                    "bad_6m": False,
                    "matured_12m": False,
                    "bad_12m": None,
                    "tier": "auto_approve",
                    "strategy": "reference@1",
                    "model": "demo-v1:3f9a1c0d2e4b5a6f",
                    "decided_at": "2025-09-14T10:32:05+00:00",
                }
            ]
        }
    )

    decision_id: str
    loan_id: str
    application_id: str
    as_of: str
    disbursed_date: str
    vintage: str
    term_months: int
    principal_cents: int
    channel: str | None
    months_on_book: int
    status: Literal["current", "delinquent", "defaulted", "repaid"]
    current_dpd: int
    max_dpd: int
    first_bad_day: str | None
    matured_3m: bool
    bad_3m: bool | None = Field(description="null while the 3-month window has not fully passed")
    matured_6m: bool
    bad_6m: bool | None
    matured_12m: bool
    bad_12m: bool | None
    tier: str
    strategy: str
    model: str
    decided_at: str


class IdentifiersOut(BaseModel):
    """The identifiers the application was posted with: whole for an auditor, masked for everyone else."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision_id": EXAMPLE_ID,
                    "view": "masked",
                    "applicant_id": "110105**********39",
                    "phone": "138****8000",
                    "device_id": "dev-****",
                    "ip": "203.0.*.*",
                    "address": "湖北省武汉市****",
                    "email": "f***@example.com",
                    "bank_account": "***************0123",
                }
            ]
        }
    )

    decision_id: str
    view: Literal["full", "masked"]
    applicant_id: str | None
    phone: str | None
    device_id: str | None
    ip: str | None
    address: str | None = None
    email: str | None = None
    bank_account: str | None = None
