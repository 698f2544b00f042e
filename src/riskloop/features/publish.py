"""What gets published for online lookup: the enterprise-level groups, computed for every enterprise on one date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from riskloop.errors import DataSourceError
from riskloop.features.backends.duckdb import open_tables
from riskloop.features.catalog import GROUPS
from riskloop.features.engine import SPINE_SCHEMA
from riskloop.features.online import KEY_COLUMN, feature_set_version
from riskloop.features.spec import FeatureGroup

# Every group that describes the enterprise alone; ``application`` needs an application to exist.
ENTERPRISE_GROUPS: tuple[FeatureGroup, ...] = tuple(g for g in GROUPS if "applications" not in g.tables)
ENTERPRISE_FEATURE_SET = feature_set_version(ENTERPRISE_GROUPS)


def enterprise_spine(root: Path, as_of: dt.date) -> pa.Table:
    """One spine row per enterprise under ``root``: ``application_id = credit_code``, ``as_of`` the given date.

    Ordered by credit code, so the order is stable across runs.
    """
    con, present = open_tables(root, ["enterprises"])
    try:
        if not present:
            raise DataSourceError(f"enterprises: no table under {root}")
        codes = con.sql("SELECT DISTINCT credit_code FROM enterprises ORDER BY credit_code").to_arrow_table()
    finally:
        con.close()
    column = codes.column("credit_code").cast(pa.string())
    dates = pa.array([as_of] * codes.num_rows, pa.date32())
    return pa.Table.from_arrays([column, column, dates], schema=SPINE_SCHEMA)


def publishable(features: pa.Table) -> pa.Table:
    """Engine output over an enterprise spine, keyed by ``credit_code`` instead of ``application_id``."""
    return features.rename_columns([KEY_COLUMN if n == "application_id" else n for n in features.column_names])
