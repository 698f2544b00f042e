"""The post-loan signals: their catalogue and their SQL, defined once in DuckDB SQL and transpiled for Spark.

Monitoring is incremental. ``DAILY_SQL`` folds the raw rows dated in a window ``(lo, hi]`` into compact
per-enterprise daily aggregates (flows, invoices, events); a run as of ``D`` folds only the days since the last
run and computes the windowed signals from the aggregates (``SIGNALS_SQL``), plus the few states that need the
raw rows of small tables (listings still in force, the latest bureau report, our loan's days past due).

Point-in-time rule: a signal as of ``D`` reads only rows dated on or before ``D`` (a transaction booked on
``D`` counts; a listing removed after ``D`` is still in force on ``D``). Nothing dated later changes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain.versions import in_force_sql, valid_from_sql


@dataclass(frozen=True)
class Signal:
    """One post-loan signal: its name, labels (Chinese first), unit and window."""

    name: str
    label_zh: str
    label_en: str
    unit: str
    window: str


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "inflow_drop", "账户流入下降", "Account inflow drop", "share 0-1", "last 30 d vs monthly mean of days 31-120"
    ),
    Signal("net_outflow_ratio", "资金净流出", "Net outflow (balance drain)", "× monthly inflow", "last 30 d"),
    Signal("related_outflow_ratio", "关联方大额转出", "Transfers to related parties", "× monthly inflow", "last 90 d"),
    Signal("vat_revenue_drop", "增值税申报收入下降", "VAT revenue drop", "share 0-1", "filed last 90 d vs 91-270"),
    Signal("invoice_amount_drop", "开票金额下降", "Invoice amount drop", "share 0-1", "last 30 d vs 31-120"),
    Signal("invoice_count_drop", "开票张数下降", "Invoice count drop", "share 0-1", "last 30 d vs 31-120"),
    Signal("invoice_void_share", "作废/红冲发票占比", "Void and red-letter share", "share 0-1", "last 90 d"),
    Signal("new_lawsuits", "新增被诉案件", "New lawsuits as defendant", "cases", "last 90 d"),
    Signal("new_enforcements", "新增被执行", "New court enforcements", "cases", "last 90 d"),
    Signal("dishonest_listed", "失信被执行人", "On the dishonest-debtor list", "0/1", "on the day"),
    Signal("abnormal_listed", "经营异常名录", "On the abnormal-operation list", "0/1", "on the day"),
    Signal("new_penalties", "新增行政处罚", "New administrative penalties", "decisions", "last 180 d"),
    Signal("legal_rep_changes", "法定代表人变更", "Legal-representative changes", "changes", "last 180 d"),
    Signal("shareholder_changes", "股东变更", "Shareholder changes", "changes", "last 180 d"),
    Signal("equity_frozen", "股权冻结", "Equity freezes in force", "freezes", "on the day"),
    Signal(
        "bureau_new_lenders", "新增授信机构", "More lenders (多头借贷)", "lenders", "latest report vs ~180 d before"
    ),
    Signal("bureau_overdue_loans", "他行逾期笔数", "Loans overdue at other lenders", "loans", "latest report"),
    Signal("bureau_max_dpd", "他行最长逾期天数", "Longest overdue at other lenders", "days", "latest report"),
    Signal(
        "nonbank_inquiries",
        "小贷/消金机构查询",
        "Inquiries by microlenders and consumer finance",
        "inquiries",
        "last 90 d",
    ),
    Signal("days_past_due", "本行当前逾期天数", "Current days past due on our loan", "days", "on the day"),
)
SIGNAL_NAMES = tuple(s.name for s in SIGNALS)
SIGNALS_BY_NAME = {s.name: s for s in SIGNALS}

# The aggregate columns, in order; every one is a per-enterprise per-day sum (of one or several rows).
DAILY_COLUMNS = (
    "inflow_cents",
    "outflow_cents",
    "related_out_cents",
    "inv_n",
    "inv_cents",
    "inv_void_n",
    "vat_revenue_cents",
    "lawsuits_n",
    "enforcements_n",
    "penalties_n",
    "legal_rep_changes_n",
    "shareholder_changes_n",
    "nonbank_inquiries_n",
)
DAILY_TABLES = (
    "loans",
    "account_transactions",
    "enterprises",
    "officers",
    "shareholders",
    "guarantees",
    "invoices",
    "tax_declarations",
    "litigations",
    "enforcements",
    "admin_penalties",
    "registration_changes",
    "credit_inquiries",
)
SIGNAL_TABLES = (
    "loans",
    "enterprises",
    "repayment_schedules",
    "repayments",
    "dishonest_list",
    "abnormal_operations",
    "equity_freezes",
    "credit_reports",
)


def _part(source: str, day: str, values: dict[str, str], where: str, code: str = "x.credit_code") -> str:
    """One source's rows summed per enterprise and day: its own columns summed, the others zero.

    Summing each source apart is cheaper than one sum of every column over all sources (most are zero), and the
    aggregates stay additive: an enterprise and day may have one row per source.
    """
    inner = ", ".join(f"{expr} AS {c}" for c, expr in values.items())
    cols = ", ".join(
        f"CAST(sum({c}) AS BIGINT) AS {c}" if c in values else f"CAST(0 AS BIGINT) AS {c}" for c in DAILY_COLUMNS
    )
    rows = f"SELECT {code} AS credit_code, {day} AS day, {inner} FROM {source} WHERE {where}"  # noqa: S608
    return f"SELECT credit_code, day, {cols} FROM ({rows}) GROUP BY credit_code, day"  # noqa: S608 - our own text


def _window(column: str) -> str:
    return f"{column} > {{lo}} AND {column} <= {{hi}} AND x.credit_code IN (SELECT credit_code FROM scope)"  # noqa: S608


ORIGIN_SQL = "DATE '1900-01-01'"  # a relation with no start date (a legal representative) holds from the origin


def _daily_template() -> str:
    parts = [
        _part(
            "txn x",
            "x.day",
            {
                "inflow_cents": "CASE WHEN x.amount_cents > 0 THEN x.amount_cents ELSE 0 END",
                "outflow_cents": "CASE WHEN x.amount_cents < 0 THEN -x.amount_cents ELSE 0 END",
                "related_out_cents": "CASE WHEN x.amount_cents < 0 AND x.related = 1 THEN -x.amount_cents ELSE 0 END",
            },
            "1 = 1",
        ),
    ]
    parts.append(
        _part(
            "invoices x",
            "x.issue_date",
            {
                "inv_n": "CASE WHEN x.status = 'normal' THEN 1 ELSE 0 END",
                "inv_cents": "CASE WHEN x.status = 'normal' THEN x.amount_cents ELSE 0 END",
                "inv_void_n": "CASE WHEN x.status <> 'normal' THEN 1 ELSE 0 END",
            },
            "x.issue_date > {lo} AND x.issue_date <= {hi} AND x.seller_code IN (SELECT credit_code FROM scope)",
            code="x.seller_code",
        )
    )
    parts.append(
        _part(
            "tax_declarations x",
            "x.filed_date",
            {"vat_revenue_cents": "x.declared_revenue_cents"},
            _window("x.filed_date") + " AND x.tax_type = 'VAT'",
        )
    )
    parts.append(
        _part(
            "litigations x",
            "x.filed_date",
            {"lawsuits_n": "1"},
            _window("x.filed_date") + " AND x.role = 'defendant'",
        )
    )
    parts.append(_part("enforcements x", "x.filed_date", {"enforcements_n": "1"}, _window("x.filed_date")))
    parts.append(_part("admin_penalties x", "x.penalty_date", {"penalties_n": "1"}, _window("x.penalty_date")))
    parts.append(
        _part(
            "registration_changes x",
            "x.change_date",
            {
                "legal_rep_changes_n": "CASE WHEN x.change_type = 'legal_rep' THEN 1 ELSE 0 END",
                "shareholder_changes_n": "CASE WHEN x.change_type = 'shareholder' THEN 1 ELSE 0 END",
            },
            _window("x.change_date"),
        )
    )
    parts.append(
        _part(
            "credit_inquiries x",
            "x.inquiry_date",
            {"nonbank_inquiries_n": "1"},
            _window("x.inquiry_date") + " AND x.institution_type IN ('microlender', 'consumer_finance')",
        )
    )
    union = "\n        UNION ALL ".join(parts)
    nonzero = " OR ".join(f"{c} <> 0" for c in DAILY_COLUMNS)  # a row that adds nothing is not kept
    return f"""
    WITH scope AS (SELECT DISTINCT credit_code FROM loans{{only}}),
    related_persons AS (
        SELECT credit_code, person_id, min(since) AS since FROM (
            SELECT credit_code, legal_rep_id AS person_id,
                   CASE WHEN version_no = 1 THEN {ORIGIN_SQL} ELSE valid_from END AS since
            FROM (SELECT credit_code, legal_rep_id, valid_from,
                         row_number() OVER (PARTITION BY credit_code ORDER BY {valid_from_sql()}) AS version_no
                  FROM enterprises) reps
            UNION ALL SELECT credit_code, person_id, since_date FROM officers
            UNION ALL SELECT credit_code, holder_id, since_date FROM shareholders WHERE holder_kind = 'person')
        WHERE credit_code IN (SELECT credit_code FROM scope) GROUP BY credit_code, person_id),
    related_firms AS (
        SELECT credit_code, firm_code, min(since) AS since FROM (
            SELECT credit_code, guarantor_code AS firm_code, start_date AS since FROM guarantees
            WHERE guarantor_code IS NOT NULL
            UNION ALL SELECT credit_code, holder_id, since_date FROM shareholders WHERE holder_kind = 'enterprise'
            UNION ALL SELECT holder_id, credit_code, since_date FROM shareholders WHERE holder_kind = 'enterprise')
        WHERE credit_code IN (SELECT credit_code FROM scope) GROUP BY credit_code, firm_code),
    txn AS (
        SELECT x.credit_code, x.day, x.amount_cents,
               CASE WHEN rp.since <= x.day OR rf.since <= x.day THEN 1 ELSE 0 END AS related
        FROM (SELECT credit_code, CAST(ts AS DATE) AS day, amount_cents, counterparty, counterparty_person_id
              FROM account_transactions) x
        LEFT JOIN related_persons rp ON rp.credit_code = x.credit_code AND rp.person_id = x.counterparty_person_id
        LEFT JOIN related_firms rf ON rf.credit_code = x.credit_code AND rf.firm_code = x.counterparty
        WHERE x.day > {{lo}} AND x.day <= {{hi}} AND x.credit_code IN (SELECT credit_code FROM scope)),
    rows_in AS (
        {union})
    SELECT * FROM rows_in WHERE {nonzero}
    ORDER BY day
    """  # noqa: S608 - our own text


DAILY_TEMPLATE = _daily_template()
ONLY_TABLE = "fold_only"  # the credit codes a restricted fold keeps (an Arrow table handed to the runner)


def daily_sql(lo: dt.date, hi: dt.date, only: bool = False) -> str:
    """The aggregates query of the raw rows dated in ``(lo, hi]`` (DuckDB SQL), by day.

    Rows that add nothing (every sum zero) are left out. The engine sorts them by day (in parallel, out of Python's
    memory): the aggregates are stored by day, so the signals' window reads its own row groups.

    With ``only``, of the borrowers listed in the table ``fold_only`` alone (a re-fold of some enterprises).
    """
    where = f" WHERE credit_code IN (SELECT credit_code FROM {ONLY_TABLE})" if only else ""  # noqa: S608
    return DAILY_TEMPLATE.format(lo=_lit(lo), hi=_lit(hi), only=where)


def _lit(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _flow(column: str, start: int, end: int) -> str:
    """Sum of an aggregate over days ``D - end < day <= D - start``."""
    return (
        f"coalesce(sum(d.{column}) FILTER (WHERE d.day > {{d}} - INTERVAL {end} DAY"
        f" AND d.day <= {{d}} - INTERVAL {start} DAY), 0)"
    )


def _drop(recent: str, base: str, scale: float) -> str:
    """1 - recent / (base / scale), empty when the base is nothing."""
    return f"CASE WHEN {base} > 0 THEN 1.0 - {recent} * {scale} / {base} END"


SIGNALS_TEMPLATE = f"""
WITH book AS (
    SELECT l.loan_id, l.credit_code, l.disbursed_date FROM loans l WHERE l.disbursed_date <= {{d}}),
