"""The analytical warehouse: one directory of Parquet part files per table, queried with DuckDB."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.tables import TABLES_BY_NAME, Table, table
from riskloop.domain.versions import defaults_select, missing_valid_from
from riskloop.errors import StorageError
from riskloop.io.arrow_schema import arrow_schema

ROWS_PER_FILE = 2_000_000
ROW_GROUP_SIZE = 128 * 1024


def sql_literal(text: str) -> str:
    """Quote ``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class Warehouse:
    """Parquet tables under ``root``: ``root/<table>/part-*.parquet``, each with exactly ``arrow_schema(table)``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def files(self, name: str) -> list[Path]:
        """Committed part files of table ``name``, sorted."""
        return sorted((self.root / name).glob("*.parquet"))

    def glob(self, name: str) -> str:
        """The glob DuckDB reads table ``name`` from."""
        return str(self.root / name / "*.parquet")

    def tables(self) -> list[str]:
        """Names of the contract tables that have at least one part file."""
        return [name for name in sorted(TABLES_BY_NAME) if self.files(name)]

    def connect(self, before: dt.date | None = None) -> duckdb.DuckDBPyConnection:
        """Return an in-memory DuckDB connection with one view per existing table.

        With ``before``, the warehouse as it stood then: each dated table keeps its rows dated before that day
        (UTC), by ``record_date``; undated tables (persons, products) are kept whole.
        """
        con = duckdb.connect()
        for name in self.tables():
            # Table names come from the contract; the path and the date are quoted.
            where = ""
            dated = record_date(table(name)) if before is not None else None
            if before is not None and dated is not None:
                kind = "TIMESTAMPTZ" if table(name).column(dated).kind == "timestamp" else "DATE"
                bound = f"{before.isoformat()}T00:00:00+00:00" if kind == "TIMESTAMPTZ" else before.isoformat()
                where = f" WHERE {dated} < CAST({sql_literal(bound)} AS {kind})"
            # union_by_name: parts written before a column was added to the table lack it (its default, below)
            spec, source = table(name), f"read_parquet({sql_literal(self.glob(name))}, union_by_name = true)"
            columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]  # noqa: S608
            select = defaults_select(name, columns)
            if select != "*":
                source = f"(SELECT {select} FROM {source})"  # noqa: S608
            if spec.valid_from is not None:
                if missing_valid_from(name, columns):  # a universe written before versions: one version each
                    source = f"(SELECT *, CAST(NULL AS DATE) AS {spec.valid_from} FROM {source})"  # noqa: S608
                if before is not None:
                    where += _known_versions(spec, before)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {source}{where}")  # noqa: S608
        return con

    def row_count(self, name: str) -> int:
        """Number of rows of table ``name`` (0 when it has no files), from Parquet footers."""
        return sum(pq.ParquetFile(path).metadata.num_rows for path in self.files(name))

    def writer(self, name: str, prefix: str | None = None) -> PartWriter:
        """Return a writer that appends part files to table ``name`` when committed."""
        return PartWriter(self.root / name, table(name).name, prefix or uuid.uuid4().hex[:12])

    def append(self, name: str, data: pa.Table) -> list[Path]:
        """Append ``data`` (cast to the table's Arrow schema) as new part files; return their paths."""
        with self.writer(name) as out:
            for batch in data.to_batches(max_chunksize=ROW_GROUP_SIZE):
                out.write(batch)
        return out.committed


def _known_versions(spec: Table, before: dt.date) -> str:
    """The versions held before ``before``: those valid from before it, and each key's first (ADR 0020)."""
    keys = ", ".join(spec.key)
    return (
        f" QUALIFY {spec.valid_from} < DATE {sql_literal(before.isoformat())}"
        f" OR row_number() OVER (PARTITION BY {keys} ORDER BY {spec.valid_from}) = 1"
    )


def record_date(spec: Table) -> str | None:
    """The column dating a record of ``spec``: its partition date, else its first date that cannot be in the future.

    Examples
    --------
    >>> record_date(table("applications")), record_date(table("enterprises")), record_date(table("persons"))
    ('applied_at', 'established_date', None)

    """
    if spec.partition_date is not None:
        return spec.partition_date
    return next((c.name for c in spec.columns if c.kind in ("date", "timestamp") and c.not_future), None)


class PartWriter:
    """Writes part files under temporary names and renames them into place on ``commit``."""

    def __init__(self, directory: Path, name: str, prefix: str) -> None:
        self.directory = directory
        self.schema = arrow_schema(table(name))
        self.name = name
        self.prefix = prefix
        self.committed: list[Path] = []
        self._pending: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_file = 0

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Write rows; columns are selected by name and cast to the table's schema."""
        if batch.num_rows == 0:
            return
        missing = [f.name for f in self.schema if f.name not in batch.schema.names]
        if missing:
            raise StorageError(f"warehouse {self.name}: rows lack columns {', '.join(missing)}")
        data = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        try:
            data = data.select(self.schema.names).cast(self.schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise StorageError(f"warehouse {self.name}: rows do not match the table schema: {exc}") from exc
        if self._writer is None or self._rows_in_file >= ROWS_PER_FILE:
            self._open_next()
        assert self._writer is not None
        self._writer.write_table(data, row_group_size=ROW_GROUP_SIZE)
        self._rows_in_file += data.num_rows

    def _open_next(self) -> None:
        self._close_current()
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"part-{self.prefix}-{len(self._pending):05d}.parquet"
        tmp = self._tmp(final)
        self._pending.append(final)
        self._writer = pq.ParquetWriter(tmp, self.schema, compression="zstd")
        self._rows_in_file = 0

    def _close_current(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    @staticmethod
    def _tmp(final: Path) -> Path:
        # Hidden and not *.parquet, so readers globbing the table never see a half-written file.
        return final.with_name("." + final.name + ".tmp")

    def commit(self) -> list[Path]:
        """Close the open file and make every written part file visible to readers."""
        self._close_current()
        for final in self._pending:
            self._tmp(final).replace(final)
        self.committed.extend(self._pending)
        self._pending = []
        return self.committed

    def abort(self) -> None:
        """Close and delete every part file not yet committed."""
        self._close_current()
        for final in self._pending:
            self._tmp(final).unlink(missing_ok=True)
        self._pending = []

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
