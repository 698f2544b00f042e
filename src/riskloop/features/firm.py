"""Feature groups of the registration, financial and government-affairs sources."""

from __future__ import annotations

from riskloop.domain.versions import in_force_order_sql
from riskloop.features.spec import FeatureGroup

# The registration version each application sees: the one in force before its day (ADR 0020).
_IN_FORCE = in_force_order_sql("s.as_of", strict=True, alias="x")

REGISTRATION = FeatureGroup(
    "registration",
    "registration",
    ("enterprises", "registration_changes", "shareholders", "officers"),
    (
        ("reg_firm_age_days", "Days since establishment"),
        ("reg_log_capital", "Log of registered capital (CNY)"),
        ("reg_is_individual", "Individual business rather than a company"),
        ("reg_legal_rep_changes_3y", "Legal-representative changes in the last 3 years"),
        ("reg_changes_3y", "All registered changes in the last 3 years"),
        ("reg_shareholders", "Shareholders on record"),
        ("reg_officers", "Officers on record"),
    ),
    f"""
    SELECT s.application_id,
           date_diff('day', e.established_date, s.as_of) AS reg_firm_age_days,
           ln(1 + e.registered_capital_cents / 100.0) AS reg_log_capital,
           CAST(e.kind = 'individual_business' AS INTEGER) AS reg_is_individual,
           coalesce(c.rep_changes, 0) AS reg_legal_rep_changes_3y,
           coalesce(c.changes, 0) AS reg_changes_3y,
           coalesce(h.holders, 0) AS reg_shareholders,
           coalesce(o.officers, 0) AS reg_officers
    FROM spine s
    JOIN (
        SELECT s.application_id, x.established_date, x.registered_capital_cents, x.kind,
               row_number() OVER (PARTITION BY s.application_id ORDER BY {_IN_FORCE}) AS version_rank
        FROM spine s JOIN enterprises x ON x.credit_code = s.credit_code) e
      ON e.application_id = s.application_id AND e.version_rank = 1
    LEFT JOIN (
        SELECT s.application_id, count(*) AS changes,
               count(*) FILTER (WHERE r.change_type = 'legal_rep') AS rep_changes
        FROM spine s JOIN registration_changes r ON r.credit_code = s.credit_code
         AND r.change_date < s.as_of AND r.change_date >= s.as_of - INTERVAL 3 YEAR
        GROUP BY s.application_id) c ON c.application_id = s.application_id
    LEFT JOIN (
        SELECT s.application_id, count(*) AS holders
        FROM spine s JOIN shareholders x ON x.credit_code = s.credit_code AND x.since_date < s.as_of
        GROUP BY s.application_id) h ON h.application_id = s.application_id
    LEFT JOIN (
        SELECT s.application_id, count(*) AS officers
        FROM spine s JOIN officers x ON x.credit_code = s.credit_code AND x.since_date < s.as_of
        GROUP BY s.application_id) o ON o.application_id = s.application_id
    """,  # noqa: S608 - the in-force ordering is our own text
)

FINANCIAL = FeatureGroup(
    "financial",
    "financial",
    ("financial_statements",),
    (
        ("fin_debt_ratio", "Liabilities / assets of the latest filed statement"),
        ("fin_current_ratio", "Current assets / current liabilities"),
        ("fin_net_margin", "Net profit / revenue"),
        ("fin_log_revenue", "Log of annual revenue (CNY)"),
        ("fin_ocf_to_assets", "Operating cash flow / assets"),
        ("fin_negative_equity", "Equity below zero"),
        ("fin_statement_age_days", "Days since the latest statement was filed"),
    ),
    """
    WITH latest AS (
        SELECT s.application_id, s.as_of, f.*,
               row_number() OVER (PARTITION BY s.application_id ORDER BY f.fiscal_year DESC) AS rn
        FROM spine s JOIN financial_statements f ON f.credit_code = s.credit_code AND f.report_date < s.as_of)
    SELECT application_id,
           total_liabilities_cents / nullif(total_assets_cents, 0) AS fin_debt_ratio,
           current_assets_cents / nullif(current_liabilities_cents, 0) AS fin_current_ratio,
           net_profit_cents / nullif(revenue_cents, 0) AS fin_net_margin,
           ln(1 + revenue_cents / 100.0) AS fin_log_revenue,
           operating_cash_flow_cents / nullif(total_assets_cents, 0) AS fin_ocf_to_assets,
           CAST(equity_cents < 0 AS INTEGER) AS fin_negative_equity,
           date_diff('day', report_date, as_of) AS fin_statement_age_days
    FROM latest WHERE rn = 1
    """,
)

GOVERNMENT = FeatureGroup(
    "government",
    "government",
    ("social_security", "housing_fund"),
    (
        ("gov_headcount_12m", "Average insured headcount over the last 12 months"),
        ("gov_headcount_trend", "Headcount of the last 3 months / the 9 months before"),
        ("gov_ss_months_12m", "Months with social-security records in the last 12"),
        ("gov_arrears_months_12m", "Months with social-security arrears in the last 12"),
        ("gov_hf_months_12m", "Months with housing-fund contributions in the last 12"),
    ),
    """
    WITH ss AS (
        SELECT s.application_id,
               avg(x.headcount) AS headcount,
               avg(x.headcount) FILTER (WHERE x.month >= date_trunc('month', s.as_of) - INTERVAL 3 MONTH) AS recent,
               avg(x.headcount) FILTER (WHERE x.month < date_trunc('month', s.as_of) - INTERVAL 3 MONTH) AS earlier,
               count(*) AS months,
               count(*) FILTER (WHERE x.arrears_cents > 0) AS arrears
        FROM spine s JOIN social_security x ON x.credit_code = s.credit_code
         AND x.month < date_trunc('month', s.as_of)
         AND x.month >= date_trunc('month', s.as_of) - INTERVAL 12 MONTH
        GROUP BY s.application_id),
    hf AS (
        SELECT s.application_id, count(*) FILTER (WHERE x.paid_cents > 0) AS months
        FROM spine s JOIN housing_fund x ON x.credit_code = s.credit_code
         AND x.month < date_trunc('month', s.as_of)
         AND x.month >= date_trunc('month', s.as_of) - INTERVAL 12 MONTH
        GROUP BY s.application_id)
    SELECT s.application_id,
           ss.headcount AS gov_headcount_12m,
           ss.recent / nullif(ss.earlier, 0) AS gov_headcount_trend,
           coalesce(ss.months, 0) AS gov_ss_months_12m,
           coalesce(ss.arrears, 0) AS gov_arrears_months_12m,
           coalesce(hf.months, 0) AS gov_hf_months_12m
    FROM spine s
    LEFT JOIN ss ON ss.application_id = s.application_id
    LEFT JOIN hf ON hf.application_id = s.application_id
    """,
)
