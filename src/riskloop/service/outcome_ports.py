"""The ports of the outcome use case (``service.outcomes``).

SQL and warehouse adapters: ``riskloop.storage.outcomes``; in memory: ``riskloop.testing.memory_outcomes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Protocol

from riskloop.domain.outcome import DecisionLink, DecisionOutcome, LoanRows, OutcomeRun


class LoanBook(Protocol):
    """The bank's loans, repayment schedules and repayments as ingested (append-only part files)."""

    def parts(self) -> frozenset[str]:
        """Names of every part file of ``loans``, ``repayment_schedules`` and ``repayments``."""
        ...

    def touched(self, parts: Collection[str]) -> set[str]:
        """Loan ids with a row in any of ``parts``."""
        ...

    def moving(self, after: dt.date, until: dt.date) -> set[str]:
        """Loans disbursed, or with an instalment due, in ``(after, until]``."""
        ...

    def loans(self, loan_ids: Collection[str] | None, as_of: dt.date) -> Iterator[LoanRows]:
        """The loans of ``loan_ids`` (every loan when None) disbursed by ``as_of``, rows dated after it left out."""
        ...


class DecisionLinks(Protocol):
    """The stored champion decision of applications."""

    def links(self, application_ids: Collection[str]) -> Mapping[str, DecisionLink]:
        """The latest champion decision of each of ``application_ids`` that has one."""
        ...


class OutcomeStore(Protocol):
    """Outcome records, one per loan, and the update runs."""

    def last_run(self) -> OutcomeRun | None:
        """The latest finished update, or None."""
        ...

    def due(self, as_of: dt.date) -> set[str]:
        """Loan ids whose record may change by ``as_of`` without new rows (``next_review`` on or before it)."""
        ...

    def get_many(self, loan_ids: Collection[str]) -> dict[str, DecisionOutcome]:
        """The stored records of ``loan_ids`` that exist."""
        ...

    def put_many(self, records: Sequence[DecisionOutcome]) -> None:
        """Insert or replace ``records`` (one transaction)."""
        ...

    def remove_except(self, loan_ids: Collection[str]) -> int:
        """Delete every record whose loan is not in ``loan_ids``; the number deleted."""
        ...

    def finish(self, run: OutcomeRun) -> None:
        """Record a finished update."""
        ...

    def all(self) -> list[DecisionOutcome]:
        """Every record, by loan id."""
        ...

    def for_decision(self, decision_id: str) -> DecisionOutcome | None:
        """The record linked to ``decision_id``, or None (no loan drawn, or not updated since)."""
        ...
