"""Repository functions for ingestion: idempotent inserts, key lookups, run and quarantine records."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from riskloop.errors import NotFoundError, StorageError
from riskloop.storage.models import CONTRACT_TABLES, ingest_runs, quarantine

INSERT_CHUNK_ROWS = 5_000
Row = Mapping[str, Any]


def contract_table(name: str) -> sa.Table:
    """Return the SQL table of sql-store contract table ``name``."""
    try:
        return CONTRACT_TABLES[name]
    except KeyError:
        raise NotFoundError(f"no SQL table {name!r}; sql-store tables: {', '.join(sorted(CONTRACT_TABLES))}") from None


def insert_ignore(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> int:
    """Insert ``rows``, skipping any whose primary key exists; return how many were inserted.

    Uses ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL), in chunks of
    ``INSERT_CHUNK_ROWS`` rows, so re-running a load never duplicates or fails on existing keys.

    Parameters
    ----------
    conn:
        An open connection; the caller owns the transaction.
    table:
        Target table.
    rows:
        Mappings of column name to value.

    Returns
    -------
    int
        Number of rows actually inserted.

    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    else:
        raise StorageError(f"insert_ignore: unsupported database {dialect!r}; valid: postgresql, sqlite")
    # RETURNING the key counts inserted rows exactly; executemany's rowcount is unreliable across drivers.
    stmt = stmt.returning(*table.primary_key.columns)
    inserted = 0
    for start in range(0, len(rows), INSERT_CHUNK_ROWS):
        chunk = rows[start : start + INSERT_CHUNK_ROWS]
        inserted += len(conn.execute(stmt, list(chunk)).all())
    return inserted


def fetch_by_keys(conn: sa.Connection, table: sa.Table, keys: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Return the rows of ``table`` whose primary key is one of ``keys`` (tuples in primary-key order)."""
    pk = list(table.primary_key.columns)
    wanted = [tuple(k) for k in keys]
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 500):  # bounded IN lists: SQLite caps bound parameters
        chunk = wanted[start : start + 500]
        cond = sa.tuple_(*pk).in_(chunk) if len(pk) > 1 else pk[0].in_([k[0] for k in chunk])
        found.extend(dict(r._mapping) for r in conn.execute(sa.select(table).where(cond)))
    return found


def count_rows(conn: sa.Connection, table: sa.Table) -> int:
    """Number of rows in ``table``."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def start_run(conn: sa.Connection, run_id: str, started_at: dt.datetime, source_dir: str, as_of: dt.date) -> None:
    """Record the start of an ingest run."""
    conn.execute(
        ingest_runs.insert().values(
            run_id=run_id, started_at=started_at, source_dir=source_dir, as_of=as_of, status="running"
        )
    )


def finish_run(
    conn: sa.Connection,
    run_id: str,
    finished_at: dt.datetime,
    table_counts: Mapping[str, Mapping[str, int]],
    error: str | None = None,
) -> None:
    """Record the end of a run: status, totals and per-table counts (JSON)."""

    def total(key: str) -> int:
        return sum(int(c.get(key, 0)) for c in table_counts.values())

    conn.execute(
        ingest_runs.update()
        .where(ingest_runs.c.run_id == run_id)
        .values(
            finished_at=finished_at,
            status="failed" if error else "succeeded",
            rows_loaded=total("loaded"),
            rows_already_present=total("already_present"),
            rows_quarantined=total("quarantined"),
            table_counts=json.dumps(table_counts, sort_keys=True),
            error=error,
        )
    )


def add_quarantine(conn: sa.Connection, records: Sequence[Row]) -> None:
    """Insert quarantine records (run_id, table_name, source_file, row_number, field, reason, raw)."""
    for start in range(0, len(records), INSERT_CHUNK_ROWS):
        conn.execute(quarantine.insert(), list(records[start : start + INSERT_CHUNK_ROWS]))
