"""Stream Parquet, CSV, JSON Lines and XLSX files in batches of raw values, with 1-based row numbers.

A mapping's headers (``ingest.mapping``) rename a file's columns to the contract's before anything is checked.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from riskloop.domain.tables import Table
from riskloop.errors import IngestError
from riskloop.ingest.encoding import detect_encoding
from riskloop.ingest.mapping import TableMap, header_key

BATCH_ROWS = 200_000
CSV_BLOCK_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Malformed:
    """A row that could not even be split into fields (wrong field count, broken JSON)."""

    row: int | None
    reason: str
    text: str
    field: str | None = None  # a document element's field, when one is to blame


@dataclass
class RawBatch:
    """Raw values of some rows (contract columns, types as found), their row numbers and malformed rows."""

    data: pa.Table
    rows: np.ndarray[Any, np.dtype[np.int64]]
    malformed: list[Malformed] = field(default_factory=list)
    paths: list[str] | None = None  # per row, the element of a nested document it came from (``loans[2]``)


def completed(spec: Table, data: pa.Table) -> pa.Table:
    """``data`` with the contract's columns in order; a valid-from or a defaulted column may be absent: empty."""
    names = data.column_names
    return pa.table({c: data[c] if c in names else pa.nulls(data.num_rows, pa.string()) for c in spec.column_names})


def contract_names(names: list[str], headers: dict[str, str]) -> list[str]:
    """The contract column each of a file's ``names`` fills: its mapped column, else the name itself."""
    return [headers.get(header_key(n), n) if n else n for n in names]


def check_columns(spec: Table, path: Path, names: list[str]) -> None:
    """Raise IngestError naming the missing, unknown or repeated columns of ``path``."""
    expected = set(spec.column_names)
    problems = []
    optional = {spec.valid_from, *(c.name for c in spec.columns if c.default is not None)}
    missing = [c for c in spec.column_names if c not in names and c not in optional]
    if missing:
        problems.append(f"missing columns {', '.join(missing)}")
    extra = [c for c in names if c not in expected]
    if extra:
        problems.append(f"unknown columns {', '.join(extra)} (expected only: {', '.join(spec.column_names)})")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        problems.append(f"repeated columns {', '.join(repeated)}")
    if problems:
        raise IngestError(f"table {spec.name}, file {path}: " + "; ".join(problems))


class ParquetReader:
    """Reads a Parquet file batch by batch; a damaged file is an IngestError, not a crash."""

    encoding: str | None = None

    def __init__(
        self, path: Path, spec: Table, batch_rows: int = BATCH_ROWS, headers: dict[str, str] | None = None
    ) -> None:
        self.path, self.spec, self.batch_rows = path, spec, batch_rows
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise IngestError(f"table {spec.name}, file {path}: Parquet file is truncated or corrupt ({exc})") from None
        source = [f.name for f in self._file.schema_arrow]
        self._names = dict(zip(source, contract_names(source, headers or {}), strict=True))
        check_columns(spec, path, list(self._names.values()))
        self.total_rows: int | None = self._file.metadata.num_rows

    def batches(self) -> Iterator[RawBatch]:
        """Yield the file's rows in batches of at most ``batch_rows``."""
        start = 1
        try:
            present = [s for s, c in self._names.items() if c in self.spec.column_names]
            for batch in self._file.iter_batches(batch_size=self.batch_rows, columns=present):
                rows = np.arange(start, start + batch.num_rows, dtype=np.int64)
                start += batch.num_rows
                data = pa.Table.from_batches([batch]).rename_columns([self._names[n] for n in batch.schema.names])
                yield RawBatch(completed(self.spec, data), rows)
        except (pa.ArrowInvalid, OSError) as exc:
            raise IngestError(
                f"table {self.spec.name}, file {self.path}: "
                f"Parquet file is truncated or corrupt near row {start} ({exc})"
            ) from None


