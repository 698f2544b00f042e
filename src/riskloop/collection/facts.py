"""The names of a collection round's context facts: what ``context`` computes and the policy reads.

Kept apart from ``context`` (which queries with DuckDB) so that serving code reads the names without the query.
"""

from __future__ import annotations

# Categorical and numeric context features: the policy's feature spec is drawn from these.
CATEGORICAL = ("kind", "industry", "province", "last_action", "abnormal_listed")
NUMERIC = (
    "dpd",
    "dpd_at_open",
    "remaining_cents",
    "remaining_share",
    "overdue_cents",
    "outstanding_cents",
    "principal_cents",
    "term_months",
    "rate_bp",
    "loan_age_days",
    "capital_cents",
    "firm_age_years",
    "promises_so_far",
    "broken_promises",
    "paid_so_far_cents",
    "complaints_so_far",
    "days_since_last",
    "abnormal_count",
    "revenue_growth",
    "debt_ratio",
)
CONTEXT_COLUMNS = ("case_id", "round_no", "acted_at", *CATEGORICAL, *NUMERIC)
