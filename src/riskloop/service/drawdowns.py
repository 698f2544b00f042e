"""DrawdownDesk: draw on an accepted offer — re-check, reserve the amount once, instruct the core, book on its word.

``request`` is idempotent per channel and Idempotency-Key: the drawdown's id (and the core instruction's) follows
from them, so a retry finds the drawdown and never sends a second instruction; the same key with another body
is a 409. The re-check (``service.recheck``) refuses or refers before anything is reserved. The amount is then
reserved on the offer by compare-and-set in the transaction that inserts the drawdown, so concurrent drawdowns
never reserve more than the limit (a lost race re-reads and tries again; an amount over what remains is refused
with ``DRAWDOWN_OVER_LIMIT``). The instruction goes to the core outside any transaction; its answer settles the
drawdown (``domain.drawdown.answered``): confirmed books the loan and its schedule with an audit row and an outbox
event in one transaction, rejected releases the amount, no answer leaves it ``unconfirmed`` and reserved. A
late confirmation (the core's callback) or an operator's ``reconcile`` (which asks the core, and may re-send
the same instruction: the core pays once per id) settles it later; a settled drawdown never changes again, so a
loan is booked at most once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from riskloop.domain.access import POST_LOAN_OFFICER, Principal
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.disbursal import CoreAnswer, CoreStatus, Instruction
from riskloop.domain.drawdown import OPEN, BookedLoan, Drawdown, DrawdownStatus, answered, drawdown_id, loan_id
from riskloop.domain.offer import Offer, OfferStatus, reserve, settle
from riskloop.domain.outbox import OutboxMessage
from riskloop.domain.recheck import PROCEED, REFUSE
from riskloop.domain.repayment_schedule import METHODS, schedule
from riskloop.errors import ConfigError, ConflictError, DataSourceError, NotFoundError, ValidationError
from riskloop.service.disbursal_ports import CoreBanking
from riskloop.service.lending_ports import LendingDecisions, LendingStore
from riskloop.service.recheck import Recheck

LOAN_BOOKED = "lending.loan_booked"  # outbox topic of a booked loan
OVER_LIMIT, NO_ACCOUNT = "DRAWDOWN_OVER_LIMIT", "DRAWDOWN_NO_ACCOUNT"
MAX_LISTED = 1000  # drawdowns one listing returns at most
RACE_TRIES = 200  # compare-and-set attempts before a drawdown gives up on a contended offer (a 409)
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrawdownAsk:
    """What a channel asks: an amount of an offer, optionally a shorter term or another repayment method."""

    offer_id: str
    amount_cents: int
    term_months: int | None = None
    repayment: str | None = None

    def sha256(self) -> str:
        """The digest a retry with the same Idempotency-Key must match."""
        body = json.dumps(self.__dict__, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Drawn:
    """What ``request`` answers: the drawdown, the loan it booked (None: none), whether this request made it."""

    drawdown: Drawdown
    loan: BookedLoan | None
    created: bool


class DrawdownDesk:
    """Drawdowns of the channels (see the module)."""

    def __init__(
        self,
        store: LendingStore,
        decisions: LendingDecisions,
        recheck: Recheck | None,
        core: CoreBanking | None,
        clock: Clock,
    ) -> None:
        self.store, self.decisions, self.recheck, self.core, self.clock = store, decisions, recheck, core, clock

    def request(self, channel: str, key: str, ask: DrawdownAsk) -> Drawn:
        """The drawdown of ``key``, its loan if it booked one, and whether it was created now (False: a retry)."""
        if self.recheck is None:
            raise ConfigError("drawdowns: this desk settles and reconciles only (it has no re-check to draw with)")
        core = self._core()  # before anything is read, reserved or sent
        did, digest = drawdown_id(channel, key), ask.sha256()
        known = self._replay(did, digest)
        if known is not None:
            return Drawn(known, None if known.loan_id is None else self.store.loan(known.loan_id), created=False)
        offer = self._offer(channel, ask.offer_id)
        term, repayment = self._terms(offer, ask)
        at = self.clock.now()
        draft = Drawdown(did, offer.offer_id, channel, key, digest, ask.amount_cents, term, repayment,
                         DrawdownStatus.INSTRUCTED, at, at)  # fmt: skip
        stored = self.decisions.get(offer.decision_id)
        opened = self.decisions.revealed([stored], actor=channel, purpose="drawdown re-check", at=at)[0]
        facts = {"amount_cents": ask.amount_cents, "remaining_cents": offer.remaining_cents,
                 "days_since_decision": (at - stored.decision.decided_at).days}  # fmt: skip
        result = self.recheck.run(opened.inputs, facts)
        draft = replace(draft, recheck=result.detail)
        if result.action != PROCEED:
            status = DrawdownStatus.REFUSED if result.action == REFUSE else DrawdownStatus.REFERRED
            return self._stored(replace(draft, status=status, reasons=result.codes))
        account = (opened.inputs.get("request") or {}).get("bank_account")
        if not isinstance(account, str) or not account:
            return self._stored(replace(draft, status=DrawdownStatus.REFUSED, reasons=(NO_ACCOUNT,)))
        instructed, created, held = self._reserve(draft, offer)
        if not created or held is None:
            return Drawn(instructed, None, created)
        instruction = Instruction(did, loan_id(did), offer.credit_code, account, ask.amount_cents)
        settled, loan = self._apply(core.disburse(instruction), "core", (instructed, held))
        return Drawn(settled, loan, created=True)

    def get(self, channel: str | None, drawdown_id_: str) -> tuple[Drawdown, BookedLoan | None]:
        """The drawdown (the channel's own; ``None``: any, for an operator) and its booked loan."""
        found = self.store.drawdown(drawdown_id_)
        if found is None or (channel is not None and found.channel != channel):
            raise NotFoundError(f"drawdown_id: no drawdown {drawdown_id_!r}")
        return found, None if found.loan_id is None else self.store.loan(found.loan_id)

    def read(self, principal: Principal, drawdown_id_: str) -> tuple[Drawdown, BookedLoan | None]:
        """``get`` as ``principal``: a post-loan officer reads any channel's drawdown, anyone else their own."""
        return self.get(None if POST_LOAN_OFFICER in principal.roles else principal.name, drawdown_id_)

    def listing(
        self, statuses: Sequence[DrawdownStatus] = (), offer_id: str | None = None, limit: int = 100
    ) -> list[Drawdown]:
        """Drawdowns newest first, of ``statuses`` (none: any) and of ``offer_id`` when given: an operator's read."""
        if not 1 <= limit <= MAX_LISTED:
            raise ValidationError("limit", f"{limit}: must be between 1 and {MAX_LISTED}")
        return self.store.drawdowns(offer_id, [s.value for s in statuses], limit)

    def apply(self, answer: CoreAnswer, actor: str) -> Drawdown:
        """Settle the drawdown ``answer`` names (the core's reply, its callback, or what reconcile learnt)."""
        return self._apply(answer, actor, None)[0]

    def _apply(
        self, answer: CoreAnswer, actor: str, known: tuple[Drawdown, Offer] | None
    ) -> tuple[Drawdown, BookedLoan | None]:
        """``apply``; the settled drawdown and the loan it booked now.

        The first attempt uses ``known``, the drawdown and offer as this request stored them: no re-read unless
        another request changed them since.
        """
        for _ in range(RACE_TRIES):
            current, offer = known if known is not None else (self.store.drawdown(answer.instruction_id), None)
            known = None
            if current is None:
                raise NotFoundError(f"instruction_id: no drawdown {answer.instruction_id!r}")
            at = self.clock.now()
            after = answered(current, answer, at)
            if after is current:
                return current, None  # settled before (a second confirmation), or nothing settled
            try:
                return after, self._settle(current, after, answer, actor, at, offer)
            except ConflictError:
                _pause()
        raise ConflictError("drawdown_id", "the drawdown kept changing; ask again")

    def reconcile(self, drawdown_id_: str, actor: str, *, resend: bool = False) -> Drawdown:
        """Ask the core about an unsettled drawdown and settle it on the answer.

        ``resend`` re-sends the same instruction when the core never received it (it pays once per id, so this
        cannot pay twice).
        """
        core = self._core()
        current, _ = self.get(None, drawdown_id_)
        if current.status not in OPEN:
            return current
        answer = core.status(current.drawdown_id)
        if answer.status is CoreStatus.UNKNOWN and resend:
            answer = core.disburse(self._instruction(current, actor))
        return self.apply(answer, actor)

    def _core(self) -> CoreBanking:
        if self.core is None:
            raise DataSourceError(
                "core banking: no core system configured; set RISKLOOP_CORE_URL and RISKLOOP_CORE_SECRET "
                "(docs/drawdowns.md), or run `python -m riskloop.testing.core_server` for a local sandbox"
            )
        return self.core

    def _instruction(self, drawdown: Drawdown, actor: str) -> Instruction:
        offer = self.store.offer(drawdown.offer_id)
        if offer is None:
            raise NotFoundError(f"offer_id: no offer {drawdown.offer_id!r}")
        stored = self.decisions.get(offer.decision_id)
        opened = self.decisions.revealed([stored], actor=actor, purpose="drawdown re-send", at=self.clock.now())[0]
        account = str((opened.inputs.get("request") or {}).get("bank_account") or "")
        return Instruction(drawdown.drawdown_id, loan_id(drawdown.drawdown_id), offer.credit_code, account,
                           drawdown.amount_cents)  # fmt: skip

    def _replay(self, did: str, digest: str) -> Drawdown | None:
        known = self.store.drawdown(did)
        if known is not None and known.request_sha256 != digest:
            raise ConflictError("Idempotency-Key", "was used for another drawdown request")
        return known

    def _offer(self, channel: str, offer_id: str) -> Offer:
        offer = self.store.offer(offer_id)
        if offer is None or offer.channel != channel:
            raise NotFoundError(f"offer_id: no offer {offer_id!r}")
        if offer.status is not OfferStatus.ACCEPTED:
            raise ConflictError("offer_id", "the offer is not accepted yet (POST /v1/offers/{offer_id}/acceptance)")
        return offer

    @staticmethod
    def _terms(offer: Offer, ask: DrawdownAsk) -> tuple[int, str]:
        if not isinstance(ask.amount_cents, int) or ask.amount_cents < 1:
            raise ValidationError("amount_cents", "must be a positive whole number of cents")
        if ask.amount_cents > offer.limit_cents:
            raise ValidationError("amount_cents", f"{ask.amount_cents} is over the offer's limit {offer.limit_cents}")
        term = offer.term_months if ask.term_months is None else ask.term_months
        if not 1 <= term <= offer.term_months:
            raise ValidationError("term_months", f"must be between 1 and the offer's {offer.term_months}")
        repayment = ask.repayment or offer.repayment
        if repayment not in METHODS:
            raise ValidationError("repayment", f"{repayment!r} is not one of {', '.join(METHODS)}")
        return term, repayment

    def _stored(self, drawdown: Drawdown) -> Drawn:
        stored = self._closed(drawdown)
        return Drawn(stored, None, created=stored is drawdown)

    def _closed(self, drawdown: Drawdown) -> Drawdown:
        """Store a refused or referred drawdown (nothing reserved); a concurrent twin's record wins."""
        detail = {"status": drawdown.status.value, "reasons": list(drawdown.reasons)}
        entry = AuditEntry(drawdown.requested_at, drawdown.channel, f"drawdown.{drawdown.status.value}",
                           "drawdown", drawdown.drawdown_id, detail)  # fmt: skip
        try:
            self.store.add_drawdown(drawdown, None, entry)
        except ConflictError:
            return self._twin(drawdown)
        return drawdown

    def _reserve(self, drawdown: Drawdown, read: Offer) -> tuple[Drawdown, bool, Offer | None]:
        """Insert the drawdown with its amount reserved on the offer (refused when over what remains).

        The first attempt reserves on ``read``, the offer as this request read it; a refusal is only ever made on a
        fresh read. The flag says whether this call stored it (False: a concurrent request of the same key did);
        the offer is the one it stored with the reservation (None: nothing reserved).
        """
        entry = AuditEntry(drawdown.requested_at, drawdown.channel, "drawdown.instructed", "drawdown",
                           drawdown.drawdown_id, {"amount_cents": drawdown.amount_cents})  # fmt: skip
        known: Offer | None = read
        for _ in range(RACE_TRIES):
            offer, fresh = (known, False) if known is not None else (self.store.offer(drawdown.offer_id), True)
            known = None
            if offer is None:
                raise NotFoundError(f"offer_id: no offer {drawdown.offer_id!r}")
            try:
                held = reserve(offer, drawdown.amount_cents)
            except ConflictError:
                if not fresh:
                    continue  # what remained when the request began may have been released since: read it again
                refused = replace(drawdown, status=DrawdownStatus.REFUSED, reasons=(OVER_LIMIT,))
                stored = self._closed(refused)
                return stored, stored is refused, None
            try:
                self.store.add_drawdown(drawdown, held, entry)
                return drawdown, True, held
            except ConflictError as exc:
                if exc.field != "offer_id":
                    return self._twin(drawdown), False, None
                _pause()
        raise ConflictError("offer_id", "the offer is being drawn by many requests at once; retry")

    def _twin(self, drawdown: Drawdown) -> Drawdown:
        found = self._replay(drawdown.drawdown_id, drawdown.request_sha256)
        if found is None:
            raise ConflictError("Idempotency-Key", "a concurrent request holds this key; retry")
        return found

    def _settle(  # noqa: PLR0917 - one settlement's parts
        self, before: Drawdown, after: Drawdown, answer: CoreAnswer, actor: str, at: dt.datetime, known: Offer | None
    ) -> BookedLoan | None:
        offer = known or self.store.offer(before.offer_id)
        if offer is None:
            raise NotFoundError(f"offer_id: no offer {before.offer_id!r}")
        booked, message, settled = None, None, None
        if after.status is DrawdownStatus.DISBURSED:
            settled = settle(offer, before.amount_cents, paid=True)
            booked = self._book(offer, after, answer, at)
            message = OutboxMessage(LOAN_BOOKED, booked.loan_id, _booked_event(booked), at)
        elif after.status is DrawdownStatus.FAILED:
            settled = settle(offer, before.amount_cents, paid=False)
        detail: dict[str, Any] = {"answer": answer.status.value, "core_ref": answer.core_ref}
        if answer.reason:
            detail["reason"] = answer.reason
        entry = AuditEntry(at, actor, f"drawdown.{after.status.value}", "drawdown", after.drawdown_id, detail)
        self.store.settle(after, settled, booked, entry, message)
        return booked

    @staticmethod
    def _book(offer: Offer, drawdown: Drawdown, answer: CoreAnswer, at: dt.datetime) -> BookedLoan:
        plan = schedule(drawdown.amount_cents, offer.rate_bp, drawdown.term_months, at.date(), drawdown.repayment)
        return BookedLoan(
            loan_id=loan_id(drawdown.drawdown_id), drawdown_id=drawdown.drawdown_id, offer_id=offer.offer_id,
            application_id=offer.application_id, credit_code=offer.credit_code, principal_cents=drawdown.amount_cents,
            rate_bp=offer.rate_bp, term_months=drawdown.term_months, repayment=drawdown.repayment, disbursed_at=at,
            core_ref=str(answer.core_ref), schedule=plan,
        )  # fmt: skip


def _booked_event(loan: BookedLoan) -> Mapping[str, Any]:
    return {
        "loan_id": loan.loan_id,
        "drawdown_id": loan.drawdown_id,
        "offer_id": loan.offer_id,
        "application_id": loan.application_id,
        "principal_cents": loan.principal_cents,
        "disbursed_at": loan.disbursed_at.isoformat(),
        "first_due": loan.schedule[0].due_date.isoformat() if loan.schedule else None,
    }


def _pause() -> None:
    time.sleep(0.002)  # a lost compare-and-set: let the winner's transaction finish
