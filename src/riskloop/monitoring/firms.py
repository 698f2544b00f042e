"""What an alert on any enterprise carries besides its level: industry, kind and a loan of ours as of a day."""

from __future__ import annotations

import datetime as dt

from riskloop.domain.versions import date_sql, in_force_sql

FIRM_TABLES = ("enterprises", "loans")


def firm_facts_sql(as_of: dt.date) -> str:
    """Industry section and kind (registration in force on ``as_of``), latest loan disbursed by then, per firm."""
    day = as_of.isoformat()
    firms = in_force_sql("enterprises", ("credit_code",), date_sql(as_of))
    return (
        "SELECT e.credit_code, e.industry_section, e.kind AS enterprise_kind, l.loan_id "  # noqa: S608 (a date)
        f"FROM ({firms}) e LEFT JOIN (SELECT credit_code, max(loan_id) AS loan_id FROM loans "
        f"WHERE disbursed_date <= DATE '{day}' GROUP BY credit_code) l ON l.credit_code = e.credit_code"
    )
