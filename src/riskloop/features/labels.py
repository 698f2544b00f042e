"""Observed loan outcomes from the bank's own repayment records (the training label)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from riskloop.errors import DataSourceError
from riskloop.features.backends.duckdb import open_tables

BAD_DAYS_PAST_DUE = 90

_SQL = """
WITH paid AS (
    SELECT loan_id, installment_no, sum(amount_cents) AS paid
    FROM repayments WHERE paid_date <= DATE '{obs}' GROUP BY loan_id, installment_no),
due AS (
    SELECT s.loan_id, s.installment_no, s.due_date,
           s.principal_due_cents + s.interest_due_cents AS due, coalesce(p.paid, 0) AS paid
    FROM repayment_schedules s LEFT JOIN paid p USING (loan_id, installment_no)),
per_loan AS (
    SELECT loan_id, min(due_date) AS first_due,
           bool_or(paid < due AND due_date <= DATE '{obs}' - INTERVAL {days} DAY) AS bad
    FROM due GROUP BY loan_id)
SELECT l.application_id, l.loan_id, CAST(pl.bad AS INTEGER) AS bad
FROM loans l JOIN per_loan pl USING (loan_id)
WHERE pl.first_due <= DATE '{obs}' - INTERVAL {days} DAY
ORDER BY l.application_id
"""


def funded_applications(root: Path) -> set[str]:
    """IDs of the applications that became a loan (the only ones whose outcome can ever be observed)."""
    con, present = open_tables(root, ("loans",))
    try:
        if "loans" not in present:
            raise DataSourceError(f"loans: no table under {root}")
        return {str(r[0]) for r in con.sql("SELECT DISTINCT application_id FROM loans").fetchall()}
    finally:
        con.close()


def observed_outcomes(root: Path, observed_on: dt.date, days_past_due: int = BAD_DAYS_PAST_DUE) -> pa.Table:
    """Loans mature enough to judge on ``observed_on``, with ``bad`` = an instalment ``days_past_due`` unpaid.

    A loan whose first instalment fell due less than ``days_past_due`` days before ``observed_on`` is
    left out: its outcome is not known yet.
    """
    needed = ("loans", "repayment_schedules", "repayments")
    con, present = open_tables(root, needed)
    try:
        missing = sorted(set(needed) - present)
        if missing:
            raise DataSourceError(f"{', '.join(missing)}: no table under {root}; outcomes need loans and repayments")
        sql = _SQL.format(obs=observed_on.isoformat(), days=int(days_past_due))
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()
