"""Request and response schemas of /v1/offers, /v1/drawdowns and the core's confirmations.

Strict: unknown fields and wrong types are 422s.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from riskloop.api.schemas import Raw, _optional
from riskloop.domain.drawdown import BookedLoan, Drawdown
from riskloop.domain.identifiers import validate_resident_id
from riskloop.domain.offer import Offer
from riskloop.rules.reasons import RuleReasonCatalog

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Repayment = Literal["equal_instalment", "equal_principal", "interest_first"]
MAX_CENTS = 10**12  # ten billion yuan: far above any SME limit, below what a BIGINT holds
_OFFER_EXAMPLE: dict[str, Any] = {
    "offer_id": "ofr_3b9f0c2a1d4e5f6a7b8c9d0e",
    "decision_id": "dec_7f3c2a1e0b9d8c7a",
    "application_id": "APP-2026-000123",
    "product_code": "HRT-TAX",
    "limit_cents": 30_000_000,
    "rate_bp": 620,
    "term_months": 12,
    "repayment": "equal_instalment",
    "repayment_name": "等额本息",
    "offered_at": "2026-07-01T09:00:05+00:00",
    "expires_at": "2026-07-31T09:00:05+00:00",
    "contract_version": "loan-agreement@1",
    "contract_sha256": "5" * 64,
    "status": "accepted",
    "accepted_at": "2026-07-01T09:03:12+00:00",
    "reserved_cents": 0,
    "drawn_cents": 10_000_000,
    "remaining_cents": 20_000_000,
    "contract": None,
}
_DRAWDOWN_EXAMPLE: dict[str, Any] = {
    "drawdown_id": "drw_9a8b7c6d5e4f3a2b1c0d9e8f",
    "offer_id": "ofr_3b9f0c2a1d4e5f6a7b8c9d0e",
    "amount_cents": 10_000_000,
    "term_months": 3,
    "repayment": "interest_first",
    "status": "disbursed",
    "reasons": [],
    "requested_at": "2026-07-02T10:00:00+00:00",
    "updated_at": "2026-07-02T10:00:00+00:00",
    "loan_id": "ln_9a8b7c6d5e4f3a2b1c0d9e8f",
    "core_ref": "CORE-20260702-000017",
    "core_reason": None,
    "loan": {
        "loan_id": "ln_9a8b7c6d5e4f3a2b1c0d9e8f",
        "principal_cents": 10_000_000,
        "rate_bp": 620,
        "term_months": 3,
        "repayment": "interest_first",
        "disbursed_at": "2026-07-02T10:00:00+00:00",
        "core_ref": "CORE-20260702-000017",
        "schedule": [
            {
                "number": 1,
                "due_date": "2026-08-02",
                "principal_cents": 0,
                "interest_cents": 51_667,
                "total_cents": 51_667,
            },
            {
                "number": 2,
                "due_date": "2026-09-02",
                "principal_cents": 0,
                "interest_cents": 51_667,
                "total_cents": 51_667,
            },
            {
                "number": 3,
                "due_date": "2026-10-02",
                "principal_cents": 10_000_000,
                "interest_cents": 51_667,
                "total_cents": 10_051_667,
            },
        ],
    },
}


class OfferIn(BaseModel):
    """Make the offer of an approved application (one per decision: asking again returns it)."""

    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra={"examples": [{"application_id": "APP-2026-000123"}]}
    )
    application_id: Annotated[str, Field(min_length=1, max_length=40)]
    repayment: Repayment = "equal_instalment"


class AcceptIn(BaseModel):
    """Accept an offer: the digest of the contract text read, and a confirmed ``drawdown`` step-up's token."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"contract_sha256": "5" * 64, "step_up_token": "Yc3mZ0kq8Hn1VwB2xT5sLr7pQ9dE4fGh",
                 "applicant_id": "110105199003071239"}
            ]
        },
    )  # fmt: skip
    contract_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    step_up_token: Annotated[str, Field(min_length=16, max_length=200)]
    applicant_id: Annotated[str, Raw, AfterValidator(_optional(validate_resident_id, "applicant_id"))]


