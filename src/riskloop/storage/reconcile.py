"""Idempotency in DuckDB: split staged rows into new, already present, in-input duplicates and conflicts."""

# ruff: noqa: S608 - identifiers come from the contract and are quoted; paths go through sql_literal

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from riskloop.domain.tables import Table
from riskloop.domain.versions import defaults_select, in_force_order_sql, valid_from_sql
from riskloop.io.warehouse import Warehouse, sql_literal

SOURCE_FILE = "_src_file"  # index of the source file in the run's file list
SOURCE_ROW = "_src_row"  # 1-based row number in that file
STREAM_BATCH_ROWS = 100_000


@dataclass
class ReconcileCounts:
    """How the staged rows of one table were classified."""

    new: int = 0
    already_present: int = 0
    duplicates: int = 0
    conflicts: int = 0
    versions: int = 0  # of ``new``: changed rows of loaded keys of a versioned table


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def reconcile(
    warehouse: Warehouse,
    spec: Table,
    staged: list[Path],
    *,
    on_new: Callable[[pa.RecordBatch], None],
    on_reject: Callable[[pa.Table], None],
    temp_dir: Path,
    memory_limit: str = "2GB",
) -> ReconcileCounts:
    """Classify the staged rows of ``spec`` against the warehouse and stream out the outcome.

    Rows sharing a key (with a versioned table's valid-from day) within the input keep the first (by
    source file, then row) and reject the rest as duplicates. First occurrences whose key is already in
    the warehouse are counted as already present when every column is equal, else rejected as
    conflicts; in a versioned table a changed row is compared with the version in force on its
    valid-from day and loads as a new version unless a version of that very day differs (a conflict).
    The rest are new and passed to ``on_new`` in source order. Rejected rows reach ``on_reject`` with ``_field`` and
    ``_reason`` columns beside the data and the ``_src_file``/``_src_row`` columns.

    Parameters
    ----------
    warehouse:
        The warehouse holding what earlier runs loaded.
    spec:
        The contract table.
    staged:
        Parquet files of validated rows: the table's columns plus ``_src_file`` and ``_src_row``.
    on_new, on_reject:
        Receivers of new rows (Arrow record batches) and rejected rows (Arrow tables).
    temp_dir:
        Where DuckDB may spill when the input exceeds ``memory_limit``.
    memory_limit:
        DuckDB memory limit, e.g. ``"2GB"``.

    Returns
    -------
    ReconcileCounts
        Counts of new, already-present, duplicate and conflicting rows.

    """
    counts = ReconcileCounts()
    if not staged:
        return counts
    temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": str(temp_dir)})
    try:
        _classify(con, warehouse, spec, staged, counts, on_new=on_new, on_reject=on_reject)
    finally:
        con.close()
    return counts


