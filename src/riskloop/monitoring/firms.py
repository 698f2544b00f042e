"""What an alert on any enterprise carries besides its level: industry, kind and a loan of ours as of a day."""

from __future__ import annotations

import datetime as dt

FIRM_TABLES = ("enterprises", "loans")


def firm_facts_sql(as_of: dt.date) -> str:
    """Industry section, enterprise kind and the latest loan disbursed by ``as_of`` (null: none) per enterprise."""
    day = as_of.isoformat()
    return (
        "SELECT e.credit_code, e.industry_section, e.kind AS enterprise_kind, l.loan_id "  # noqa: S608 (a date)
        "FROM enterprises e LEFT JOIN (SELECT credit_code, max(loan_id) AS loan_id FROM loans "
        f"WHERE disbursed_date <= DATE '{day}' GROUP BY credit_code) l ON l.credit_code = e.credit_code"
    )
