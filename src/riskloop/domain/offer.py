"""Offers: an approved decision's terms, accepted once under one contract text, drawn down within its limit.

An offer is made from a final, approving decision of its channel: the decision's limit and rate, the requested
term within the product's bounds, the product's repayment method, an expiry. The customer accepts it with a
second confirmation, agreeing to one contract version whose text's sha256 is recorded. Its limit is then drawn:
an amount is *reserved* when its instruction goes to the core, *drawn* when the core confirms, released when
the core refuses it; reserved plus drawn never exceed the limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources
from typing import Any

from riskloop.domain import _checks as check
from riskloop.domain.repayment_schedule import METHOD_NAMES, METHODS
from riskloop.errors import ConflictError, ValidationError

OFFER_DAYS = 30  # an offer not accepted in this many days expires
CONTRACT_VERSION = "loan-agreement@1"
_CONTRACTS = {"loan-agreement@1": "loan-agreement-v1.md"}


class OfferStatus(StrEnum):
    """An offer's state."""

    OFFERED = "offered"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Offer:
    """One offer (a row of ``offers``)."""

    offer_id: str
    decision_id: str
    application_id: str
    channel: str
    credit_code: str
    product_code: str
    limit_cents: int
    rate_bp: int
    term_months: int
    repayment: str
    offered_at: dt.datetime
    expires_at: dt.datetime
    contract_version: str
    contract_sha256: str
    status: OfferStatus = OfferStatus.OFFERED
    accepted_at: dt.datetime | None = None
    step_up_id: str | None = None  # the second confirmation the acceptance spent
    reserved_cents: int = 0
    drawn_cents: int = 0
    row_version: int = 0

    def __post_init__(self) -> None:
        check.integer("limit_cents", self.limit_cents, 1)
        check.integer("rate_bp", self.rate_bp, 0, 10_000)
        check.choice("repayment", self.repayment, METHODS)
        check.integer("reserved_cents", self.reserved_cents, 0)
        check.integer("drawn_cents", self.drawn_cents, 0)
        if self.reserved_cents + self.drawn_cents > self.limit_cents:
            raise ValidationError("limit_cents", "reserved and drawn amounts exceed the limit")

    @property
    def remaining_cents(self) -> int:
        """What may still be drawn."""
        return self.limit_cents - self.reserved_cents - self.drawn_cents

    def expired(self, at: dt.datetime) -> bool:
        """Whether an unaccepted offer has lapsed at ``at`` (an accepted one runs as its contract says)."""
        return self.status is OfferStatus.OFFERED and at >= self.expires_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "offer_id": self.offer_id,
            "decision_id": self.decision_id,
            "application_id": self.application_id,
            "product_code": self.product_code,
            "limit_cents": self.limit_cents,
            "rate_bp": self.rate_bp,
            "term_months": self.term_months,
            "repayment": self.repayment,
            "repayment_name": METHOD_NAMES[self.repayment],
            "offered_at": self.offered_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "contract_version": self.contract_version,
            "contract_sha256": self.contract_sha256,
            "status": self.status.value,
            "accepted_at": None if self.accepted_at is None else self.accepted_at.isoformat(),
            "reserved_cents": self.reserved_cents,
            "drawn_cents": self.drawn_cents,
            "remaining_cents": self.remaining_cents,
        }


def offer_id(decision_id: str) -> str:
    """One offer per decision: its id follows from the decision's (a retried offer request finds it)."""
    return "ofr_" + hashlib.sha256(decision_id.encode()).hexdigest()[:24]


def contract_text(version: str, offer: Offer) -> str:
    """The contract ``version`` filled with the offer's terms: what the customer reads and agrees to."""
    name = _CONTRACTS.get(version)
    if name is None:
        raise ValidationError("contract_version", f"{version!r} is not one of {', '.join(_CONTRACTS)}")
    template = resources.files("riskloop.domain").joinpath("contracts", name).read_text(encoding="utf-8")
    return template.format(
        offer_id=offer.offer_id,
        product_code=offer.product_code,
        limit_yuan=f"{offer.limit_cents / 100:,.2f}",
        rate_percent=f"{offer.rate_bp / 100:.2f}",
        term_months=offer.term_months,
        repayment=f"{METHOD_NAMES[offer.repayment]} ({offer.repayment})",
        expires_at=offer.expires_at.isoformat(),
    )


def contract_sha256(text: str) -> str:
    """The digest the acceptance must name."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def accept(offer: Offer, contract_sha: str, step_up_id: str, at: dt.datetime) -> Offer:
    """The offer accepted at ``at`` under the contract text of ``contract_sha``; ConflictError naming the problem."""
    if offer.status is OfferStatus.ACCEPTED:
        raise ConflictError("offer_id", "already accepted")
    if offer.expired(at):
        raise ConflictError("offer_id", f"the offer expired at {offer.expires_at.isoformat()}")
    if contract_sha != offer.contract_sha256:
        raise ConflictError("contract_sha256", "is not the digest of this offer's contract text; read it again")
    return replace(offer, status=OfferStatus.ACCEPTED, accepted_at=at, step_up_id=step_up_id,
                   row_version=offer.row_version + 1)  # fmt: skip


def reserve(offer: Offer, amount_cents: int) -> Offer:
    """``amount_cents`` held for an instruction sent to the core; ConflictError when it is over what remains."""
    if offer.status is not OfferStatus.ACCEPTED:
        raise ConflictError("offer_id", "the offer is not accepted")
    if amount_cents > offer.remaining_cents:
        raise ConflictError("amount_cents", f"{amount_cents} is over the {offer.remaining_cents} that remains")
    return replace(offer, reserved_cents=offer.reserved_cents + amount_cents, row_version=offer.row_version + 1)


def settle(offer: Offer, amount_cents: int, *, paid: bool) -> Offer:
    """A reservation settled: drawn when the core paid it, released when it refused it."""
    if amount_cents > offer.reserved_cents:
        raise ConflictError("amount_cents", f"{amount_cents} is more than the {offer.reserved_cents} reserved")
    drawn = offer.drawn_cents + (amount_cents if paid else 0)
    return replace(offer, reserved_cents=offer.reserved_cents - amount_cents, drawn_cents=drawn,
                   row_version=offer.row_version + 1)  # fmt: skip
