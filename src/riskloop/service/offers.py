"""OfferDesk: an approved decision becomes an offer; the customer accepts it with a second confirmation.

An offer is made only from its channel's champion decision of the application whose final outcome is an
approval with a limit (an approval a reviewer gave counts). Its terms: the decision's limit and rate, the
requested term within the product's bounds (``loan_products``), a repayment method, an expiry; one offer per
decision, so asking again returns it. Acceptance spends a step-up token of the applicant for ``drawdown`` (SMS
code and face, ``service.step_up``) and names the sha256 of the contract text the customer read; the contract
version and digest are kept with the offer and in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.decision_record import CHAMPION, StoredDecision
from riskloop.domain.identifiers import validate_resident_id
from riskloop.domain.offer import (
    CONTRACT_VERSION,
    OFFER_DAYS,
    Offer,
    accept,
    contract_sha256,
    contract_text,
    offer_id,
)
from riskloop.domain.repayment_schedule import EQUAL_INSTALMENT, METHODS
from riskloop.errors import ConflictError, NotFoundError, ValidationError
from riskloop.service.lending_ports import LendingDecisions, LendingStore, LoanProducts
from riskloop.service.step_up import StepUps

DRAWDOWN_ACTION = "drawdown"  # the step-up action whose token an acceptance spends


class OfferDesk:
    """Offers of the channels (see the module)."""

    def __init__(
        self,
        store: LendingStore,
        *,
        decisions: LendingDecisions,
        products: LoanProducts,
        step_ups: StepUps,
        clock: Clock,
        offer_days: int = OFFER_DAYS,
    ) -> None:
        self.store, self.decisions, self.products, self.step_ups = store, decisions, products, step_ups
        self.clock, self.offer_days = clock, offer_days

    def _now(self) -> dt.datetime:
        return self.clock.now()

    def make(self, channel: str, application_id: str, repayment: str = EQUAL_INSTALMENT) -> tuple[Offer, bool]:
        """The offer of ``application_id``'s approval, and whether it was made now (False: made before)."""
        if repayment not in METHODS:
            raise ValidationError("repayment", f"{repayment!r} is not one of {', '.join(METHODS)}")
        stored = self._approval(channel, application_id)
        made = self.store.offer(offer_id(stored.decision_id))
        if made is not None:
            return made, False
        offer = self._terms(channel, stored, repayment)
        entry = AuditEntry(offer.offered_at, channel, "offer.made", "offer", offer.offer_id,
                           {"decision_id": stored.decision_id, "limit_cents": offer.limit_cents})  # fmt: skip
        try:
            self.store.add_offer(offer, entry)
        except ConflictError:  # a concurrent request made it first
            found = self.store.offer(offer.offer_id)
            if found is None:
                raise
            return found, False
        return offer, True

    def get(self, channel: str, offer_id_: str) -> tuple[Offer, str]:
        """The channel's offer and its contract text (NotFoundError for another channel's)."""
        offer = self.store.offer(offer_id_)
        if offer is None or offer.channel != channel:
            raise NotFoundError(f"offer_id: no offer {offer_id_!r}")
        return offer, contract_text(offer.contract_version, offer)

    def accept(self, channel: str, offer_id_: str, contract_sha: str, step_up_token: str, applicant_id: str) -> Offer:
        """Accept the offer under the contract text of ``contract_sha``, spending the applicant's step-up token."""
        offer, _ = self.get(channel, offer_id_)
        at = self._now()
        accepted = accept(offer, contract_sha, "", at)  # checked before the token is spent
        self._same_applicant(channel, offer, applicant_id, at)
        step_up = self.step_ups.redeem(channel, step_up_token, DRAWDOWN_ACTION, applicant_id)
        accepted = replace(accepted, step_up_id=step_up.step_up_id)
        detail = {"contract_version": offer.contract_version, "contract_sha256": contract_sha,
                  "step_up_id": step_up.step_up_id}  # fmt: skip
        self.store.save_offer(accepted, AuditEntry(at, channel, "offer.accepted", "offer", offer.offer_id, detail))
        return accepted

    def _approval(self, channel: str, application_id: str) -> StoredDecision:
        found = [d for d in self.decisions.for_application(application_id) if d.role == CHAMPION]
        mine = [d for d in found if d.owner == channel]
        if not mine:
            raise NotFoundError(f"application_id: no decision of {application_id!r} for this channel")
        stored = mine[-1]
        if stored.final_outcome != "approved":
            state = stored.final_outcome or f"{stored.status} ({stored.decision.tier.value})"
            raise ConflictError("application_id", f"the application is not approved: {state}")
        if stored.decision.limit_cents <= 0:
            raise ConflictError("application_id", "the approval carries no limit; a reviewer must set one")
        return stored

    def _terms(self, channel: str, stored: StoredDecision, repayment: str) -> Offer:
        request = stored.inputs.get("request") or {}
        product_code = str(request.get("product_code", ""))
        term = int(request.get("term_months") or 12)
        product = self.products.product(product_code)
        if product is not None:
            term = min(max(term, product.min_term_months), product.max_term_months)
        at = self._now()
        draft = Offer(
            offer_id=offer_id(stored.decision_id), decision_id=stored.decision_id,
            application_id=stored.decision.application_id, channel=channel,
            credit_code=str(request.get("credit_code", "")), product_code=product_code,
            limit_cents=stored.decision.limit_cents, rate_bp=stored.decision.rate_bp, term_months=term,
            repayment=repayment, offered_at=at, expires_at=at + dt.timedelta(days=self.offer_days),
            contract_version=CONTRACT_VERSION, contract_sha256="",
        )  # fmt: skip
        return replace(draft, contract_sha256=contract_sha256(contract_text(CONTRACT_VERSION, draft)))

    def _same_applicant(self, channel: str, offer: Offer, applicant_id: str, at: dt.datetime) -> None:
        stored = self.decisions.get(offer.decision_id)
        opened = self.decisions.revealed([stored], actor=channel, purpose="offer acceptance", at=at)[0]
        held = (opened.inputs.get("request") or {}).get("applicant_id")
        if not isinstance(held, str) or validate_resident_id(applicant_id, "applicant_id") != held:
            raise ValidationError("applicant_id", "is not the applicant of this offer's application")
