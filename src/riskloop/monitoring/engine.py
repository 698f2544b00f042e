"""Running the monitoring SQL: the incremental aggregates and the signals, on DuckDB or (transpiled) on Spark.

A ``SqlRunner`` runs one DuckDB query over named tables: Parquet tables of a root directory (a warehouse or a
universe's ``tables/``), or only some part files of a table (what arrived since the last fold), and Arrow tables
handed in (the aggregates). ``fold_days`` and ``compute_signals`` are the two steps of a run; both are pure
functions of what they read, so DuckDB and Spark give the same answer.
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
    ONLY_TABLE,
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


Files = Mapping[str, Sequence[Path]]  # per table, the only part files to read (none: the table is empty)


class SqlRunner(Protocol):
    """Runs one DuckDB-dialect query over the root's Parquet tables and the given Arrow tables."""

    root: Path

    def run(
        self, sql: str, tables: Sequence[str], extra: Mapping[str, pa.Table], files: Files | None = None
    ) -> pa.Table:
        """The query's result; every table of ``tables`` must be present (else a ValidationError naming it).

        A table named in ``files`` is read from those part files only (with none, it has no rows).
        """
        ...


def table_files(root: Path, name: str) -> list[Path]:
    """The part files of table ``name`` under ``root`` (a ``<name>/`` folder of parts or one file), sorted."""
    folder = root / name
    if folder.is_dir():
        return sorted(folder.glob("*.parquet"))
    single = root / f"{name}.parquet"
    return [single] if single.is_file() else []


class DuckDBRunner:
    """SqlRunner on embedded DuckDB over ``<root>/<table>/*.parquet``."""

    def __init__(self, root: Path, threads: int | None = None) -> None:
        self.root, self.threads = root, threads

    def run(
        self, sql: str, tables: Sequence[str], extra: Mapping[str, pa.Table], files: Files | None = None
    ) -> pa.Table:
        """See ``SqlRunner.run``."""
        con, present = open_tables(self.root, list(tables), threads=self.threads)
        try:
            _require(tables, present)
            for name, paths in (files or {}).items():
                con.execute(f"CREATE OR REPLACE VIEW {name} AS {_file_scan(self.root, name, paths)}")
            for name, table in extra.items():
                con.register(name, table)
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()


def _file_scan(root: Path, name: str, paths: Sequence[Path]) -> str:
    """A DuckDB scan of some part files of a table (none: its first file's columns, no rows)."""
    if not name.isidentifier():
        raise ValueError(f"not a table name: {name!r}")
    chosen = list(paths) or table_files(root, name)[:1]
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in chosen)
    # union_by_name: parts written before a column was added to the table lack it
    scan = f"SELECT * FROM read_parquet([{listed}], union_by_name = true)"  # noqa: S608 - quoted paths
    return scan + ("" if paths else " LIMIT 0")


def _require(tables: Sequence[str], present: set[str]) -> None:
    from riskloop.errors import ValidationError

    missing = [t for t in tables if t not in present]
    if missing:
        raise ValidationError("warehouse", f"monitoring needs the tables {', '.join(missing)}: ingest them first")


def fold_days(
    runner: SqlRunner,
    lo: dt.date,
    hi: dt.date,
    files: Files | None = None,
    only: Sequence[str] | None = None,
    *,
    ordered: bool = True,
) -> pa.Table:
    """Per-enterprise daily aggregates of the raw rows dated in ``(lo, hi]`` (borrowers only).

    ``files``: read those tables from these part files only; ``only``: of these enterprises only; ``ordered``:
    by enterprise, day and values (else by day only). An enterprise and day has one row per source.
    """
    extra = {} if only is None else {ONLY_TABLE: pa.table({"credit_code": pa.array(sorted(only), pa.string())})}
    out = runner.run(daily_sql(lo, hi, only is not None), DAILY_TABLES, extra, files)
    out = out.select(DAILY_SCHEMA.names).cast(DAILY_SCHEMA)
    return out.sort_by([(c, "ascending") for c in DAILY_SCHEMA.names]) if ordered else out


def merge_days(parts: Sequence[pa.Table]) -> pa.Table:
    """Aggregates of several folds as one table (their day ranges never overlap)."""
    return pa.concat_tables([p.cast(DAILY_SCHEMA) for p in parts]) if parts else DAILY_SCHEMA.empty_table()


def compute_signals(runner: SqlRunner, daily: pa.Table | Sequence[Path], as_of: dt.date) -> pa.Table:
    """One row per loan on the book as of ``as_of`` with every signal (``SIGNALS_SCHEMA``), by loan id.

    ``daily``: the aggregates, or the part files holding them (read by the engine, the window's row groups only).
    """
    if isinstance(daily, pa.Table) or not daily:
        table = daily if isinstance(daily, pa.Table) else DAILY_SCHEMA.empty_table()
        out = runner.run(signals_sql(as_of), SIGNAL_TABLES, {"daily": table.cast(DAILY_SCHEMA)})
    else:
        out = runner.run(signals_sql(as_of), SIGNAL_TABLES, {}, {"daily": list(daily)})
    return out.select(SIGNALS_SCHEMA.names).cast(SIGNALS_SCHEMA).sort_by("loan_id")