owed AS (
    SELECT s.loan_id, s.installment_no, s.due_date, s.principal_due_cents + s.interest_due_cents AS due_cents
    FROM repayment_schedules s JOIN book b ON b.loan_id = s.loan_id),
paid AS (
    SELECT r.loan_id, r.installment_no, sum(r.amount_cents) AS paid_cents
    FROM repayments r JOIN book b ON b.loan_id = r.loan_id WHERE r.paid_date <= {{d}}
    GROUP BY r.loan_id, r.installment_no),
standing AS (
    SELECT o.loan_id,
           max(CASE WHEN o.due_date < {{d}} AND coalesce(p.paid_cents, 0) < o.due_cents
                    THEN date_diff('day', o.due_date, {{d}}) ELSE 0 END) AS dpd,
           min(CASE WHEN coalesce(p.paid_cents, 0) >= o.due_cents THEN 1 ELSE 0 END) AS repaid
    FROM owed o LEFT JOIN paid p ON p.loan_id = o.loan_id AND p.installment_no = o.installment_no
    GROUP BY o.loan_id),
on_book AS (
    SELECT b.loan_id, b.credit_code, coalesce(st.dpd, 0) AS dpd
    FROM book b LEFT JOIN standing st ON st.loan_id = b.loan_id
    WHERE coalesce(st.repaid, 0) = 0 AND coalesce(st.dpd, 0) <= 90),
