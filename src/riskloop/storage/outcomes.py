"""Adapters of the outcome ports: the loan book in the warehouse, decision links and outcome records in SQL."""

# ruff: noqa: S608 - table names come from the contract; dates are ISO literals; paths go through sql_literal

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from riskloop.domain.decision_record import CHAMPION
from riskloop.domain.outcome import (
    HORIZONS,
    DecisionLink,
    DecisionOutcome,
    Horizon,
    Instalment,
    Loan,
    LoanOutcome,
    LoanRows,
    OutcomeRun,
    Payment,
    link_of,
)
from riskloop.io.warehouse import Warehouse, sql_literal
from riskloop.storage.decision_models import decisions
from riskloop.storage.outcome_models import decision_outcomes, outcome_runs

BOOK_TABLES = ("loans", "repayment_schedules", "repayments")
CHUNK = 500  # ids per IN list (SQLite binds at most 32,766 parameters)


def _chunks(items: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(items)
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


def _day(day: dt.date) -> str:
    return f"DATE {sql_literal(day.isoformat())}"


class WarehouseLoanBook:
    """The LoanBook port over the warehouse's Parquet part files (DuckDB)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def parts(self) -> frozenset[str]:
        """``<table>/<part file>`` of every part file of the book's tables."""
        return frozenset(f"{name}/{path.name}" for name in BOOK_TABLES for path in self.warehouse.files(name))

    def touched(self, parts: Collection[str]) -> set[str]:
        """Loan ids with a row in any of ``parts``."""
        files = [str(self.warehouse.root / p) for p in sorted(parts) if (self.warehouse.root / p).is_file()]
        if not files:
            return set()
        con = self.warehouse.connect()
        try:
            listed = ", ".join(sql_literal(f) for f in files)
            rows = con.execute(f"SELECT DISTINCT loan_id FROM read_parquet([{listed}], union_by_name = true)")
            return {str(r[0]) for r in rows.fetchall()}
        finally:
            con.close()

    def moving(self, after: dt.date, until: dt.date) -> set[str]:
        """Loans disbursed, or with an instalment due, in ``(after, until]``."""
        if until <= after:
            return set()
        present = set(self.warehouse.tables())
        queries = []
        if "loans" in present:
            queries.append(f"SELECT loan_id FROM loans WHERE disbursed_date > {_day(after)} "
                           f"AND disbursed_date <= {_day(until)}")  # fmt: skip
        if "repayment_schedules" in present:
            queries.append(f"SELECT loan_id FROM repayment_schedules WHERE due_date > {_day(after)} "
                           f"AND due_date <= {_day(until)}")  # fmt: skip
        if not queries:
            return set()
        con = self.warehouse.connect()
        try:
            return {str(r[0]) for r in con.execute(" UNION ".join(queries)).fetchall()}
        finally:
            con.close()

    def loans(self, loan_ids: Collection[str] | None, as_of: dt.date) -> Iterator[LoanRows]:
        """Loans disbursed by ``as_of`` (of ``loan_ids``, or all) with their rows dated on or before it."""
        present = set(self.warehouse.tables())
        if "loans" not in present or (loan_ids is not None and not loan_ids):
            return
        con = self.warehouse.connect()
        try:
            wanted = wanted_loans = ""
            if loan_ids is not None:
                con.register("wanted", pa.table({"loan_id": pa.array(sorted(loan_ids), pa.string())}))
                wanted = " AND loan_id IN (SELECT loan_id FROM wanted)"
                wanted_loans = " AND l.loan_id IN (SELECT loan_id FROM wanted)"
            channel = "a.channel" if "applications" in present else "CAST(NULL AS VARCHAR)"
            joined = (
                "LEFT JOIN applications a ON a.application_id = l.application_id" if "applications" in present else ""
            )
            loans = con.execute(
                f"SELECT l.loan_id, l.application_id, l.disbursed_date, l.term_months, l.principal_cents, {channel} "
                f"FROM loans l {joined} WHERE l.disbursed_date <= {_day(as_of)}"
                f"{wanted_loans} ORDER BY l.loan_id"
            ).fetchall()
            schedule: dict[str, list[Instalment]] = {}
            if "repayment_schedules" in present:
                for loan_id, no, due, cents in con.execute(
                    "SELECT loan_id, installment_no, due_date, principal_due_cents + interest_due_cents "
                    f"FROM repayment_schedules WHERE due_date <= {_day(as_of)}{wanted}"
                ).fetchall():
                    schedule.setdefault(loan_id, []).append(Instalment(int(no), due, int(cents)))
            payments: dict[str, list[Payment]] = {}
            if "repayments" in present:
                for loan_id, no, paid, cents in con.execute(
                    "SELECT loan_id, installment_no, paid_date, amount_cents "
                    f"FROM repayments WHERE paid_date <= {_day(as_of)}{wanted}"
                ).fetchall():
                    payments.setdefault(loan_id, []).append(Payment(int(no), paid, int(cents)))
        finally:
            con.close()
        for loan_id, application_id, disbursed, term, principal, chan in loans:
            loan = Loan(str(loan_id), str(application_id), disbursed, int(term), int(principal), chan)
            yield LoanRows(
                loan,
                tuple(sorted(schedule.get(loan_id, ()), key=lambda i: i.installment_no)),
                tuple(sorted(payments.get(loan_id, ()), key=lambda p: (p.paid_date, p.installment_no, p.amount_cents))),
            )


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class SQLDecisionLinks:
    """The DecisionLinks port over the ``decisions`` table: the latest champion decision of an application."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def links(self, application_ids: Collection[str]) -> Mapping[str, DecisionLink]:
        """The latest champion decision of each application that has one."""
        out: dict[str, DecisionLink] = {}
        cols = (decisions.c.application_id, decisions.c.decision_id, decisions.c.tier, decisions.c.strategy,
                decisions.c.decided_at, decisions.c.decision)  # fmt: skip
        with self.engine.connect() as conn:
            for chunk in _chunks(set(application_ids)):
                stmt = (
                    sa.select(*cols)
                    .where(decisions.c.application_id.in_(chunk), decisions.c.role == CHAMPION)
                    .order_by(decisions.c.decided_at, decisions.c.decision_id)
                )
                for app_id, decision_id, tier, strategy, decided_at, body in conn.execute(stmt):
                    model = str(json.loads(body).get("versions", {}).get("model", ""))
                    decided = _utc(decided_at)
                    assert decided is not None
                    out[app_id] = DecisionLink(decision_id, tier, strategy, model, decided)  # latest wins
        return out


def _row(record: DecisionOutcome) -> dict[str, Any]:
    o, d = record.outcome, record.decision
    row: dict[str, Any] = {
        "loan_id": o.loan_id,
        "application_id": o.application_id,
        "decision_id": None if d is None else d.decision_id,
        "tier": None if d is None else d.tier,
        "strategy": None if d is None else d.strategy,
        "model": None if d is None else d.model,
        "decided_at": None if d is None else d.decided_at,
        "channel": o.channel,
        "disbursed_date": o.disbursed_date,
        "term_months": o.term_months,
        "principal_cents": o.principal_cents,
        "computed_as_of": o.as_of,
        "months_on_book": o.months_on_book,
        "status": o.status,
        "current_dpd": o.current_dpd,
        "max_dpd": o.max_dpd,
        "first_bad_day": o.first_bad_day,
        "next_review": o.next_review,
    }
    for h in o.horizons:
        row[f"matured_{h.months}m"], row[f"bad_{h.months}m"] = h.matured, h.bad
    return row


def _record(row: Any) -> DecisionOutcome:
    horizons = tuple(
        Horizon(h, bool(row[f"matured_{h}m"]), None if row[f"bad_{h}m"] is None else bool(row[f"bad_{h}m"]))
        for h in HORIZONS
    )
    outcome = LoanOutcome(
        row["loan_id"],
        row["application_id"],
        row["computed_as_of"],
        row["disbursed_date"],
        row["term_months"],
        row["principal_cents"],
        row["channel"],
        row["months_on_book"],
        row["status"],
        row["current_dpd"],
        row["max_dpd"],
        row["first_bad_day"],
        horizons,
        row["next_review"],
    )
    return DecisionOutcome(outcome, link_of({**row, "decided_at": _utc(row["decided_at"])}))


class SQLOutcomeStore:
    """The OutcomeStore port on ``decision_outcomes`` and ``outcome_runs``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def last_run(self) -> OutcomeRun | None:
        """The latest finished update."""
        stmt = sa.select(outcome_runs).order_by(outcome_runs.c.run_id.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            return None
        started, finished = _utc(row.started_at), _utc(row.finished_at)
        assert started is not None
        assert finished is not None
        return OutcomeRun(row.as_of, frozenset(json.loads(row.parts)), bool(row.full), started, finished,
                          row.loans, row.recomputed, row.changed, row.removed)  # fmt: skip

    def due(self, as_of: dt.date) -> set[str]:
        """Loans whose ``next_review`` is on or before ``as_of``."""
        stmt = sa.select(decision_outcomes.c.loan_id).where(decision_outcomes.c.next_review <= as_of)
        with self.engine.connect() as conn:
            return set(conn.execute(stmt).scalars())

    def get_many(self, loan_ids: Collection[str]) -> dict[str, DecisionOutcome]:
        """The stored records of ``loan_ids``."""
        out: dict[str, DecisionOutcome] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(set(loan_ids)):
                stmt = sa.select(decision_outcomes).where(decision_outcomes.c.loan_id.in_(chunk))
                out.update((r.loan_id, _record(r._mapping)) for r in conn.execute(stmt))
        return out

    def put_many(self, records: Sequence[DecisionOutcome]) -> None:
        """Insert or replace ``records`` in one transaction."""
        if not records:
            return
        rows = [_row(r) for r in records]
        with self.engine.begin() as conn:
            for chunk in _chunks({r["loan_id"] for r in rows}):
                conn.execute(sa.delete(decision_outcomes).where(decision_outcomes.c.loan_id.in_(chunk)))
            conn.execute(decision_outcomes.insert(), rows)

    def remove_except(self, loan_ids: Collection[str]) -> int:
        """Delete the records of loans not in ``loan_ids``."""
        keep = set(loan_ids)
        with self.engine.begin() as conn:
            stored = set(conn.execute(sa.select(decision_outcomes.c.loan_id)).scalars())
            gone = stored - keep
            for chunk in _chunks(gone):
                conn.execute(sa.delete(decision_outcomes).where(decision_outcomes.c.loan_id.in_(chunk)))
        return len(gone)

    def finish(self, run: OutcomeRun) -> None:
        """Record a finished update."""
        values = {
            "as_of": run.as_of,
            "full": run.full,
            "parts": json.dumps(sorted(run.parts)),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "loans": run.loans,
            "recomputed": run.recomputed,
            "changed": run.changed,
            "removed": run.removed,
        }
        with self.engine.begin() as conn:
            conn.execute(outcome_runs.insert().values(**values))

    def all(self) -> list[DecisionOutcome]:
        """Every record, by loan id."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(decision_outcomes).order_by(decision_outcomes.c.loan_id))
            return [_record(r._mapping) for r in rows]

    def for_decision(self, decision_id: str) -> DecisionOutcome | None:
        """The record linked to ``decision_id``."""
        stmt = sa.select(decision_outcomes).where(decision_outcomes.c.decision_id == decision_id)
        with self.engine.connect() as conn:
            row = conn.execute(stmt.order_by(decision_outcomes.c.loan_id).limit(1)).first()
        return None if row is None else _record(row._mapping)
