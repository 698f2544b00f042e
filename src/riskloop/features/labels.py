"""Observed loan outcomes from the bank's own repayment records (the training label)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from riskloop.errors import DataSourceError, ValidationError
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


# Bad by h months on book (``domain.outcome``'s rule): an instalment not covered ``days`` after its due date, that
# day falling within h months of disbursal; only loans whose h-month window has ended by the observation day.
_MATURED_SQL = """
WITH horizon AS (
    SELECT loan_id, application_id, CAST(disbursed_date + INTERVAL {months} MONTH AS DATE) AS ends
    FROM loans WHERE CAST(disbursed_date + INTERVAL {months} MONTH AS DATE) <= DATE '{obs}'),
instalment AS (
    SELECT s.loan_id, s.installment_no, s.principal_due_cents + s.interest_due_cents AS due,
           CAST(s.due_date + INTERVAL {days} DAY AS DATE) AS bad_day
    FROM repayment_schedules s JOIN horizon h USING (loan_id)
    WHERE CAST(s.due_date + INTERVAL {days} DAY AS DATE) <= h.ends),
covered AS (
    SELECT i.loan_id, i.due, coalesce(sum(r.amount_cents), 0) AS paid
    FROM instalment i LEFT JOIN repayments r
      ON r.loan_id = i.loan_id AND r.installment_no = i.installment_no AND r.paid_date <= i.bad_day
    GROUP BY i.loan_id, i.installment_no, i.due)
SELECT h.application_id, h.loan_id, CAST(coalesce(bool_or(c.paid < c.due), false) AS INTEGER) AS bad
FROM horizon h LEFT JOIN covered c USING (loan_id)
GROUP BY h.application_id, h.loan_id
ORDER BY h.application_id
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
    return _outcomes(root, _SQL.format(obs=observed_on.isoformat(), days=int(days_past_due)))


def matured_outcomes(root: Path, observed_on: dt.date, months: int, days_past_due: int = BAD_DAYS_PAST_DUE) -> pa.Table:
    """Loans whose first ``months`` on book have passed by ``observed_on``, ``bad`` if 90+ days past due by then.

    A fixed performance window, as decision outcomes define bad at 3/6/12 months (``domain.outcome``): every
    loan is judged over the same time, so recent loans do not look good only because they had less time to fail.
    """
    if months < 1:
        raise ValidationError("label_months", f"at least 1 month, got {months}")
    sql = _MATURED_SQL.format(obs=observed_on.isoformat(), days=int(days_past_due), months=int(months))
    return _outcomes(root, sql)


def _outcomes(root: Path, sql: str) -> pa.Table:
    """``sql`` over the loans, schedules and repayments under ``root`` (DataSourceError naming what is missing)."""
    needed = ("loans", "repayment_schedules", "repayments")
    con, present = open_tables(root, needed)
    try:
        missing = sorted(set(needed) - present)
        if missing:
            raise DataSourceError(f"{', '.join(missing)}: no table under {root}; outcomes need loans and repayments")
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()