class CsvReader:
    """Reads a CSV file (header row, comma-separated) as strings; rows with the wrong field count are malformed."""

    def __init__(
        self,
        path: Path,
        spec: Table,
        batch_rows: int = BATCH_ROWS,
        encoding: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.path, self.spec, self.batch_rows = path, spec, batch_rows
        self.total_rows: int | None = None
        self.encoding: str | None = encoding or detect_encoding(path)
        self._invalid: list[Malformed] = []
        self._source = self._header()
        self._names = contract_names(self._source, headers or {})
        self._reader = self._open()
        check_columns(spec, path, self._names)

    def _header(self) -> list[str]:
        """The header row's names (every column is then read as text, whatever its name)."""
        try:
            with self.path.open(encoding=str(self.encoding), errors="replace", newline="") as fh:
                return next(csv.reader(fh), [])
        except (OSError, LookupError, csv.Error) as exc:
            raise IngestError(f"table {self.spec.name}, file {self.path}: cannot read CSV ({exc})") from None

    def _on_invalid(self, row: pacsv.InvalidRow) -> str:
        number = None if row.number is None else row.number - 1  # pyarrow counts the header as row 1
        reason = f"wrong field count: expected {row.expected_columns} fields, got {row.actual_columns}"
        self._invalid.append(Malformed(number, reason, row.text))
        return "skip"

    def _open(self) -> pacsv.CSVStreamingReader:
        encoding = "utf8" if self.encoding in ("utf-8", "utf-8-sig") else str(self.encoding)
        try:
            return pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(use_threads=False, block_size=CSV_BLOCK_BYTES, encoding=encoding),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=self._on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys([*self.spec.column_names, *self._source], pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise IngestError(f"table {self.spec.name}, file {self.path}: cannot read CSV ({exc})") from None

    def batches(self) -> Iterator[RawBatch]:
        """Yield rows in batches; numbering skips the rows reported as malformed."""
        next_row = 1
        pending: set[int] = set()
        while True:
            try:
                batch = self._reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, OSError) as exc:
                raise IngestError(f"table {self.spec.name}, file {self.path}: cannot parse CSV ({exc})") from None
            malformed, self._invalid = self._invalid, []
            pending.update(m.row for m in malformed if m.row is not None)
            rows = _number_rows(next_row, batch.num_rows, pending)
            if rows.size:
                next_row = int(rows[-1]) + 1
            pending = {r for r in pending if r >= next_row}
            data = completed(self.spec, pa.Table.from_batches([batch]).rename_columns(self._names))
            for start in range(0, max(data.num_rows, 1), self.batch_rows):
                part = data.slice(start, self.batch_rows)
                yield RawBatch(part, rows[start : start + self.batch_rows], malformed if start == 0 else [])
        if self._invalid:
            yield RawBatch(_empty(self.spec), np.empty(0, dtype=np.int64), self._invalid)


def _number_rows(first: int, count: int, skipped: set[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
    candidates = np.arange(first, first + count + len(skipped), dtype=np.int64)
    if skipped:
        candidates = candidates[~np.isin(candidates, np.fromiter(skipped, dtype=np.int64))]
    return candidates[:count]


def _empty(spec: Table) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in spec.column_names})


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


class JsonLinesReader:
    """Reads one JSON object per line (UTF-8); a line that is not a JSON object is malformed."""

    encoding: str | None = "utf-8"

    def __init__(
        self, path: Path, spec: Table, batch_rows: int = BATCH_ROWS, headers: dict[str, str] | None = None
    ) -> None:
        self.path, self.spec, self.batch_rows = path, spec, batch_rows
        self.total_rows: int | None = None
        self._columns = set(spec.column_names)
        self._headers = headers or {}
        with path.open(encoding="utf-8", errors="replace") as fh:
            first = next((line for line in fh if line.strip()), None)
        try:
            head = json.loads(first) if first is not None else None
        except json.JSONDecodeError:
            head = None
        if isinstance(head, dict):
            check_columns(spec, path, contract_names(list(head), self._headers))

    def _parse(self, number: int, line: str) -> dict[str, Any] | Malformed:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            return Malformed(number, f"malformed JSON line: {exc.msg} at column {exc.colno}", line)
        if not isinstance(obj, dict):
            return Malformed(number, f"malformed JSON line: expected an object, got {type(obj).__name__}", line)
        if self._headers:
            obj = dict(zip(contract_names(list(obj), self._headers), obj.values(), strict=True))
        extra = [k for k in obj if k not in self._columns]
        if extra:
            return Malformed(number, f"unknown keys {', '.join(extra)}", line)
        return obj

    def _batch(self, records: list[dict[str, Any]], rows: list[int], bad: list[Malformed]) -> RawBatch:
        arrays = {c: pa.array([_text(r.get(c)) for r in records], pa.string()) for c in self.spec.column_names}
        return RawBatch(pa.table(arrays), np.array(rows, dtype=np.int64), bad)

    def batches(self) -> Iterator[RawBatch]:
        """Yield rows in batches; blank lines are skipped but still counted in row numbers."""
        records: list[dict[str, Any]] = []
        rows: list[int] = []
        bad: list[Malformed] = []
        try:
            with self.path.open(encoding="utf-8") as fh:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    parsed = self._parse(number, line.rstrip("\r\n"))
                    if isinstance(parsed, Malformed):
                        bad.append(parsed)
                        continue
                    records.append(parsed)
                    rows.append(number)
                    if len(records) >= self.batch_rows:
                        yield self._batch(records, rows, bad)
                        records, rows, bad = [], [], []
        except UnicodeDecodeError as exc:
            raise IngestError(f"table {self.spec.name}, file {self.path}: JSON Lines must be UTF-8 ({exc})") from None
        if records or bad:
            yield self._batch(records, rows, bad)


if TYPE_CHECKING:
    from riskloop.ingest.pboc import PbocReportReader
    from riskloop.ingest.xlsx import XlsxReader

    Reader: TypeAlias = ParquetReader | CsvReader | JsonLinesReader | XlsxReader | PbocReportReader


def open_reader(
    path: Path, spec: Table, batch_rows: int = BATCH_ROWS, encoding: str | None = None, mapped: TableMap | None = None
) -> Reader:
    """Open ``path`` with the reader its suffix calls for; check its columns against ``spec``.

    ``encoding`` skips detection for a CSV file whose encoding is already known; ``mapped`` renames its headers
    (and picks an XLSX sheet and header row).
    """
    headers = mapped.headers if mapped else None
    from riskloop.ingest.pboc import PbocReportReader, is_document  # (pboc builds on this module)

    if is_document(path):
        return PbocReportReader(path, spec, batch_rows)
    if path.suffix == ".parquet":
        return ParquetReader(path, spec, batch_rows, headers)
    if path.suffix == ".csv":
        return CsvReader(path, spec, batch_rows, encoding, headers)
    if path.suffix == ".jsonl":
        return JsonLinesReader(path, spec, batch_rows, headers)
    if path.suffix == ".xlsx":
        from riskloop.ingest.xlsx import XlsxReader

        sheet, header_row = (mapped.sheet, mapped.header_row) if mapped else (None, 1)
        return XlsxReader(path, spec, batch_rows, headers=headers, sheet=sheet, header_row=header_row)
    raise IngestError(f"table {spec.name}, file {path}: unsupported file type; valid: .parquet, .csv, .jsonl, .xlsx")