firms AS (SELECT DISTINCT credit_code FROM on_book),
agg AS (
    SELECT d.credit_code,
           {_flow("inflow_cents", 0, 30)} AS in_30,
           {_flow("inflow_cents", 30, 120)} AS in_base,
           {_flow("outflow_cents", 0, 30)} AS out_30,
           {_flow("related_out_cents", 0, 90)} AS related_90,
           {_flow("vat_revenue_cents", 0, 90)} AS vat_90,
           {_flow("vat_revenue_cents", 90, 270)} AS vat_base,
           {_flow("inv_cents", 0, 30)} AS inv_cents_30,
           {_flow("inv_cents", 30, 120)} AS inv_cents_base,
           {_flow("inv_n", 0, 30)} AS inv_n_30,
           {_flow("inv_n", 30, 120)} AS inv_n_base,
           {_flow("inv_n", 0, 90)} AS inv_n_90,
           {_flow("inv_void_n", 0, 90)} AS inv_void_90,
           {_flow("lawsuits_n", 0, 90)} AS lawsuits_90,
           {_flow("enforcements_n", 0, 90)} AS enforcements_90,
           {_flow("penalties_n", 0, 180)} AS penalties_180,
           {_flow("legal_rep_changes_n", 0, 180)} AS legal_rep_180,
           {_flow("shareholder_changes_n", 0, 180)} AS shareholder_180,
           {_flow("nonbank_inquiries_n", 0, 90)} AS inquiries_90
    FROM daily d JOIN firms f ON f.credit_code = d.credit_code
    WHERE d.day <= {{d}} AND d.day > {{d}} - INTERVAL 270 DAY
    GROUP BY d.credit_code),
