"""Running the monitoring SQL: the incremental aggregates and the signals, on DuckDB or (transpiled) on Spark.

A ``SqlRunner`` runs one DuckDB query over named tables: Parquet tables of a root directory (a warehouse or a
universe's ``tables/``) and Arrow tables handed in (the aggregates). ``fold_days`` and ``compute_signals`` are the
two steps of a run; both are pure functions of what they read, so DuckDB and Spark give the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from riskloop.features.backends.duckdb import open_tables
from riskloop.monitoring.signals import (
    DAILY_COLUMNS,
    DAILY_TABLES,
    SIGNAL_NAMES,
    SIGNAL_TABLES,
    daily_sql,
    signals_sql,
)

DAILY_SCHEMA = pa.schema(
    [("credit_code", pa.string()), ("day", pa.date32()), *[(c, pa.int64()) for c in DAILY_COLUMNS]]
)
_INTS = frozenset(
    {
        "new_lawsuits",
        "new_enforcements",
        "dishonest_listed",
        "abnormal_listed",
        "new_penalties",
        "legal_rep_changes",
        "shareholder_changes",
        "equity_frozen",
        "bureau_new_lenders",
        "bureau_overdue_loans",
        "bureau_max_dpd",
        "nonbank_inquiries",
        "days_past_due",
    }
)
SIGNALS_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("credit_code", pa.string()),
        ("as_of", pa.date32()),
        ("industry_section", pa.string()),
        ("enterprise_kind", pa.string()),
        *[(n, pa.int64() if n in _INTS else pa.float64()) for n in SIGNAL_NAMES],
    ]
)


class SqlRunner(Protocol):
    """Runs one DuckDB-dialect query over the root's Parquet tables and the given Arrow tables."""

    def run(self, sql: str, tables: Sequence[str], extra: Mapping[str, pa.Table]) -> pa.Table:
        """The query's result; every table of ``tables`` must be present (else a ValidationError naming it)."""
        ...


class DuckDBRunner:
    """SqlRunner on embedded DuckDB over ``<root>/<table>/*.parquet``."""

    def __init__(self, root: Path, threads: int | None = None) -> None:
        self.root, self.threads = root, threads

    def run(self, sql: str, tables: Sequence[str], extra: Mapping[str, pa.Table]) -> pa.Table:
        """See ``SqlRunner.run``."""
        con, present = open_tables(self.root, list(tables), threads=self.threads)
        try:
            _require(tables, present)
            for name, table in extra.items():
                con.register(name, table)
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()


def _require(tables: Sequence[str], present: set[str]) -> None:
    from riskloop.errors import ValidationError

    missing = [t for t in tables if t not in present]
    if missing:
        raise ValidationError("warehouse", f"monitoring needs the tables {', '.join(missing)}: ingest them first")


def fold_days(runner: SqlRunner, lo: dt.date, hi: dt.date) -> pa.Table:
    """Per-enterprise daily aggregates of the raw rows dated in ``(lo, hi]`` (borrowers only)."""
    out = runner.run(daily_sql(lo, hi), DAILY_TABLES, {})
    return (
        out.select(DAILY_SCHEMA.names).cast(DAILY_SCHEMA).sort_by([("credit_code", "ascending"), ("day", "ascending")])
    )


def merge_days(parts: Sequence[pa.Table]) -> pa.Table:
    """Aggregates of several folds as one table (their day ranges never overlap)."""
    return pa.concat_tables([p.cast(DAILY_SCHEMA) for p in parts]) if parts else DAILY_SCHEMA.empty_table()


def compute_signals(runner: SqlRunner, daily: pa.Table, as_of: dt.date) -> pa.Table:
    """One row per loan on the book as of ``as_of`` with every signal (``SIGNALS_SCHEMA``), by loan id."""
    out = runner.run(signals_sql(as_of), SIGNAL_TABLES, {"daily": daily.cast(DAILY_SCHEMA)})
    return out.select(SIGNALS_SCHEMA.names).cast(SIGNALS_SCHEMA).sort_by("loan_id")
