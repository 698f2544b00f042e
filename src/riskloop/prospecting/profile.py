"""Each enterprise's registration facts and tax grade as of one day, from the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from riskloop.errors import DataSourceError
from riskloop.features.backends.duckdb import open_tables

TABLES = ("enterprises", "tax_credit_grades")

# The version of each enterprise in force on the day (a version is valid from its first day on).
_ENTERPRISES = """
SELECT credit_code, name, kind, industry_section AS section, region_code AS region, established_date, status
FROM (
  SELECT *, row_number() OVER (PARTITION BY credit_code ORDER BY valid_from DESC NULLS LAST) AS version_rank
  FROM enterprises
  WHERE (valid_from IS NULL OR valid_from <= DATE '{day}') AND established_date <= DATE '{day}'
) WHERE version_rank = 1
"""
# The latest grade published before the day.
_GRADES = """
SELECT credit_code, arg_max(grade, year) AS tax_grade FROM tax_credit_grades
WHERE published_date < DATE '{day}' GROUP BY credit_code
"""


def enterprise_profiles(root: Path, as_of: dt.date) -> pa.Table:
    """One row per enterprise established by ``as_of``: name, kind, section, region, status, tax grade.

    Only what was known on ``as_of``: the registration version in force that day and the latest tax grade
    published before it (``null`` when none). Ordered by credit code.
    """
    con, present = open_tables(root, list(TABLES))
    try:
        if "enterprises" not in present:
            raise DataSourceError(f"enterprises: no table under {root} (run: riskloop ingest)")
        day = as_of.isoformat()
        grades = _GRADES.format(day=day) if "tax_credit_grades" in present else _NO_GRADES
        sql = (
            f"SELECT e.*, g.tax_grade FROM ({_ENTERPRISES.format(day=day)}) e "  # noqa: S608 - a date formatted above
            f"LEFT JOIN ({grades}) g USING (credit_code) ORDER BY e.credit_code"
        )
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


_NO_GRADES = "SELECT CAST(NULL AS VARCHAR) AS credit_code, CAST(NULL AS VARCHAR) AS tax_grade WHERE false"