dis AS (
    SELECT x.credit_code, count(*) AS n FROM dishonest_list x JOIN firms f ON f.credit_code = x.credit_code
    WHERE x.listed_date <= {{d}} AND (x.removed_date IS NULL OR x.removed_date > {{d}}) GROUP BY x.credit_code),
abn AS (
    SELECT x.credit_code, count(*) AS n FROM abnormal_operations x JOIN firms f ON f.credit_code = x.credit_code
    WHERE x.listed_date <= {{d}} AND (x.removed_date IS NULL OR x.removed_date > {{d}}) GROUP BY x.credit_code),
frz AS (
    SELECT x.credit_code, count(*) AS n FROM equity_freezes x JOIN firms f ON f.credit_code = x.credit_code
    WHERE x.freeze_date <= {{d}} AND x.freeze_end_date > {{d}}
      AND (x.released_date IS NULL OR x.released_date > {{d}}) GROUP BY x.credit_code),
reports AS (
    SELECT x.credit_code, x.report_date, x.lenders, x.overdue_loans, x.max_days_past_due,
           row_number() OVER (PARTITION BY x.credit_code ORDER BY x.report_date DESC) AS newest
    FROM credit_reports x JOIN firms f ON f.credit_code = x.credit_code WHERE x.report_date <= {{d}}),