class ContractOut(BaseModel):
    """The contract the customer reads and agrees to."""

    version: str
    sha256: str
    text: str


class OfferOut(BaseModel):
    """An offer and what remains of its limit."""

    model_config = ConfigDict(json_schema_extra={"examples": [_OFFER_EXAMPLE]})

    offer_id: str
    decision_id: str
    application_id: str
    product_code: str
    limit_cents: int
    rate_bp: int
    term_months: int
    repayment: str
    repayment_name: str
    offered_at: str
    expires_at: str
    contract_version: str
    contract_sha256: str
    status: str
    accepted_at: str | None
    reserved_cents: int
    drawn_cents: int
    remaining_cents: int
    contract: ContractOut | None = None

    @classmethod
    def of(cls, offer: Offer, text: str | None = None) -> OfferOut:
        """The response body of ``offer`` (with its contract text when given)."""
        contract = None if text is None else ContractOut(version=offer.contract_version,
                                                         sha256=offer.contract_sha256, text=text)  # fmt: skip
        return cls(**offer.to_dict(), contract=contract)


class DrawdownIn(BaseModel):
    """Draw ``amount_cents`` of an accepted offer (a term up to the offer's, another repayment method if wanted)."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"offer_id": "ofr_3b9f0c2a1d4e5f6a7b8c9d0e", "amount_cents": 5_000_000}]},
    )
    offer_id: Id
    amount_cents: Annotated[int, Field(ge=1, le=MAX_CENTS)]
    term_months: Annotated[int, Field(ge=1, le=120)] | None = None
    repayment: Repayment | None = None


class ReasonOut(BaseModel):
    """One reason of a refused or referred drawdown."""

    code: str
    text: str
    text_zh: str


class InstalmentOut(BaseModel):
    """One instalment of the repayment schedule."""

    number: int
    due_date: str
    principal_cents: int
    interest_cents: int
    total_cents: int


class LoanOut(BaseModel):
    """The loan a confirmed drawdown booked."""

    loan_id: str
    principal_cents: int
    rate_bp: int
    term_months: int
    repayment: str
    disbursed_at: str
    core_ref: str
    schedule: list[InstalmentOut]


class DrawdownOut(BaseModel):
    """A drawdown's state: refused or referred (with reasons), unconfirmed, disbursed (with its loan) or failed."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DRAWDOWN_EXAMPLE]})

    drawdown_id: str
    offer_id: str
    amount_cents: int
    term_months: int
    repayment: str
    status: str
    reasons: list[ReasonOut]
    requested_at: str
    updated_at: str
    loan_id: str | None
    core_ref: str | None
    core_reason: str | None
    loan: LoanOut | None = None

    @classmethod
    def of(cls, drawdown: Drawdown, loan: BookedLoan | None, catalog: RuleReasonCatalog) -> DrawdownOut:
        """The response body of ``drawdown``, its reasons in Chinese and English."""
        body: dict[str, Any] = drawdown.to_dict()
        body["reasons"] = [_reason(code, catalog) for code in drawdown.reasons]
        if loan is not None:
            data = loan.to_dict()
            body["loan"] = LoanOut(**{k: data[k] for k in LoanOut.model_fields if k != "schedule"},
                                   schedule=[InstalmentOut(**i) for i in data["schedule"]])  # fmt: skip
        return cls(**body)


class DrawdownsOut(BaseModel):
    """Drawdowns newest first; each names its loan (``loan_id``) without the schedule."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"drawdowns": [_DRAWDOWN_EXAMPLE], "limit": 100}]})

    drawdowns: list[DrawdownOut]
    limit: int


def _reason(code: str, catalog: RuleReasonCatalog) -> ReasonOut:
    if code not in catalog:  # a code a re-check policy added outside the catalogue: shown as is
        return ReasonOut(code=code, text=code, text_zh=code)
    reason = catalog.reason(code)
    return ReasonOut(code=code, text=reason.text, text_zh=reason.text_zh)
