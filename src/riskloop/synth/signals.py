# ruff: noqa: S608, E501  (SQL assembled from constants of this module and a universe path)
"""Post-loan signals of a generated universe against its truth: how often each shows before default and otherwise.

Evaluation code (it reads ``truth/``). For each signal: the share of defaulted loans showing it in the 90 days before the default date, next to the
share of performing loans showing it in their last 90 days before as-of (a window of the same length), and
the rate per 1,000 performing loan-months. Overlap is the point: no signal is certain either way.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# one query per signal: (credit_code, day) rows of the event
SIGNALS = {
    "lawsuit_as_defendant": "SELECT credit_code, filed_date AS day FROM {t}('litigations') WHERE role = 'defendant'",
    "enforcement": "SELECT credit_code, filed_date AS day FROM {t}('enforcements')",
    "dishonest_listing": "SELECT credit_code, listed_date AS day FROM {t}('dishonest_list')",
    "admin_penalty": "SELECT credit_code, penalty_date AS day FROM {t}('admin_penalties')",
    "abnormal_operation_listing": "SELECT credit_code, listed_date AS day FROM {t}('abnormal_operations')",
    "equity_freeze": "SELECT credit_code, freeze_date AS day FROM {t}('equity_freezes')",
    "legal_rep_change": "SELECT credit_code, change_date AS day FROM {t}('registration_changes') "
    "WHERE change_type = 'legal_rep'",
    "shareholder_change": "SELECT credit_code, change_date AS day FROM {t}('registration_changes') "
    "WHERE change_type = 'shareholder'",
    "transfer_to_person": "SELECT credit_code, CAST(ts AS DATE) AS day FROM {t}('account_transactions') "
    "WHERE counterparty_person_id IS NOT NULL",
    "microlender_or_consumer_inquiry": "SELECT credit_code, inquiry_date AS day FROM {t}('credit_inquiries') "
    "WHERE institution_type IN ('microlender', 'consumer_finance')",
    "overdue_at_other_lender": "SELECT credit_code, report_date AS day FROM {t}('credit_reports') WHERE overdue_loans > 0",
    "red_letter_invoice": "SELECT seller_code AS credit_code, issue_date AS day FROM {t}('invoices') WHERE status = 'red'",
    "repayment_late_1d": "SELECT l.credit_code, r.paid_date AS day FROM {t}('repayments') r JOIN {t}('loans') l "
    "USING (loan_id) WHERE r.days_past_due >= 1",
}

WINDOWS = """
CREATE TEMP TABLE w AS
SELECT l.loan_id, l.credit_code, t.defaulted,
       CASE WHEN t.defaulted THEN t.default_date - INTERVAL 90 DAY ELSE DATE '{as_of}' - INTERVAL 90 DAY END AS s,
       CASE WHEN t.defaulted THEN t.default_date ELSE DATE '{as_of}' END AS e,
       l.disbursed_date
FROM {t}('loans') l JOIN '{root}/truth/loans.parquet' t USING (loan_id)
WHERE (t.defaulted AND t.default_date <= DATE '{as_of}' AND t.default_date - INTERVAL 90 DAY >= l.disbursed_date)
   OR (NOT t.defaulted AND l.disbursed_date <= DATE '{as_of}' - INTERVAL 90 DAY)
