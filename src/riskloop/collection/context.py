"""The context of a collection round: what the bank knew of the case just before acting, point in time.

One row per (case, round) from observable tables only: the case (amounts, days past due), the case's earlier
rounds (how many, promises made and broken, amount paid, complaints, the last action), the loan, the enterprise
(kind, industry, province, registered capital, age), its abnormal-operation listings and its latest filed
financial statements (revenue growth over the year before, debt ratio). A round sees only what
happened strictly before its ``acted_at``: an earlier round's outcome counts as known by the next round (a round's
outcome window closes before the next contact), a later round never changes an earlier round's context.

The query is one DuckDB statement over the frames given, so it scales to millions of rounds; the rounds to
describe may be logged ones (training, evaluation) or ones about to be decided (an open case's next round).
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from riskloop.collection.facts import CATEGORICAL, NUMERIC
from riskloop.errors import ValidationError

REQUIRED_TABLES = ("collection_actions", "collection_cases", "loans", "enterprises")
# The columns a frame of rounds must carry.
ROUND_COLUMNS = ("case_id", "round_no", "acted_at", "dpd_at_action", "remaining_overdue_cents")

_SQL = """
WITH hist AS (
    SELECT r.case_id, r.round_no,
           coalesce(sum(CASE WHEN h.promise_to_pay THEN 1 ELSE 0 END), 0) AS promises_so_far,
           coalesce(sum(CASE WHEN h.promise_to_pay AND h.amount_paid_cents = 0 THEN 1 ELSE 0 END), 0)
               AS broken_promises,
           coalesce(sum(h.amount_paid_cents), 0) AS paid_so_far_cents,
           coalesce(sum(CASE WHEN h.complaint THEN 1 ELSE 0 END), 0) AS complaints_so_far,
           arg_max(h.action, h.acted_at) AS last_action,
           max(h.acted_at) AS last_at
    FROM r LEFT JOIN h ON h.case_id = r.case_id AND h.acted_at < r.acted_at
    GROUP BY r.case_id, r.round_no
), ab AS (
    SELECT r.case_id, r.round_no,
           count(a.credit_code) AS abnormal_count,
           coalesce(bool_or(a.removed_date IS NULL OR a.removed_date > CAST(r.acted_at AS DATE)), false)
               AS abnormal_listed
    FROM r JOIN c ON c.case_id = r.case_id
    LEFT JOIN a ON a.credit_code = c.credit_code AND a.listed_date <= CAST(r.acted_at AS DATE)
    GROUP BY r.case_id, r.round_no
), fin AS (
    SELECT r.case_id, r.round_no,
           arg_max(f.revenue_cents, f.fiscal_year) AS revenue,
           arg_max(f.total_liabilities_cents / nullif(f.total_assets_cents, 0), f.fiscal_year) AS debt_ratio,
           max(f.fiscal_year) AS latest_year
    FROM r JOIN c ON c.case_id = r.case_id
    JOIN f ON f.credit_code = c.credit_code AND f.report_date <= CAST(r.acted_at AS DATE)
    GROUP BY r.case_id, r.round_no
), fin_prev AS (
    SELECT fin.case_id, fin.round_no, max(f.revenue_cents) AS revenue
    FROM fin JOIN c ON c.case_id = fin.case_id
    JOIN f ON f.credit_code = c.credit_code AND f.fiscal_year = fin.latest_year - 1
    GROUP BY fin.case_id, fin.round_no
), firm AS (
    SELECT r.case_id, r.round_no, e.kind, e.industry_section, e.region_code, e.registered_capital_cents,
           e.established_date
    FROM r JOIN c ON c.case_id = r.case_id
    JOIN e ON e.credit_code = c.credit_code AND (e.valid_from IS NULL OR e.valid_from <= CAST(r.acted_at AS DATE))
    QUALIFY row_number() OVER (PARTITION BY r.case_id, r.round_no ORDER BY e.valid_from DESC NULLS LAST) = 1
)
SELECT r.case_id, r.round_no, r.acted_at,
       coalesce(firm.kind, 'unknown') AS kind,
       coalesce(firm.industry_section, 'unknown') AS industry,
       coalesce(substr(firm.region_code, 1, 2), 'unknown') AS province,
       coalesce(hist.last_action, 'none') AS last_action,
       CASE WHEN ab.abnormal_listed THEN 'yes' ELSE 'no' END AS abnormal_listed,
       r.dpd_at_action AS dpd, c.dpd_at_open, r.remaining_overdue_cents AS remaining_cents,
       r.remaining_overdue_cents / greatest(c.overdue_amount_cents, 1) AS remaining_share,
       c.overdue_amount_cents AS overdue_cents, c.outstanding_cents,
       l.principal_cents, l.term_months, l.rate_bp,
       date_diff('day', l.disbursed_date, CAST(r.acted_at AS DATE)) AS loan_age_days,
       firm.registered_capital_cents AS capital_cents,
       date_diff('day', firm.established_date, CAST(r.acted_at AS DATE)) / 365.25 AS firm_age_years,
       hist.promises_so_far, hist.broken_promises, hist.paid_so_far_cents, hist.complaints_so_far,
       date_diff('hour', hist.last_at, r.acted_at) / 24.0 AS days_since_last,
       ab.abnormal_count,
       fin.revenue / nullif(fin_prev.revenue, 0) - 1 AS revenue_growth,
       fin.debt_ratio
