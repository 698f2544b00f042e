"""Apply a mapping's value rules to a raw batch: money units to exact cents, local times to UTC, category values.

Runs after a reader renamed the headers and before coercion. Money is read as Decimal from its text (Excel's
numbers arrive as their shortest round-trip text, never as float arithmetic) and must be a whole number of cents
unless the mapping names a rounding. A value that fails keeps its text, so the quarantine shows it as read, and
gets a row error naming the header; the later coercion error of the same cell is then not reported again.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.tables import Column, Table
from riskloop.ingest.coerce import FieldErrors
from riskloop.ingest.mapping import ROUNDINGS, UNITS, ColumnMap, TableMap

_AMOUNT_JUNK = re.compile(r"[\s,，¥￥]")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_DAY = re.compile(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?")


class RefusedError(ValueError):
    """A value a mapping rule cannot convert; the message is the quarantine reason."""


def apply_mapping(raw: pa.Table, spec: Table, mapped: TableMap, zone: str) -> tuple[pa.Table, list[FieldErrors]]:
    """Return ``raw`` with the mapping's value rules applied and the rows they refused, per field."""
    errors: list[FieldErrors] = []
    tz = zoneinfo.ZoneInfo(zone)
    for column in spec.columns:
        rule = _rule(column, mapped.by_column(column.name), tz)
        if rule is None:
            continue
        index = raw.schema.get_field_index(column.name)
        values, failed = _convert(raw.column(index).combine_chunks(), rule)
        raw = raw.set_column(index, column.name, values)
        if failed is not None:
            errors.append(failed.named(column.name))
    return raw, errors


def _rule(column: Column, cmap: ColumnMap | None, tz: dt.tzinfo) -> Callable[[str], str] | None:
    header = cmap.header if cmap else column.name
    if cmap is not None and cmap.unit is not None:
        return lambda text: to_cents(text, cmap.unit or "cents", cmap.rounding, header)
    if column.kind == "timestamp":
        return lambda text: to_utc(text, tz, header)
    if column.kind == "date":
        return to_day
    if cmap is not None and cmap.values:
        return lambda text: _value(text, cmap, column)
    return None


class _Failed:
    def __init__(self, positions: np.ndarray[Any, Any], problems: list[str]) -> None:
        self.positions, self.problems = positions, problems

    def named(self, field: str) -> FieldErrors:
        return FieldErrors(field, self.positions.astype(np.int64), self.problems)


def _convert(arr: pa.Array, rule: Callable[[str], str]) -> tuple[pa.Array, _Failed | None]:
    """Apply ``rule`` once per distinct text; refused values keep their text and are reported."""
    if pa.types.is_timestamp(arr.type) and arr.type.tz:  # already an instant: nothing to place in a zone
        return arr, None
    text = arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())
    uniques = pc.unique(text).drop_null().to_pylist()
    out: list[str] = []
    refused: dict[int, str] = {}
    for i, value in enumerate(uniques):
        if not value.strip():
            out.append(value)
            continue
        try:
            out.append(rule(value))
        except RefusedError as exc:
            out.append(value)
            refused[i] = str(exc)
    lookup = pc.index_in(text, value_set=pa.array(uniques, pa.string()))
    converted = pa.array(out, pa.string()).take(lookup)
    if not refused:
        return converted, None
    codes = lookup.to_numpy(zero_copy_only=False)
    positions = np.flatnonzero(np.isin(codes, list(refused)))
    return converted, _Failed(positions, [refused[int(codes[p])] for p in positions])


def to_cents(text: str, unit: str, rounding: str | None, header: str) -> str:
    """Exact cents of an amount written in ``unit`` ("1,234.56" yuan -> "123456"); RefusedError if it is not one.

    >>> to_cents("1,234.56", "yuan", None, "金额(元)")
    '123456'
    >>> to_cents("1.5", "wan_yuan", None, "注册资本(万元)")
    '1500000'
    """
    cleaned = _AMOUNT_JUNK.sub("", text)
    negative = cleaned.startswith("(") and cleaned.endswith(")")  # accounting style (1,234.56)
    try:
        amount = Decimal(cleaned[1:-1] if negative else cleaned)
    except InvalidOperation:
        raise RefusedError(f"{header}: not an amount") from None
    if not amount.is_finite():
        raise RefusedError(f"{header}: not an amount")
    cents = (-amount if negative else amount) * UNITS[unit]
    whole = cents.to_integral_value()
    if cents != whole:
        if rounding is None:
            raise RefusedError(f"{header}: finer than a cent in {unit} and the mapping names no rounding")
        whole = cents.quantize(Decimal(1), rounding=ROUNDINGS[rounding])
    return str(int(whole))


def to_utc(text: str, tz: dt.tzinfo, header: str) -> str:
    """An ISO instant in UTC; a time written without an offset is read in ``tz`` (the mapping's zone).

    >>> to_utc("2024/05/01 09:30:00", zoneinfo.ZoneInfo("Asia/Shanghai"), "开票时间")
    '2024-05-01T01:30:00+00:00'
    """
    value = text.strip()
    if re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}.*", value):
        day, _, rest = value.partition(" ")
        y, m, d = day.split("/")
        value = f"{y}-{int(m):02d}-{int(d):02d}" + (f"T{rest}" if rest else "")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RefusedError(f"{header}: not a date and time (e.g. 2024-05-01 09:30:00)") from None
    if parsed.tzinfo is None and not _OFFSET.search(value):
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(dt.UTC).isoformat()


def to_day(text: str) -> str:
    """A day as the contract reads it: ``2024年5月1日``, ``2024/5/1`` and a midnight time are spelled out ISO.

    >>> to_day("2024年5月1日"), to_day("2024/5/1 00:00:00"), to_day("20240501")
    ('2024-05-01', '2024-05-01', '20240501')
    """
    value = text.strip()
    match = _DAY.fullmatch(value)
    if match is None:
        return value  # as written: coercion accepts it or names the problem
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _value(text: str, cmap: ColumnMap, column: Column) -> str:
    key = text.strip()
    if key in cmap.values:
        return cmap.values[key]
    if key in column.values or key in cmap.values.values():
        return key
    known = ", ".join(cmap.values)
    raise RefusedError(f"{cmap.header}: not one of the mapping's values ({known})")
