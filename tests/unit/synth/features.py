"""Test-local, point-in-time per-dimension aggregates of each application (DuckDB over the generated Parquet)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

DIMENSIONS: dict[str, str] = {
    "registration": """
        SELECT a.application_id,
               date_diff('day', e.established_date, a.applied_at::DATE) AS age_days,
               ln(1 + e.registered_capital_cents) AS log_capital,
               (e.kind = 'individual_business')::INT AS individual,
               (SELECT count(*) FROM t('registration_changes') c
                 WHERE c.credit_code = a.credit_code AND c.change_date < a.applied_at::DATE) AS changes,
               (SELECT count(*) FROM t('registration_changes') c WHERE c.credit_code = a.credit_code
                 AND c.change_type = 'legal_rep' AND c.change_date < a.applied_at::DATE) AS rep_changes,
               (SELECT count(*) FROM t('shareholders') s WHERE s.credit_code = a.credit_code) AS holders
        FROM t('applications') a JOIN t('enterprises') e USING (credit_code)""",
    "financial": """
        SELECT a.application_id,
               coalesce(arg_max(f.total_liabilities_cents / nullif(f.total_assets_cents, 0), f.fiscal_year), -1) AS lev,
               coalesce(arg_max(f.net_profit_cents / nullif(f.revenue_cents, 0), f.fiscal_year), -1) AS margin,
               coalesce(arg_max(f.current_assets_cents / nullif(f.current_liabilities_cents, 0), f.fiscal_year), -1)
                 AS current_ratio,
               coalesce(arg_max(f.operating_cash_flow_cents / nullif(f.revenue_cents, 0), f.fiscal_year), -1) AS ocf,
               count(f.fiscal_year) AS statements
        FROM t('applications') a LEFT JOIN t('financial_statements') f
          ON f.credit_code = a.credit_code AND f.report_date < a.applied_at::DATE
        GROUP BY a.application_id""",
    "government": """
        SELECT a.application_id,
               coalesce(avg(s.headcount), 0) AS heads,
               coalesce(avg(s.headcount) FILTER (WHERE s.month >= a.applied_at::DATE - INTERVAL 90 DAY)
                 / nullif(avg(s.headcount), 0), 1) AS head_trend,
               coalesce(avg((s.arrears_cents > 0)::INT), 0) AS arrears,
               count(s.month) AS months,
               (SELECT count(*) FROM t('housing_fund') h WHERE h.credit_code = a.credit_code
                 AND h.month < a.applied_at::DATE) AS fund_months
        FROM t('applications') a LEFT JOIN t('social_security') s
          ON s.credit_code = a.credit_code AND s.month < date_trunc('month', a.applied_at)::DATE
         AND s.month >= a.applied_at::DATE - INTERVAL 365 DAY
        GROUP BY a.application_id, a.credit_code, a.applied_at""",
    "tax": """
        SELECT a.application_id,
               ln(1 + coalesce(sum(d.declared_revenue_cents), 0)) AS log_revenue,
               coalesce(sum((d.declared_revenue_cents = 0)::INT), 0) AS zero_months,
               coalesce(sum((d.tax_paid_cents < d.tax_payable_cents)::INT), 0) AS arrears,
               coalesce(sum((d.filed_date > d.period + INTERVAL 45 DAY)::INT), 0) AS late,
               ln(1 + coalesce(sum(d.declared_revenue_cents) FILTER (WHERE d.period >= a.applied_at::DATE
                 - INTERVAL 180 DAY), 0)) - ln(1 + coalesce(sum(d.declared_revenue_cents) FILTER (
                 WHERE d.period < a.applied_at::DATE - INTERVAL 180 DAY), 0)) AS growth,
               coalesce((SELECT arg_max(CASE g.grade WHEN 'A' THEN 4 WHEN 'B' THEN 3 WHEN 'M' THEN 2 WHEN 'C'
                 THEN 1 ELSE 0 END, g.year) FROM t('tax_credit_grades') g WHERE g.credit_code = a.credit_code
                 AND g.published_date < a.applied_at::DATE), -1) AS grade
        FROM t('applications') a LEFT JOIN t('tax_declarations') d
          ON d.credit_code = a.credit_code AND d.tax_type = 'VAT' AND d.filed_date < a.applied_at::DATE
         AND d.period >= a.applied_at::DATE - INTERVAL 365 DAY
        GROUP BY a.application_id, a.credit_code, a.applied_at""",
    "risk": """
        SELECT a.application_id,
               (SELECT count(*) FROM t('litigations') l WHERE l.credit_code = a.credit_code
                 AND l.role = 'defendant' AND l.filed_date < a.applied_at::DATE) AS defendant,
               (SELECT count(*) FROM t('litigations') l WHERE l.credit_code = a.credit_code
                 AND l.filed_date < a.applied_at::DATE) AS cases,
               (SELECT count(*) FROM t('enforcements') x WHERE x.credit_code = a.credit_code
                 AND x.filed_date < a.applied_at::DATE) AS enforced,
               (SELECT count(*) FROM t('dishonest_list') x WHERE x.credit_code = a.credit_code
                 AND x.listed_date < a.applied_at::DATE) AS dishonest,
               (SELECT count(*) FROM t('admin_penalties') p WHERE p.credit_code = a.credit_code
                 AND p.penalty_date < a.applied_at::DATE) AS penalties
        FROM t('applications') a""",
    "bureau": "SELECT application_id, score FROM t('bureau_scores')",
}


def dimension_frame(root: Path, dimension: str) -> pd.DataFrame:
    """Per-application aggregates of one dimension joined with the truth label ``defaulted``."""
    con = duckdb.connect()
    con.execute(f"CREATE MACRO t(name) AS TABLE SELECT * FROM read_parquet('{root}/tables/' || name || '/*.parquet')")
    sql = DIMENSIONS[dimension]
    frame = con.execute(
        f"SELECT f.*, tr.defaulted FROM ({sql}) f JOIN read_parquet('{root}/truth/applications.parquet') tr "
        "USING (application_id) ORDER BY application_id"
    ).df()
    con.close()
    return frame


def auc_of(frame: pd.DataFrame) -> float:
    """Cross-validated AUC of a logistic regression on the frame's feature columns."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = frame.drop(columns=["application_id", "defaulted"]).astype(float).to_numpy()
    y = frame["defaulted"].astype(int).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    scores = cross_val_predict(model, np.nan_to_num(x), y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, scores))
