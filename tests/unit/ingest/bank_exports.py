"""Write contract rows as a bank would export them: XLSX, Chinese headers, yuan, Beijing time, Chinese categories."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.datetime import to_excel

from riskloop.domain.tables import table
from riskloop.ingest.mapping import Mapping

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def yuan_text(cents: int, separators: bool) -> str:
    """Cents as yuan text with two decimals, with thousands separators when asked ("1,234.50")."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}" if separators else f"{sign}{whole}.{part:02d}"


def _cell(value: Any, column: str, name: str, mapping: Mapping, i: int) -> Any:
    """How one value is written: the mapped spelling, varied by row so every reading path is exercised."""
    spec = table(name).column(column)
    cmap = mapping.tables[name].by_column(column)
    if value is None:
        return None
    if cmap is not None and cmap.values:
        source = {v: k for k, v in cmap.values.items()}
        key = ("true" if value else "false") if isinstance(value, bool) else value
        return source[key]
    if cmap is not None and cmap.unit is not None:
        per = {"yuan": 100, "wan_yuan": 1_000_000, "cents": 1}[cmap.unit]
        if per == 1_000_000:  # 万元: exact text with up to six decimals
            sign = "-" if value < 0 else ""
            whole, part = divmod(abs(value), per)
            return f"{sign}{whole}.{part:06d}".rstrip("0").rstrip(".")
        if i % 3 == 0:
            return value / 100  # an Excel number: its shortest text is the yuan amount
        return yuan_text(value, separators=i % 3 == 1)
    if spec.kind == "timestamp":
        local = value.astimezone(BEIJING).replace(tzinfo=None)
        return local if i % 2 == 0 else local.strftime("%Y/%m/%d %H:%M:%S.%f")
    if spec.kind == "date":
        return int(to_excel(value)) if i % 4 == 3 else value  # a bare serial day, or a date cell
    return value


def write_xlsx(path: Path, name: str, rows: list[dict[str, Any]], mapping: Mapping, title: str | None = None) -> Path:
    """Write ``rows`` of ``name`` under the mapping's Chinese headers (a cover sheet first, to pick past)."""
    mapped = mapping.tables[name]
    book = Workbook(write_only=True)
    book.create_sheet("说明").append(["本文件由银行系统导出"])
    sheet = book.create_sheet(mapped.sheet or name)
    if title is not None:
        sheet.append([title])
    headers = [c for c in mapped.columns if not rows or c.column in rows[0]]
    sheet.append([c.header for c in headers])
    for i, row in enumerate(rows):
        sheet.append([_cell(row[c.column], c.column, name, mapping, i) for c in headers])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def beijing(ts: dt.datetime) -> dt.datetime:
    """A UTC instant as Beijing wall time."""
    return ts.astimezone(BEIJING)
