"""The behaviour score's rows (行为评分): signals and repayment history of a loan, and its observed label.

A row is a loan on the book at a month end: its monitoring signals plus its repayment history. Its label is
whether it reaches 90+ days past due within the next H months.

Both are DuckDB SQL run through a ``SqlRunner`` and read only the bank's own tables (``loans``,
``repayment_schedules``, ``repayments``); never a synthetic universe's ``truth/``.

Point in time: the history of a loan as of ``D`` reads repayments paid on or before ``D``. The label of a
snapshot ``D`` reads only repayments paid on or before ``D + H``: the loan is bad when one of its instalments
is still not paid in full 90 days after its due date, and that day falls in ``(D, D + H]``. A snapshot whose
window ends after the observation date is immature and gets no label.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.outcome import BAD_DPD, add_months
from riskloop.monitoring.engine import SqlRunner
from riskloop.monitoring.signals import SIGNAL_NAMES

HISTORY_TABLES = ("loans", "repayment_schedules", "repayments")
HISTORY_NAMES = ("months_on_book", "term_months", "principal_10k", "late_installments_180", "max_late_days_180")
FEATURES: tuple[str, ...] = (*SIGNAL_NAMES, *HISTORY_NAMES)  # the model's inputs, in matrix order
SCORE, REASONS = "behaviour_pd", "behaviour_reason"  # the signal the policy reads; its reasons in evidence
HORIZON_MONTHS = 6

_HISTORY = """
WITH due AS (
    SELECT s.loan_id, s.installment_no, s.due_date, s.principal_due_cents + s.interest_due_cents AS due_cents
    FROM repayment_schedules s JOIN loans l ON l.loan_id = s.loan_id
    WHERE l.disbursed_date <= {d} AND s.due_date < {d} AND s.due_date > {d} - INTERVAL 180 DAY),
paid AS (
    SELECT r.loan_id, r.installment_no, sum(r.amount_cents) AS cents, max(r.paid_date) AS last_paid
    FROM repayments r JOIN due USING (loan_id, installment_no) WHERE r.paid_date <= {d}
    GROUP BY r.loan_id, r.installment_no),
late AS (
    SELECT d.loan_id,
           greatest(date_diff('day', d.due_date,
                    CASE WHEN coalesce(p.cents, 0) >= d.due_cents THEN p.last_paid ELSE {d} END), 0) AS days
    FROM due d LEFT JOIN paid p USING (loan_id, installment_no)),
hist AS (
    SELECT loan_id, sum(CASE WHEN days > 0 THEN 1 ELSE 0 END) AS n_late, max(days) AS max_late
    FROM late GROUP BY loan_id)
SELECT l.loan_id,
       CAST(date_diff('month', l.disbursed_date, {d}) AS DOUBLE) AS months_on_book,
       CAST(l.term_months AS DOUBLE) AS term_months,
       l.principal_cents / 1000000.0 AS principal_10k,
       CAST(coalesce(h.n_late, 0) AS DOUBLE) AS late_installments_180,
       CAST(coalesce(h.max_late, 0) AS DOUBLE) AS max_late_days_180
FROM loans l LEFT JOIN hist h ON h.loan_id = l.loan_id
WHERE l.disbursed_date <= {d}
"""

_FIRST_BAD = """
WITH due AS (
    SELECT s.loan_id, s.installment_no, s.due_date, s.principal_due_cents + s.interest_due_cents AS due_cents,
           s.due_date + INTERVAL {bad} DAY AS bad_day
    FROM repayment_schedules s WHERE s.due_date + INTERVAL {bad} DAY <= {t}),
paid AS (
    SELECT d.loan_id, d.installment_no, sum(r.amount_cents) AS cents
    FROM due d JOIN repayments r ON r.loan_id = d.loan_id AND r.installment_no = d.installment_no
    WHERE r.paid_date <= d.bad_day GROUP BY d.loan_id, d.installment_no)
SELECT d.loan_id, CAST(min(d.bad_day) AS DATE) AS first_bad_day
FROM due d LEFT JOIN paid p ON p.loan_id = d.loan_id AND p.installment_no = d.installment_no
WHERE coalesce(p.cents, 0) < d.due_cents
GROUP BY d.loan_id
"""


def _lit(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def history_sql(as_of: dt.date) -> str:
    """Repayment history of every loan disbursed by ``as_of``: months on book, term, amount, lateness in 180 d."""
    return _HISTORY.replace("{d}", _lit(as_of))


def first_bad_sql(observed_on: dt.date, bad_dpd: int = BAD_DPD) -> str:
    """The first day each loan was ``bad_dpd`` days past due, seen from the repayments up to ``observed_on``.

    The SQL form of ``riskloop.domain.outcome``'s one definition of bad, for whole books.

    An instalment makes its loan bad on ``due + bad_dpd`` when the repayments paid by then do not cover it;
    only bad days on or before ``observed_on`` are known.
    """
    return _FIRST_BAD.replace("{t}", _lit(observed_on)).replace("{bad}", str(int(bad_dpd)))


def with_history(runner: SqlRunner, signals: pa.Table, as_of: dt.date) -> pa.Table:
    """``signals`` (one row per loan on the book) with the history columns of ``HISTORY_NAMES`` joined by loan."""
    history = runner.run(history_sql(as_of), HISTORY_TABLES, {})
    return signals.join(history, "loan_id", join_type="left outer").sort_by("loan_id")


def mature(day: dt.date, observed_on: dt.date, horizon_months: int = HORIZON_MONTHS) -> bool:
    """Whether the label window of a snapshot ``day`` has ended by ``observed_on``."""
    return add_months(day, horizon_months) <= observed_on


def label_rows(
    rows: pa.Table,
    first_bad: pa.Table,
    observed_on: dt.date,
    horizon_months: int = HORIZON_MONTHS,
) -> pa.Table:
    """``rows`` (``loan_id``, ``as_of``, ...) of mature snapshots only, with ``bad`` 0/1.

    ``bad`` is 1 when the loan's first bad day (``first_bad_sql``) falls in ``(as_of, as_of + horizon]``.
    """
    days = sorted(set(rows.column("as_of").to_pylist()))
    keep = [d for d in days if mature(d, observed_on, horizon_months)]
    rows = rows.filter(pc.is_in(rows["as_of"], pa.array(keep, pa.date32()))) if keep else rows.slice(0, 0)
    bad_day = dict(zip(first_bad["loan_id"].to_pylist(), first_bad["first_bad_day"].to_pylist(), strict=True))
    ends = {d: add_months(d, horizon_months) for d in keep}
    labels = [
        int(b is not None and d < b <= ends[d])
        for loan, d in zip(rows["loan_id"].to_pylist(), rows["as_of"].to_pylist(), strict=True)
        for b in (bad_day.get(loan),)
    ]
    return rows.append_column("bad", pa.array(labels, pa.int64()))
