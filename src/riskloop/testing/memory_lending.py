"""MemoryLendingStore: the LendingStore in memory, with its audit rows and outbox (a MemoryOutbox).

It keeps what ``storage.lending.SQLLendingStore`` keeps and refuses what its tables refuse (primary keys, the
unique decision of an offer, the unique channel and Idempotency-Key of a drawdown, one loan per drawdown), so a
use-case test on it says what the database does. Each write checks everything before it changes anything, under
the outbox's lock: all or nothing, as a transaction is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from riskloop.domain.audit import AuditEntry
from riskloop.domain.drawdown import BookedLoan, Drawdown
from riskloop.domain.offer import Offer
from riskloop.domain.outbox import OutboxMessage
from riskloop.domain.repayment_schedule import Instalment
from riskloop.errors import ConflictError
from riskloop.service.lending_ports import LendingStore
from riskloop.testing.memory_outbox import MemoryOutbox


@dataclass
class MemoryLendingStore:
    """Offers, drawdowns and booked loans in dicts; ``published`` holds each exported loan's run and time.

    The drawdowns dict is ``drawdowns_by_id``: ``drawdowns`` is the port's listing method.
    """

    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    offers: dict[str, Offer] = field(default_factory=dict)
    drawdowns_by_id: dict[str, Drawdown] = field(default_factory=dict)
    loans: dict[str, BookedLoan] = field(default_factory=dict)
    published: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    def offer(self, offer_id: str) -> Offer | None:
        """The offer, or None."""
        with self.outbox.lock:
            return self.offers.get(offer_id)

    def add_offer(self, offer: Offer, entry: AuditEntry) -> None:
        """Insert a new offer; ConflictError naming ``offer_id`` when its id (or its decision's offer) exists."""
        with self.outbox.lock:
            decisions = {o.decision_id for o in self.offers.values()}
            if offer.offer_id in self.offers or offer.decision_id in decisions:
                raise ConflictError("offer_id", "an offer of this decision exists")
            self.offers[offer.offer_id] = offer
            self.audit.append(entry)

    def save_offer(self, offer: Offer, entry: AuditEntry) -> None:
        """Compare-and-set the offer."""
        with self.outbox.lock:
            self._check_offer(offer)
            self.offers[offer.offer_id] = offer
            self.audit.append(entry)

    def drawdown(self, drawdown_id: str) -> Drawdown | None:
        """The drawdown, or None."""
        with self.outbox.lock:
            return self.drawdowns_by_id.get(drawdown_id)

    def drawdowns(self, offer_id: str | None = None, statuses: Sequence[str] = (), limit: int = 100) -> list[Drawdown]:
        """Drawdowns (of an offer, in given statuses), newest first (then by id, as the SQL store orders them)."""
        wanted = {str(s) for s in statuses}
        with self.outbox.lock:
            found = [
                d
                for d in self.drawdowns_by_id.values()
                if (offer_id is None or d.offer_id == offer_id) and (not wanted or d.status.value in wanted)
            ]
        found.sort(key=lambda d: d.drawdown_id)
        found.sort(key=lambda d: d.requested_at, reverse=True)  # stable: equal times stay in id order
        return found[: max(limit, 0)]

    def add_drawdown(self, drawdown: Drawdown, offer: Offer | None, entry: AuditEntry) -> None:
        """Insert the drawdown and compare-and-set its offer in one step.

        ConflictError naming ``offer_id`` when the offer changed since it was read (checked first, as the SQL
        store updates the offer before it inserts), ``Idempotency-Key`` when the drawdown's id or its channel and
        key exist; either way nothing changes.
        """
        with self.outbox.lock:
            if offer is not None:
                self._check_offer(offer)
            taken = drawdown.drawdown_id in self.drawdowns_by_id or any(
                (d.channel, d.idempotency_key) == (drawdown.channel, drawdown.idempotency_key)
                for d in self.drawdowns_by_id.values()
            )
            if taken:
                raise ConflictError("Idempotency-Key", "a drawdown of this key exists")
            if offer is not None:
                self.offers[offer.offer_id] = offer
            self.drawdowns_by_id[drawdown.drawdown_id] = _stored(drawdown)
            self.audit.append(entry)

    def settle(
        self,
        drawdown: Drawdown,
        offer: Offer | None,
        booked: BookedLoan | None,
        entry: AuditEntry,
        message: OutboxMessage | None,
    ) -> None:
        """Compare-and-set the drawdown and its offer, insert the booked loan and schedule, audit, outbox.

        ConflictError naming ``drawdown_id`` when the drawdown changed or its loan is booked already, ``offer_id``
        when the offer changed; either way nothing changes.
        """
        with self.outbox.lock:
            held = self.drawdowns_by_id.get(drawdown.drawdown_id)
            if held is None or held.row_version != drawdown.row_version - 1:
                raise ConflictError("drawdown_id", "changed by another request; read it again")
            if offer is not None:
                self._check_offer(offer)
            if booked is not None:
                self._check_loan(booked)
            self.drawdowns_by_id[drawdown.drawdown_id] = _stored(drawdown)
            if offer is not None:
                self.offers[offer.offer_id] = offer
            if booked is not None:
                self.loans[booked.loan_id] = replace(booked, schedule=tuple(sorted(booked.schedule, key=_number)))
            self.audit.append(entry)
            if message is not None:
                self.outbox.write(message)

    def loan(self, loan_id: str) -> BookedLoan | None:
        """A booked loan with its schedule, or None."""
        with self.outbox.lock:
            return self.loans.get(loan_id)

    def unpublished_loans(self, limit: int) -> list[BookedLoan]:
        """Booked loans not in the warehouse yet, oldest first (then by id)."""
        with self.outbox.lock:
            found = [loan for loan in self.loans.values() if loan.loan_id not in self.published]
        found.sort(key=lambda loan: (loan.disbursed_at, loan.loan_id))
        return found[: max(limit, 0)]

    def mark_published(self, loan_ids: Sequence[str], run: str, at: dt.datetime) -> None:
        """Record the warehouse export that holds ``loan_ids`` (ids of no booked loan are ignored)."""
        with self.outbox.lock:
            for loan_id in loan_ids:
                if loan_id in self.loans:
                    self.published[loan_id] = (run, at)

    def _check_offer(self, offer: Offer) -> None:
        """ConflictError unless the stored offer holds the version ``offer`` was made from."""
        held = self.offers.get(offer.offer_id)
        if held is None or held.row_version != offer.row_version - 1:
            raise ConflictError("offer_id", "changed by another request; read it again")

    def _check_loan(self, booked: BookedLoan) -> None:
        """ConflictError when the loan, or a loan of its drawdown, exists (or its schedule repeats a number)."""
        numbers = [i.number for i in booked.schedule]
        taken = booked.loan_id in self.loans or any(
            loan.drawdown_id == booked.drawdown_id for loan in self.loans.values()
        )
        if taken or len(set(numbers)) != len(numbers):
            raise ConflictError("drawdown_id", "its loan is booked already")


def _stored(drawdown: Drawdown) -> Drawdown:
    """The drawdown as the SQL store reads it back: its reasons a tuple, its re-check a JSON copy."""
    recheck = json.loads(json.dumps(drawdown.recheck, sort_keys=True, ensure_ascii=False))
    return replace(drawdown, reasons=tuple(drawdown.reasons), recheck=recheck)


def _number(instalment: Instalment) -> int:
    return instalment.number


def _as_port(store: MemoryLendingStore) -> LendingStore:  # mypy checks the fake against the port
    return store