FROM r
JOIN c ON c.case_id = r.case_id
LEFT JOIN l ON l.loan_id = c.loan_id
LEFT JOIN hist ON hist.case_id = r.case_id AND hist.round_no = r.round_no
LEFT JOIN ab ON ab.case_id = r.case_id AND ab.round_no = r.round_no
LEFT JOIN firm ON firm.case_id = r.case_id AND firm.round_no = r.round_no
LEFT JOIN fin ON fin.case_id = r.case_id AND fin.round_no = r.round_no
LEFT JOIN fin_prev ON fin_prev.case_id = r.case_id AND fin_prev.round_no = r.round_no
ORDER BY r.case_id, r.round_no
"""

_EMPTY_FINANCIALS = pd.DataFrame(
    {
        "credit_code": pd.Series([], dtype="string"),
        "fiscal_year": pd.Series([], dtype="int64"),
        "report_date": pd.Series([], dtype="datetime64[s]"),
        "revenue_cents": pd.Series([], dtype="int64"),
        "total_liabilities_cents": pd.Series([], dtype="int64"),
        "total_assets_cents": pd.Series([], dtype="int64"),
    }
)
_EMPTY_ABNORMAL = pd.DataFrame(
    {
        "credit_code": pd.Series([], dtype="string"),
        "listed_date": pd.Series([], dtype="datetime64[s]"),
        "removed_date": pd.Series([], dtype="datetime64[s]"),
    }
)


def case_context(rounds: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The context of every round in ``rounds``, from what was observable strictly before its ``acted_at``.

    Parameters
    ----------
    rounds
        The rounds to describe: ``case_id, round_no, acted_at`` (UTC timestamp), ``dpd_at_action`` and
        ``remaining_overdue_cents``. Logged rounds (``actions`` itself) or rounds about to be decided.
    tables
        The observable tables by name: ``collection_actions`` (the logged rounds; only those before a round
        count), ``collection_cases``, ``loans``, ``enterprises`` and, when available, ``abnormal_operations``
        and ``financial_statements`` (revenue growth of the latest filed year, its debt ratio).

    Returns
    -------
    pandas.DataFrame
        One row per round (sorted by case and round): ``CONTEXT_COLUMNS``, the categorical features as strings
        and the numeric ones as floats (missing where a source has no row, e.g. an unknown enterprise).

    Examples
    --------
    >>> ctx = case_context(tables["collection_actions"], tables)  # doctest: +SKIP
    >>> ctx.loc[0, ["round_no", "broken_promises"]].tolist()  # doctest: +SKIP
    [1, 0.0]

    """
    absent = [t for t in REQUIRED_TABLES if t not in tables]
    if absent:
        raise ValidationError("tables", f"missing {', '.join(absent)}")
    missing = [c for c in ROUND_COLUMNS if c not in rounds.columns]
    if missing:
        raise ValidationError("rounds", f"missing columns {', '.join(missing)}")
    if rounds.duplicated(["case_id", "round_no"]).any():
        raise ValidationError("rounds", "a (case_id, round_no) appears twice")
    enterprises = tables["enterprises"]
    if "valid_from" not in enterprises.columns:
        enterprises = enterprises.assign(valid_from=pd.Series(pd.NaT, index=enterprises.index, dtype="datetime64[s]"))
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")  # a round's date is its UTC date, whatever the host says
        for name, frame in {
            "r": rounds[list(ROUND_COLUMNS)],
            "h": tables["collection_actions"],
            "c": tables["collection_cases"],
            "l": tables["loans"],
            "e": enterprises,
            "a": tables.get("abnormal_operations", _EMPTY_ABNORMAL),
            "f": tables.get("financial_statements", _EMPTY_FINANCIALS),
        }.items():
            con.register(name, frame)
        out = con.sql(_SQL).to_arrow_table().to_pandas()
    finally:
        con.close()
    for col in NUMERIC:
        out[col] = out[col].astype("float64")
    for col in CATEGORICAL:
        out[col] = out[col].astype("string")
    result: pd.DataFrame = out
    return result