"""


def measure(root: Path, as_of: str) -> dict[str, dict[str, float]]:
    """Per signal: share of defaulters with it in their last 90 days, of performing loans, per 1,000 loan-months."""
    con = duckdb.connect()
    con.execute(f"CREATE MACRO tbl(n) AS TABLE SELECT * FROM read_parquet('{root}/tables/' || n || '/*.parquet')")
    t = "tbl"
    con.execute(WINDOWS.format(t=t, root=root, as_of=as_of))
    months = con.execute(
        f"SELECT sum(date_diff('day', disbursed_date, DATE '{as_of}')) / 30.4 FROM w WHERE NOT defaulted"
    ).fetchone()
    out: dict[str, dict[str, float]] = {}
    for name, sql in SIGNALS.items():
        ev = sql.format(t=t)
        row = con.execute(
            f"WITH ev AS ({ev}), hit AS (SELECT w.loan_id, w.defaulted, count(ev.day) > 0 AS hit FROM w "
            "LEFT JOIN ev ON ev.credit_code = w.credit_code AND ev.day > w.s AND ev.day <= w.e GROUP BY 1, 2) "
            "SELECT avg(hit::INT) FILTER (WHERE defaulted), avg(hit::INT) FILTER (WHERE NOT defaulted) FROM hit"
        ).fetchone()
        monthly = con.execute(
            f"WITH ev AS ({ev}) SELECT count(DISTINCT (w.loan_id, date_trunc('month', ev.day))) FROM w JOIN ev "
            f"ON ev.credit_code = w.credit_code AND ev.day >= w.disbursed_date AND ev.day <= DATE '{as_of}' "
            "WHERE NOT w.defaulted"
        ).fetchone()
        if row is None or monthly is None or months is None:  # aggregates always return a row
            raise RuntimeError(name)
        out[name] = {
            "defaulted_90d": round(float(row[0] or 0), 4),
            "performing_90d": round(float(row[1] or 0), 4),
            "per_1000_performing_loan_months": round(1000 * float(monthly[0]) / float(months[0]), 2),
        }
    out["guarantee_contagion"] = _contagion(con, root)
    out["vat_revenue_drop_30pct"] = _revenue_drop(con, root, as_of)
    con.close()
    return out


def _contagion(con: duckdb.DuckDBPyConnection, root: Path) -> dict[str, float]:
    """Share of borrowing enterprise guarantors that default, by the guaranteed loan's outcome."""
    row = con.execute(
        f"SELECT avg(tg.defaulted::INT) FILTER (WHERE tb.defaulted), avg(tg.defaulted::INT) FILTER (WHERE NOT tb.defaulted) "
        f"FROM tbl('guarantees') g JOIN '{root}/truth/loans.parquet' tb USING (loan_id) "
        "JOIN tbl('loans') lg ON lg.credit_code = g.guarantor_code "
        f"JOIN '{root}/truth/loans.parquet' tg ON tg.loan_id = lg.loan_id"
    ).fetchone()
    if row is None:
        raise RuntimeError("guarantee_contagion")
    return {"guarantor_defaults_if_guaranteed_defaulted": round(row[0], 4), "otherwise": round(row[1], 4)}


def _revenue_drop(con: duckdb.DuckDBPyConnection, root: Path, as_of: str) -> dict[str, float]:
    """Share whose VAT-declared revenue of the 3 months before the window end is < 70 % of the 3 before disbursal."""
    row = con.execute(
        "WITH v AS (SELECT credit_code, period, declared_revenue_cents r FROM tbl('tax_declarations') "
        "WHERE tax_type = 'VAT'), x AS (SELECT w.loan_id, w.defaulted, "
        "sum(r) FILTER (WHERE period >= date_trunc('month', w.e) - INTERVAL 3 MONTH AND period < date_trunc('month', w.e)) a, "
        "sum(r) FILTER (WHERE period >= date_trunc('month', w.disbursed_date) - INTERVAL 3 MONTH "
        "AND period < date_trunc('month', w.disbursed_date)) b FROM w JOIN v USING (credit_code) GROUP BY 1, 2) "
        "SELECT avg((a < 0.7 * b)::INT) FILTER (WHERE defaulted), avg((a < 0.7 * b)::INT) FILTER (WHERE NOT defaulted) "
        "FROM x WHERE b > 0"
    ).fetchone()
    if row is None:
        raise RuntimeError("vat_revenue_drop")
    return {"defaulted_90d": round(row[0], 4), "performing_90d": round(row[1], 4)}
