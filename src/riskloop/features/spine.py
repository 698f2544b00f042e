"""Spines: which applications to compute features for, and as of which date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from riskloop.errors import DataSourceError
from riskloop.features.backends.duckdb import open_tables
from riskloop.features.engine import SPINE_SCHEMA


def application_spine(root: Path, since: dt.date | None = None, until: dt.date | None = None) -> pa.Table:
    """Applications under ``root`` with ``as_of`` = their UTC submission date, in ``[since, until)``.

    Ordered by submission time then id, so the order is stable across runs.
    """
    con, present = open_tables(root, ["applications"])
    try:
        if not present:
            raise DataSourceError(f"applications: no table under {root}")
        where = []
        if since is not None:
            where.append(f"CAST(applied_at AS DATE) >= DATE '{since.isoformat()}'")
        if until is not None:
            where.append(f"CAST(applied_at AS DATE) < DATE '{until.isoformat()}'")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = (
            "SELECT application_id, credit_code, CAST(applied_at AS DATE) AS as_of "  # noqa: S608 - dates formatted above
            f"FROM applications {clause} ORDER BY applied_at, application_id"
        )
        return con.sql(sql).to_arrow_table().cast(SPINE_SCHEMA)
    finally:
        con.close()