latest AS (SELECT * FROM reports WHERE newest = 1),
earlier AS (
    SELECT credit_code, lenders,
           row_number() OVER (PARTITION BY credit_code ORDER BY report_date DESC) AS newest
    FROM reports WHERE report_date <= {{d}} - INTERVAL 150 DAY),
bureau AS (
    SELECT l.credit_code, l.lenders - e.lenders AS new_lenders, l.overdue_loans, l.max_days_past_due
    FROM latest l LEFT JOIN earlier e ON e.credit_code = l.credit_code AND e.newest = 1)
SELECT b.loan_id, b.credit_code, {{d}} AS as_of, e.industry_section, e.kind AS enterprise_kind,
       {_drop("a.in_30", "a.in_base", 3.0)} AS inflow_drop,
       CASE WHEN a.in_base > 0 THEN (a.out_30 - a.in_30) * 3.0 / a.in_base END AS net_outflow_ratio,
       CASE WHEN a.in_base > 0 THEN a.related_90 * 3.0 / a.in_base END AS related_outflow_ratio,
       {_drop("a.vat_90", "a.vat_base", 2.0)} AS vat_revenue_drop,
       {_drop("a.inv_cents_30", "a.inv_cents_base", 3.0)} AS invoice_amount_drop,
       {_drop("a.inv_n_30", "a.inv_n_base", 3.0)} AS invoice_count_drop,
       CASE WHEN a.inv_n_90 + a.inv_void_90 > 0 THEN a.inv_void_90 * 1.0 / (a.inv_n_90 + a.inv_void_90) END
           AS invoice_void_share,
       CAST(coalesce(a.lawsuits_90, 0) AS BIGINT) AS new_lawsuits,
       CAST(coalesce(a.enforcements_90, 0) AS BIGINT) AS new_enforcements,
       CAST(CASE WHEN dis.n > 0 THEN 1 ELSE 0 END AS BIGINT) AS dishonest_listed,
       CAST(CASE WHEN abn.n > 0 THEN 1 ELSE 0 END AS BIGINT) AS abnormal_listed,
       CAST(coalesce(a.penalties_180, 0) AS BIGINT) AS new_penalties,
       CAST(coalesce(a.legal_rep_180, 0) AS BIGINT) AS legal_rep_changes,
       CAST(coalesce(a.shareholder_180, 0) AS BIGINT) AS shareholder_changes,
       CAST(coalesce(frz.n, 0) AS BIGINT) AS equity_frozen,
       CAST(bu.new_lenders AS BIGINT) AS bureau_new_lenders,
       CAST(bu.overdue_loans AS BIGINT) AS bureau_overdue_loans,
       CAST(bu.max_days_past_due AS BIGINT) AS bureau_max_dpd,
       CAST(coalesce(a.inquiries_90, 0) AS BIGINT) AS nonbank_inquiries,
       CAST(b.dpd AS BIGINT) AS days_past_due
FROM on_book b
JOIN ({in_force_sql("enterprises", ("credit_code",), "{d}")}) e ON e.credit_code = b.credit_code
LEFT JOIN agg a ON a.credit_code = b.credit_code
LEFT JOIN dis ON dis.credit_code = b.credit_code
LEFT JOIN abn ON abn.credit_code = b.credit_code
LEFT JOIN frz ON frz.credit_code = b.credit_code
LEFT JOIN bureau bu ON bu.credit_code = b.credit_code
ORDER BY b.loan_id
"""  # noqa: S608 - our own text


def signals_sql(as_of: dt.date) -> str:
    """The signals query of every loan on the book as of ``as_of`` over the ``daily`` aggregates (DuckDB SQL)."""
    return SIGNALS_TEMPLATE.replace("{d}", _lit(as_of))
