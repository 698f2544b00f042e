"""In-memory fakes of the outcome ports: a loan book of named parts, decision links, an outcome store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from riskloop.domain.outcome import DecisionLink, DecisionOutcome, Instalment, Loan, LoanRows, OutcomeRun, Payment


@dataclass
class MemoryLoanBook:
    """Loans, instalments and payments, each row added in a named part (as an ingest appends part files)."""

    loans_by_id: dict[str, tuple[str, Loan]] = field(default_factory=dict)
    instalments: list[tuple[str, str, Instalment]] = field(default_factory=list)  # part, loan id, row
    payments: list[tuple[str, str, Payment]] = field(default_factory=list)

    def add(self, part: str, loan: Loan, schedule: Sequence[Instalment] = (), paid: Sequence[Payment] = ()) -> None:
        """Add ``loan`` with its rows in ``part``."""
        self.loans_by_id[loan.loan_id] = (part, loan)
        self.instalments += [(part, loan.loan_id, i) for i in schedule]
        self.payments += [(part, loan.loan_id, p) for p in paid]

    def pay(self, part: str, loan_id: str, payment: Payment) -> None:
        """A payment of ``loan_id`` arriving in ``part``."""
        self.payments.append((part, loan_id, payment))

    def parts(self) -> frozenset[str]:
        """Every part name."""
        rows = [p for p, _ in self.loans_by_id.values()] + [p for p, _, _ in self.instalments + self.payments]
        return frozenset(rows)

    def touched(self, parts: Collection[str]) -> set[str]:
        """Loans with a row in ``parts``."""
        found = {loan.loan_id for p, loan in self.loans_by_id.values() if p in parts}
        return found | {loan_id for p, loan_id, _ in self.instalments + self.payments if p in parts}

    def moving(self, after: dt.date, until: dt.date) -> set[str]:
        """Loans disbursed or with an instalment due in ``(after, until]``."""
        found = {loan.loan_id for _, loan in self.loans_by_id.values() if after < loan.disbursed_date <= until}
        return found | {loan_id for _, loan_id, i in self.instalments if after < i.due_date <= until}

    def loans(self, loan_ids: Collection[str] | None, as_of: dt.date) -> Iterator[LoanRows]:
        """Loans disbursed by ``as_of`` with their rows dated on or before it, by loan id."""
        for loan_id in sorted(self.loans_by_id):
            loan = self.loans_by_id[loan_id][1]
            if (loan_ids is not None and loan_id not in loan_ids) or loan.disbursed_date > as_of:
                continue
            schedule = sorted((i for _, k, i in self.instalments if k == loan_id and i.due_date <= as_of),
                              key=lambda i: i.installment_no)  # fmt: skip
            paid = [p for _, k, p in self.payments if k == loan_id and p.paid_date <= as_of]
            yield LoanRows(loan, tuple(schedule), tuple(paid))


@dataclass
class MemoryDecisionLinks:
    """Decision links by application id."""

    by_application: dict[str, DecisionLink] = field(default_factory=dict)

    def links(self, application_ids: Collection[str]) -> Mapping[str, DecisionLink]:
        """The links of ``application_ids`` that exist."""
        return {a: self.by_application[a] for a in application_ids if a in self.by_application}


@dataclass
class MemoryOutcomeStore:
    """Outcome records by loan id and the finished runs, oldest first."""

    records: dict[str, DecisionOutcome] = field(default_factory=dict)
    runs: list[OutcomeRun] = field(default_factory=list)

    def last_run(self) -> OutcomeRun | None:
        """The latest finished run."""
        return self.runs[-1] if self.runs else None

    def due(self, as_of: dt.date) -> set[str]:
        """Loans whose next review is on or before ``as_of``."""
        return {k for k, r in self.records.items() if r.outcome.next_review <= as_of}

    def get_many(self, loan_ids: Collection[str]) -> dict[str, DecisionOutcome]:
        """The stored records of ``loan_ids``."""
        return {k: self.records[k] for k in loan_ids if k in self.records}

    def put_many(self, records: Sequence[DecisionOutcome]) -> None:
        """Insert or replace ``records``."""
        self.records.update((r.loan_id, r) for r in records)

    def remove_except(self, loan_ids: Collection[str]) -> int:
        """Delete the records of loans not in ``loan_ids``."""
        gone = set(self.records) - set(loan_ids)
        for k in gone:
            del self.records[k]
        return len(gone)

    def finish(self, run: OutcomeRun) -> None:
        """Record a finished run."""
        self.runs.append(run)

    def all(self) -> list[DecisionOutcome]:
        """Every record, by loan id."""
        return [self.records[k] for k in sorted(self.records)]

    def for_decision(self, decision_id: str) -> DecisionOutcome | None:
        """The record linked to ``decision_id``."""
        found = [r for r in self.all() if r.decision is not None and r.decision.decision_id == decision_id]
        return found[0] if found else None
