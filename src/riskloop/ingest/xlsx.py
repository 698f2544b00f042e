"""Stream an Excel workbook (XLSX) sheet in batches of text values, as the other readers do.

Cells arrive as Excel stores them and become the text the contract's coercion reads: a number is its shortest
round-trip text (``repr``: what Excel wrote, never float arithmetic, so amounts stay exact through Decimal), a
number in a date or timestamp column is an Excel serial day (the workbook's 1900 or 1904 epoch), a datetime is
ISO text without an offset (the mapping's zone places it). Row numbers are the sheet's, as Excel shows them.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from riskloop.domain.tables import Kind, Table
from riskloop.errors import IngestError
from riskloop.ingest.readers import BATCH_ROWS, Malformed, RawBatch, check_columns, contract_names

_TEMPORAL: tuple[Kind, ...] = ("date", "timestamp")


class XlsxReader:
    """Reads one sheet of a workbook: the declared one, else the one named as the table, else the first."""

    encoding: str | None = None

    def __init__(
        self,
        path: Path,
        spec: Table,
        batch_rows: int = BATCH_ROWS,
        *,
        headers: dict[str, str] | None = None,
        sheet: str | None = None,
        header_row: int = 1,
    ) -> None:
        self.path, self.spec, self.batch_rows, self.header_row = path, spec, batch_rows, header_row
        self.total_rows: int | None = None
        self.notes: list[str] = []
        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise IngestError(f"table {spec.name}, file {path}: not a readable XLSX workbook ({exc})") from None
        self.sheet = self._sheet(sheet)
        first = next(self._book[self.sheet].iter_rows(min_row=header_row, max_row=header_row, values_only=True), ())
        self.source_headers = [_header_text(v) for v in first]
        while self.source_headers and not self.source_headers[-1]:  # trailing empty header cells
            self.source_headers.pop()
        self.names = contract_names(self.source_headers, headers or {})
        check_columns(spec, path, [n for n in self.names if n])
        self._kinds = {c.name: c.kind for c in spec.columns}

    def _sheet(self, declared: str | None) -> str:
        names: list[str] = list(self._book.sheetnames)
        if declared is not None:
            if declared not in names:
                self._book.close()
                raise IngestError(
                    f"table {self.spec.name}, file {self.path}: no sheet {declared!r}; sheets: {', '.join(names)}"
                )
            return declared
        chosen = self.spec.name if self.spec.name in names else names[0]
        if len(names) > 1:
            self.notes.append(
                f"{self.path.name}: read sheet {chosen!r} of {', '.join(names)} (declare another with the "
                "mapping's sheet)"
            )
        return chosen

    def batches(self) -> Iterator[RawBatch]:
        """Yield the sheet's rows below the header in batches; wholly empty rows are skipped."""
        width = len(self.names)
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        bad: list[Malformed] = []
        try:
            cells = self._book[self.sheet].iter_rows(min_row=self.header_row + 1, values_only=True)
            for number, values in enumerate(cells, start=self.header_row + 1):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                beyond = [v for v in values[width:] if v is not None]
                if beyond:
                    reason = f"values beyond the last headed column ({width} columns)"
                    bad.append(Malformed(number, reason, repr(values)))
                    continue
                rows.append([self._text(n, v) for n, v in zip(self.names, values, strict=False)])
                numbers.append(number)
                if len(rows) >= self.batch_rows:
                    yield self._batch(rows, numbers, bad)
                    rows, numbers, bad = [], [], []
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise IngestError(f"table {self.spec.name}, file {self.path}: damaged XLSX sheet ({exc})") from None
        finally:
            self._book.close()
        if rows or bad:
            yield self._batch(rows, numbers, bad)

    def _text(self, name: str | None, value: Any) -> str | None:
        if name is None or value is None:
            return None
        return cell_text(value, self._kinds.get(name, "str"), self._book.epoch)

    def _batch(self, rows: list[list[str | None]], numbers: list[int], bad: list[Malformed]) -> RawBatch:
        columns: dict[str, list[str | None]] = {c: [] for c in self.spec.column_names}
        positions = {n: i for i, n in enumerate(self.names) if n in columns}
        for row in rows:
            for name, values in columns.items():
                i = positions.get(name)
                values.append(row[i] if i is not None and i < len(row) else None)
        data = pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()})
        return RawBatch(data, np.array(numbers, dtype=np.int64), bad)


def _header_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def cell_text(value: Any, kind: Kind, epoch: dt.datetime) -> str:
    """The text of one cell as the contract's coercion reads it (see the module docstring).

    >>> cell_text(1234.56, "money", dt.datetime(1899, 12, 30))
    '1234.56'
    >>> cell_text(45413, "date", dt.datetime(1899, 12, 30))
    '2024-05-01'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and kind in _TEMPORAL:
        value = from_excel(value, epoch=epoch)
    if isinstance(value, dt.datetime):
        if kind == "date" and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)
