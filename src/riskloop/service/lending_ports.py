"""The ports of offers and drawdowns (``service.offers``, ``service.drawdowns``, ``service.recheck``).

In memory: ``riskloop.testing.memory_lending``; SQL: ``riskloop.storage.lending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.decision_record import StoredDecision
from riskloop.domain.drawdown import BookedLoan, Drawdown
from riskloop.domain.lending import LoanProduct
from riskloop.domain.offer import Offer
from riskloop.domain.outbox import OutboxMessage


class LendingStore(Protocol):
    """Offers, drawdowns and the loans they booked.

    Every write is one transaction with its audit entry; every update is a compare-and-set on ``row_version``
    (the stored row must hold ``row_version - 1``), else a ConflictError: two drawdowns never both reserve the
    last of a limit, and two confirmations never both book a loan.
    """

    def offer(self, offer_id: str) -> Offer | None:
        """The offer, or None."""
        ...

    def add_offer(self, offer: Offer, entry: AuditEntry) -> None:
        """Insert a new offer; ConflictError when its id exists."""
        ...

    def save_offer(self, offer: Offer, entry: AuditEntry) -> None:
        """Compare-and-set the offer (acceptance)."""
        ...

    def drawdown(self, drawdown_id: str) -> Drawdown | None:
        """The drawdown, or None."""
        ...

    def drawdowns(self, offer_id: str | None = None, statuses: Sequence[str] = (), limit: int = 100) -> list[Drawdown]:
        """Drawdowns (of an offer, in given statuses), newest first."""
        ...

    def add_drawdown(self, drawdown: Drawdown, offer: Offer | None, entry: AuditEntry) -> None:
        """Insert a drawdown and, when given, compare-and-set its offer (the reservation) in one transaction.

        ConflictError naming ``Idempotency-Key`` when the drawdown's id exists; naming ``offer_id`` when the offer
        changed since it was read.
        """
        ...

    def settle(
        self,
        drawdown: Drawdown,
        offer: Offer | None,
        booked: BookedLoan | None,
        entry: AuditEntry,
        message: OutboxMessage | None,
    ) -> None:
        """Compare-and-set the drawdown and its offer, insert the booked loan and its schedule, audit, outbox."""
        ...

    def loan(self, loan_id: str) -> BookedLoan | None:
        """A booked loan and its schedule, or None."""
        ...

    def unpublished_loans(self, limit: int) -> list[BookedLoan]:
        """Booked loans not yet handed to the warehouse, oldest first."""
        ...

    def mark_published(self, loan_ids: Sequence[str], run: str, at: dt.datetime) -> None:
        """Record that ``loan_ids`` are in the warehouse's part files of ``run``."""
        ...


class EnterpriseAlerts(Protocol):
    """Post-loan alerts of an enterprise still open (the re-check reads them)."""

    def open_levels(self, credit_code: str) -> list[str]:
        """Levels of the enterprise's alerts not closed."""
        ...


class LendingDecisions(Protocol):
    """The stored decisions an offer is made from and a re-check compares with (``storage.decisions``)."""

    def get(self, decision_id: str) -> StoredDecision:
        """The decision; NotFoundError when there is none."""
        ...

    def for_application(self, application_id: str) -> list[StoredDecision]:
        """Every decision of the application, oldest first."""
        ...

    def revealed(
        self, stored: Sequence[StoredDecision], *, actor: str, purpose: str, at: dt.datetime
    ) -> list[StoredDecision]:
        """``stored`` with the request's identifiers opened, one audit row per decision opened."""
        ...


class LoanProducts(Protocol):
    """The bank's loan products (``loan_products``): the bounds an offer's term and rate must respect."""

    def product(self, product_code: str) -> LoanProduct | None:
        """The product, or None when the bank has no such product."""
        ...