def _classify(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    spec: Table,
    staged: list[Path],
    counts: ReconcileCounts,
    *,
    on_new: Callable[[pa.RecordBatch], None],
    on_reject: Callable[[pa.Table], None],
) -> None:
    keys = ", ".join(_q(k) for k in spec.row_key)
    cols = ", ".join(f"s.{_q(c)}" for c in spec.column_names)
    order = f"s.{SOURCE_FILE}, s.{SOURCE_ROW}"
    files = "[" + ", ".join(sql_literal(str(p)) for p in staged) + "]"
    con.execute(
        f"CREATE TEMP TABLE s AS SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {SOURCE_FILE}, {SOURCE_ROW})"
        f" AS _rn FROM read_parquet({files})"
    )
    same_key = " AND ".join(f"s.{_q(k)} = f.{_q(k)}" for k in spec.row_key)
    key_text = " || ', ' || ".join(f"'{k}=' || CAST(s.{_q(k)} AS VARCHAR)" for k in spec.row_key)
    dups = con.sql(
        f"SELECT {cols}, {order}, '{', '.join(spec.row_key)}' AS _field,"
        f" 'duplicate key ' || {key_text} || ' (the first occurrence, row ' || CAST(f.{SOURCE_ROW} AS VARCHAR)"
        f" || ', is kept)' AS _reason, f.{SOURCE_FILE} AS _first_file"
        f" FROM s JOIN s AS f ON {same_key} AND f._rn = 1 WHERE s._rn > 1 ORDER BY {order}"
    ).to_arrow_table()
    counts.duplicates = dups.num_rows
    if dups.num_rows:
        on_reject(dups)

    existing = warehouse.files(spec.name)
    if existing:
        con.execute(_matches_sql(con, spec, existing))
        [(same, differ, versions)] = con.sql(
            "SELECT count(*) FILTER (_diff = ''), count(*) FILTER (_diff <> '' AND NOT _version),"
            " count(*) FILTER (_diff <> '' AND _version) FROM m"
        ).fetchall()
        counts.already_present, counts.conflicts, counts.versions = int(same), int(differ), int(versions)
        if counts.conflicts:
            what = "the version" if spec.valid_from else "the row"
            conflicts = con.sql(
                f"SELECT {cols}, {order}, m._diff AS _field, 'conflicts with {what} already loaded for key '"
                f" || {key_text} || ': differs in ' || m._diff AS _reason"
                f" FROM s JOIN m USING ({SOURCE_FILE}, {SOURCE_ROW}) WHERE m._diff <> '' AND NOT m._version"
                f" ORDER BY {order}"
            ).to_arrow_table()
            on_reject(conflicts)
        same_row = f"m.{SOURCE_FILE} = s.{SOURCE_FILE} AND m.{SOURCE_ROW} = s.{SOURCE_ROW}"
        # a row identical to the version in force is already present even when its valid-from day differs (an
        # unchanged snapshot on a later day, ADR 0020); a differing one of a loaded day is a conflict
        not_matched = f"AND NOT EXISTS (SELECT 1 FROM m WHERE {same_row} AND (m._diff = '' OR NOT m._version))"
    else:
        not_matched = ""
    reader = con.sql(f"SELECT {cols} FROM s WHERE s._rn = 1 {not_matched} ORDER BY {order}").to_arrow_reader(
        STREAM_BATCH_ROWS
    )
    for batch in reader:
        counts.new += batch.num_rows
        on_new(batch)


def _matches_sql(con: duckdb.DuckDBPyConnection, spec: Table, existing: list[Path]) -> str:
    """Temp table ``m``: first occurrences of loaded keys, the columns they differ in, whether a new version.

    Unversioned: compared with the loaded row of its key. Versioned (ADR 0020): compared with the loaded version
    in force on its valid-from day (the one of that very day if loaded); a difference from a version of the same
    day is a conflict, from an earlier (or, for a backfill, the first later) version a new version.
    """
    efiles = "[" + ", ".join(sql_literal(str(p)) for p in existing) + "]"
    on_key = " AND ".join(f"s.{_q(k)} = e.{_q(k)}" for k in spec.key)
    diff = ", ".join(
        f"CASE WHEN s.{_q(c)} IS DISTINCT FROM e.{_q(c)} THEN '{c}' END"
        for c in spec.column_names
        if c not in spec.row_key
    )
    diff_expr = f"concat_ws(', ', {diff})" if diff else "''"
    select = f"SELECT s.{SOURCE_FILE}, s.{SOURCE_ROW}, {diff_expr} AS _diff"
    loaded = f"read_parquet({efiles}, union_by_name = true)"  # parts loaded before a column was added lack it
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {loaded}").fetchall()]
    join = f"FROM s JOIN (SELECT {defaults_select(spec.name, columns)} FROM {loaded}) AS e ON {on_key} WHERE s._rn = 1"
    if spec.valid_from is None:
        return f"CREATE TEMP TABLE m AS {select}, FALSE AS _version {join}"
    day, column = f"s.{_q(spec.valid_from)}", _q(spec.valid_from)
    rank = in_force_order_sql(day, alias="e", column=column)
    return (
        f"CREATE TEMP TABLE m AS {select}, {valid_from_sql('e', column)} <> {day} AS _version {join}"
        f" QUALIFY row_number() OVER (PARTITION BY s.{SOURCE_FILE}, s.{SOURCE_ROW} ORDER BY {rank}) = 1"
    )
