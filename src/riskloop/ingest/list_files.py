"""Read a list file (CSV, XLSX, or the legacy one-credit-code-a-line text) into numbered rows for validation.

Rows are numbered as the bank sees them in the file (the header is row 1), so a bad row can be named. Headers may
be English (``identifier_kind,value,reason,valid_from,expires_at``) or Chinese (标识类型, 标识值, 原因, 生效时间,
失效时间). Nothing is validated here: ``service.lists`` names every bad row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from riskloop.errors import IngestError

Row = tuple[int, dict[str, object]]
MAX_BYTES = 20 * 1024 * 1024  # a list file larger than this is refused, not read
HEADERS = {"标识类型": "identifier_kind", "标识值": "value", "原因": "reason", "生效时间": "valid_from",
           "失效时间": "expires_at", "kind": "identifier_kind"}  # fmt: skip
LEGACY_REASON = "legacy blacklist file"


def read_list_file(name: str, data: bytes) -> list[Row]:
    """The numbered rows of the file ``name`` holding ``data``; IngestError when it cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise IngestError(f"{name}: {len(data):,} bytes; a list file holds at most {MAX_BYTES:,}")
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(name, data)
    if suffix == ".csv":
        return _table(csv.reader(io.StringIO(_text(name, data))))
    if suffix == ".txt":
        return _legacy(_text(name, data))
    raise IngestError(f"{name}: a list file is .csv, .xlsx or .txt (one credit code a line)")


def _text(name: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{name}: neither UTF-8 nor GB18030 text")


def _table(lines: Iterable[Iterable[Any]]) -> list[Row]:
    rows = iter(lines)
    header = next(rows, None)
    if header is None:
        return []
    names = [HEADERS.get(str(h or "").strip(), str(h or "").strip().lower()) for h in header]
    out: list[Row] = []
    for number, cells in enumerate(rows, start=2):
        values = list(cells)
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # a blank line is no row
        row = {n: (values[i] if i < len(values) else None) for i, n in enumerate(names) if n}
        extra = enumerate(values[len(names) :], start=len(names) + 1)
        row.update({f"column_{i}": v for i, v in extra if v not in (None, "")})  # named as a bad row, not dropped
        out.append((number, row))
    return out


def _xlsx(name: str, data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors on a broken workbook
        raise IngestError(f"{name}: not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        return _table(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _legacy(text: str) -> list[Row]:
    out: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0].strip()
        if code:
            out.append((number, {"identifier_kind": "credit_code", "value": code, "reason": LEGACY_REASON}))
    return out
