"""The quarantine: rejected rows with the field and the reason, in the database and as JSON Lines files.

A quarantined row may hold any personal column, so its raw text is sealed (``riskloop.privacy``) in both places,
and a reason never repeats a personal column's value (and is scrubbed of identifier patterns besides).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from riskloop.ingest.coerce import FieldErrors
from riskloop.ingest.readers import Malformed
from riskloop.privacy.envelope import Sealer
from riskloop.privacy.fields import PERSONAL_COLUMNS, seal_raw
from riskloop.privacy.scrub import scrub
from riskloop.storage.reconcile import SOURCE_FILE, SOURCE_ROW
from riskloop.storage.repository import add_quarantine

FLUSH_RECORDS = 10_000


def _describe(problem: str, value: object, field: str = "") -> str:
    if field in PERSONAL_COLUMNS or value is None or (isinstance(value, str) and not value.strip()):
        return problem
    if isinstance(value, dt.date):  # also datetime; typed Parquet values read like their text form
        value = value.isoformat()
    return f"{problem} (got {value!r})"


class QuarantineSink:
    """Buffers quarantine records; writes them to ``quarantine`` and ``<directory>/<table>.jsonl``."""

    def __init__(self, engine: sa.Engine, run_id: str, directory: Path, sealer: Sealer) -> None:
        self.engine, self.run_id, self.directory, self.sealer = engine, run_id, directory, sealer
        self.counts: Counter[str] = Counter()
        self._buffer: list[dict[str, Any]] = []
        self._files: dict[str, IO[str]] = {}
        self._conn: sa.Connection | None = None

    @contextmanager
    def using(self, conn: sa.Connection) -> Iterator[None]:
        """Write to the database through ``conn`` meanwhile (SQLite allows one writer at a time)."""
        self._conn = conn
        try:
            yield
        finally:
            self._conn = None

    def add(self, table: str, source_file: str, row: int | None, *, field: str | None, reason: str, raw: Any) -> None:
        """Quarantine one row."""
        self.counts[table] += 1
        self._buffer.append(
            {"table_name": table, "source_file": source_file, "row_number": row, "field": field}
            | {"reason": scrub(reason), "raw": seal_raw(self.sealer, _json(raw))}
        )
        if len(self._buffer) >= FLUSH_RECORDS:
            self.flush()

    def add_malformed(self, table: str, source_file: str, rows: list[Malformed]) -> None:
        """Quarantine rows that could not be split into fields."""
        for m in rows:
            self.add(table, source_file, m.row, field=m.field, reason=m.reason, raw={"line": m.text})

    def add_field_errors(
        self,
        table: str,
        source_file: str,
        raw: pa.Table,
        rows: np.ndarray[Any, Any],
        errors: list[FieldErrors],
        *,
        paths: list[str] | None = None,
    ) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Quarantine every row with a failing field (one record per row); return the mask of those rows.

        ``paths`` name each row's element of a nested document; the reason starts with it.
        """
        bad = np.zeros(raw.num_rows, dtype=bool)
        per_row: dict[int, dict[str, str]] = {}
        for err in errors:  # conversion errors come first, so they win over "is required" for the same cell
            values = raw.column(err.field).take(pa.array(err.positions)).to_pylist()
            for pos, problem, value in zip(err.positions.tolist(), err.problems, values, strict=True):
                per_row.setdefault(pos, {}).setdefault(err.field, _describe(problem, value, err.field))
        if not per_row:
            return bad
        positions = sorted(per_row)
        bad[positions] = True
        raws = raw.take(pa.array(positions, pa.int64())).to_pylist()
        for pos, raw_row in zip(positions, raws, strict=True):
            fields = per_row[pos]
            reason = "; ".join(f"{f}: {p}" for f, p in fields.items())
            if paths is not None:
                reason = f"{paths[pos]}: {reason}"
            self.add(table, source_file, int(rows[pos]), field=", ".join(fields), reason=reason, raw=raw_row)
        return bad

    def add_rejects(self, table: str, files: list[str], rejects: pa.Table) -> None:
        """Quarantine duplicates and conflicts found by reconciliation (``_field``/``_reason`` columns)."""
        meta = {SOURCE_FILE, SOURCE_ROW, "_field", "_reason", "_first_file"}
        data = rejects.select([c for c in rejects.column_names if c not in meta]).to_pylist()
        for raw_row, file_idx, row, field, reason in zip(
            data,
            rejects.column(SOURCE_FILE).to_pylist(),
            rejects.column(SOURCE_ROW).to_pylist(),
            rejects.column("_field").to_pylist(),
            rejects.column("_reason").to_pylist(),
            strict=True,
        ):
            self.add(table, files[file_idx], row, field=field, reason=reason, raw=raw_row)

    def flush(self) -> None:
        """Write buffered records to the database and the JSON Lines files."""
        if not self._buffer:
            return
        records = [r | {"run_id": self.run_id} for r in self._buffer]
        if self._conn is not None:
            add_quarantine(self._conn, records)
        else:
            with self.engine.begin() as conn:
                add_quarantine(conn, records)
        for r in self._buffer:
            print(_json({"run_id": self.run_id} | r), file=self._file(r["table_name"]))
        self._buffer = []

    def _file(self, table: str) -> IO[str]:
        if table not in self._files:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._files[table] = (self.directory / f"{table}.jsonl").open("a", encoding="utf-8")
        return self._files[table]

    def close(self) -> None:
        """Flush and close the files."""
        try:
            self.flush()
        finally:
            for fh in self._files.values():
                fh.close()
            self._files = {}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
