"""Hand booked loans to the warehouse, where post-loan monitoring, outcomes and retraining read the loan book.

A booked loan lives in the database (``booked_loans``, ``booked_instalments``: written in the transaction that
booked it). ``publish_booked`` appends the loans not handed over yet to the warehouse's ``loans`` and
``repayment_schedules`` tables as part files, then records them as published. A batch's part files are named
after its loans (the same batch gives the same name), so a run that stopped between writing and recording is
finished by the next one without writing the loans twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from riskloop.domain.clock import Clock
from riskloop.domain.drawdown import BookedLoan
from riskloop.service.lending_ports import LendingStore
from riskloop.service.ports import Progress, no_progress

BATCH = 50_000  # loans per batch (their schedules are up to 120 rows each)


class BookParts(Protocol):
    """The warehouse's loan book tables (``storage.book_parts``)."""

    def written(self, run: str) -> bool:
        """Whether the part files of ``run`` are in place."""
        ...

    def write(self, run: str, loans: Sequence[dict[str, Any]], schedules: Sequence[dict[str, Any]]) -> None:
        """Append ``loans`` to ``loans`` and ``schedules`` to ``repayment_schedules`` as the part files of ``run``."""
        ...


def publish_booked(
    store: LendingStore, parts: BookParts, clock: Clock, progress: Progress = no_progress, batch: int = BATCH
) -> dict[str, Any]:
    """Publish every booked loan not in the warehouse yet; the runs written and the loans and instalments."""
    runs, loans, instalments = [], 0, 0
    while True:
        pending = store.unpublished_loans(batch)
        if not pending:
            break
        run = _run_of(pending)
        if not parts.written(run):
            parts.write(run, [_loan_row(x) for x in pending], [r for x in pending for r in _schedule_rows(x)])
        store.mark_published([x.loan_id for x in pending], run, clock.now())
        runs.append(run)
        loans += len(pending)
        instalments += sum(len(x.schedule) for x in pending)
        progress("publish booked loans", loans, loans + (batch if len(pending) == batch else 0))
    return {"runs": runs, "loans": loans, "instalments": instalments}


def _run_of(loans: Sequence[BookedLoan]) -> str:
    digest = hashlib.sha256("\n".join(x.loan_id for x in loans).encode()).hexdigest()
    return f"booked-{digest[:16]}"


def _loan_row(loan: BookedLoan) -> dict[str, Any]:
    return {
        "loan_id": loan.loan_id,
        "application_id": loan.application_id,
        "credit_code": loan.credit_code,
        "disbursed_date": loan.disbursed_at.date(),
        "principal_cents": loan.principal_cents,
        "term_months": loan.term_months,
        "rate_bp": loan.rate_bp,
    }


def _schedule_rows(loan: BookedLoan) -> list[dict[str, Any]]:
    return [
        {
            "loan_id": loan.loan_id,
            "installment_no": i.number,
            "due_date": i.due_date,
            "principal_due_cents": i.principal_cents,
            "interest_due_cents": i.interest_cents,
        }
        for i in loan.schedule
    ]
