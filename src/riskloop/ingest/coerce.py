"""Turn raw values (strings from CSV/JSON, any Arrow type from Parquet) into the contract's Arrow types.

A value that cannot be converted becomes null and a row-level error naming the field, so one bad
cell quarantines its row instead of failing the file. Fast paths are vectorised; values are only
handled one by one (over distinct values) when a vectorised cast fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.fold import fold_identifier
from riskloop.domain.identifiers import canonical_ip
from riskloop.domain.tables import Column, Table
from riskloop.errors import IdentifierError
from riskloop.io.arrow_schema import ARROW_TYPES
from riskloop.privacy.scrub import scrub

_INT_RE = r"^[+-]?\d+(\.0*)?$"  # "12" and spreadsheet-style "12.0"
_FLOAT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_TS_OFFSET_RE = r"(Z|[+-]\d{2}:?\d{2})$"
_DATE_SPELLINGS = (r"^(\d{4})/(\d{2})/(\d{2})$", r"^(\d{4})(\d{2})(\d{2})$")
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_PHONE_JUNK = r"[\s\-().]"
TS_TYPE = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class FieldErrors:
    """Rows (positions in the batch) whose value of ``field`` is invalid, with the problem of each."""

    field: str
    positions: np.ndarray[Any, np.dtype[np.int64]]
    problems: list[str]


def _blank_to_null(arr: pa.Array) -> pa.Array:
    """Strings: empty or whitespace-only text is a missing value."""
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), pa.scalar(None, arr.type), arr)


def _errors(name: str, bad: np.ndarray[Any, np.dtype[np.bool_]], problem: str) -> FieldErrors | None:
    positions = np.flatnonzero(bad).astype(np.int64)
    if positions.size == 0:
        return None
    return FieldErrors(name, positions, [problem] * positions.size)


def _per_value(text: pa.Array, parse: Callable[[str], Any], out_type: pa.DataType) -> pa.Array:
    """Slow path: parse each distinct string in Python; unparseable ones become null."""
    uniques = pc.unique(text).drop_null().to_pylist()
    parsed: list[Any] = []
    for value in uniques:
        try:
            parsed.append(parse(value))
        except (ValueError, OverflowError):
            parsed.append(None)
    lookup = pc.index_in(text, value_set=pa.array(uniques, pa.string()))
    return pa.array(parsed, out_type).take(lookup)


def _cast_or_slow(text: pa.Array, out_type: pa.DataType, parse: Callable[[str], Any]) -> pa.Array:
    try:
        return pc.cast(text, out_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _per_value(text, parse, out_type)


def _to_int(arr: pa.Array) -> pa.Array:
    if pa.types.is_integer(arr.type):
        return _cast_or_slow(arr, pa.int64(), int)
    if pa.types.is_floating(arr.type):
        whole = pc.equal(pc.floor(arr), arr)
        return pc.cast(pc.if_else(whole, arr, pa.scalar(None, arr.type)), pa.int64(), safe=False)
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    ok = pc.match_substring_regex(text, _INT_RE)
    text = pc.replace_substring_regex(pc.if_else(ok, text, pa.scalar(None, pa.string())), r"\.0*$", "")
    return _cast_or_slow(text, pa.int64(), lambda v: _checked_int64(int(v)))


def _checked_int64(value: int) -> int:
    if not -(2**63) <= value < 2**63:
        raise OverflowError(value)
    return value


def _to_float(arr: pa.Array) -> pa.Array:
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        out = pc.cast(arr, pa.float64(), safe=False)
    else:
        text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
        ok = pc.match_substring_regex(text, _FLOAT_RE)
        out = _cast_or_slow(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64(), float)
    return pc.if_else(pc.is_finite(out), out, pa.scalar(None, pa.float64()))


def _to_bool(arr: pa.Array) -> pa.Array:
    if pa.types.is_boolean(arr.type):
        return arr
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(arr, pa.string())))
    true, false = pc.is_in(text, pa.array(_TRUE)), pc.is_in(text, pa.array(_FALSE))
    return pc.if_else(true, True, pc.if_else(false, pa.scalar(False), pa.scalar(None, pa.bool_())))


def _to_date(arr: pa.Array) -> pa.Array:
    if pa.types.is_date(arr.type):
        return pc.cast(arr, pa.date32())
    if pa.types.is_timestamp(arr.type):
        midnight = pc.equal(pc.cast(pc.floor_temporal(arr, unit="day"), arr.type), arr)
        return pc.cast(pc.if_else(midnight, arr, pa.scalar(None, arr.type)), pa.date32())
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    for pattern in _DATE_SPELLINGS:  # 2024/05/01 and 20240501 are rewritten as 2024-05-01
        text = pc.replace_substring_regex(text, pattern, r"\1-\2-\3")
    ok = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$")
    # Arrow's cast is strict about the calendar (strptime would roll 02-30 over to 03-02).
    return _cast_or_slow(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.date32(), dt.date.fromisoformat)


def _parse_timestamp(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.strip())
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _to_timestamp(arr: pa.Array) -> pa.Array:
    if pa.types.is_timestamp(arr.type):
        aware = arr if arr.type.tz else pc.assume_timezone(arr, "UTC")  # naive times are UTC, as the contract says
        return pc.cast(aware, TS_TYPE, safe=False)
    if pa.types.is_date(arr.type):
        return pc.assume_timezone(pc.cast(pc.cast(arr, pa.date32()), pa.timestamp("us")), "UTC")
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    has_offset = pc.match_substring_regex(text, _TS_OFFSET_RE)
    null = pa.scalar(None, pa.string())
    try:
        aware = pc.cast(pc.if_else(has_offset, text, null), TS_TYPE)
        naive = pc.assume_timezone(pc.cast(pc.if_else(has_offset, null, text), pa.timestamp("us")), "UTC")
        return pc.coalesce(aware, naive)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _per_value(text, _parse_timestamp, TS_TYPE)


def _fold_or_keep(value: str) -> str:
    try:
        return fold_identifier(value, "value")
    except IdentifierError:  # a control character or an overlong value: kept, so validation says what is wrong
        return value


def _ip_or_keep(value: str) -> str:
    try:
        return canonical_ip(value, "ip")
    except IdentifierError:  # kept: validation quarantines it with the reason
        return value


def _fold(text: pa.Array) -> pa.Array:
    """Identifiers in any digit script, full-width or with spaces: one ASCII spelling (as ``domain.fold``)."""
    odd = pc.invert(
        pc.fill_null(pc.and_(pc.string_is_ascii(text), pc.invert(pc.match_substring_regex(text, r"\s"))), True)
    )
    if not pc.any(odd).as_py():
        return text
    folded = _per_value(pc.if_else(odd, text, pa.scalar(None, pa.string())), _fold_or_keep, pa.string())
    return pc.if_else(odd, folded, text)


def _normalise_text(arr: pa.Array, column: Column) -> pa.Array:
    text = arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())
    if pa.types.is_large_string(text.type):
        text = pc.cast(text, pa.string())
    if column.format in ("phone", "resident_id", "uscc", "ip"):
        text = _fold(text)
    if column.format == "phone":  # as domain.identifiers.normalize_phone: digits only, no +86
        text = pc.replace_substring_regex(text, _PHONE_JUNK, "")
        text = pc.replace_substring_regex(text, r"^(\+86|0086)", "")
        text = pc.replace_substring_regex(text, r"^86(1\d{10})$", r"\1")
    elif column.format == "resident_id":
        text = pc.utf8_upper(pc.utf8_trim_whitespace(text))
    elif column.scrub:  # free text: mask identifiers someone said or typed into it
        text = _scrubbed(text)
    elif column.format == "ip":  # IPv6 in its one compressed form, IPv4-mapped as IPv4 (as domain.canonical_ip)
        v6 = pc.fill_null(pc.match_substring(text, ":"), False)
        if pc.any(v6).as_py():
            text = pc.if_else(
                v6, _per_value(pc.if_else(v6, text, pa.scalar(None, pa.string())), _ip_or_keep, pa.string()), text
            )
    return text


def _scrubbed(text: pa.Array) -> pa.Array:
    """Text with resident IDs, phones and e-mails masked (``privacy.scrub``); only values with a digit or @."""
    suspect = pc.fill_null(pc.match_substring_regex(text, r"[\p{Nd}@]"), False)
    if not pc.any(suspect).as_py():
        return text
    masked = _per_value(pc.if_else(suspect, text, pa.scalar(None, pa.string())), scrub, pa.string())
    return pc.if_else(suspect, masked, text)


_CONVERTERS: dict[str, tuple[Callable[[pa.Array], pa.Array], str]] = {
    "int": (_to_int, "not an integer"),
    "money": (_to_int, "not a whole number of cents"),
    "signed_money": (_to_int, "not a whole number of cents"),
    "float": (_to_float, "not a finite number"),
    "bool": (_to_bool, "not a boolean (true/false, 1/0, yes/no)"),
    "date": (_to_date, "not a date (YYYY-MM-DD)"),
    "timestamp": (_to_timestamp, "not a timestamp (ISO 8601, e.g. 2024-05-01T09:30:00+08:00)"),
}


def coerce_column(raw: pa.Array, column: Column) -> tuple[pa.Array, FieldErrors | None]:
    """Convert one raw column to its contract type; return the values and the rows that failed."""
    if pa.types.is_null(raw.type):
        raw = raw.cast(pa.string())
    source = _blank_to_null(raw) if pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type) else raw
    if column.kind in ("str", "category"):
        text = _normalise_text(source, column)
        if column.default is not None:  # a column added later: an older file without it reads as before
            text = pc.fill_null(text, pa.scalar(column.default, pa.string()))
        return text, None
    convert, problem = _CONVERTERS[column.kind]
    try:
        values = convert(source)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        values = pa.nulls(len(source), ARROW_TYPES[column.kind])  # an unconvertible Parquet type: every row fails
    failed = pc.and_(pc.is_valid(source), pc.is_null(values))
    return values, _errors(column.name, failed.to_numpy(zero_copy_only=False), problem)


def coerce(raw: pa.Table, spec: Table) -> tuple[pa.Table, list[FieldErrors]]:
    """Convert every column of ``raw`` to the contract's Arrow types.

    Returns
    -------
    tuple
        The typed table (contract column order, nullable fields) and the conversion errors.

    """
    arrays, errors = [], []
    for column in spec.columns:
        values, err = coerce_column(raw.column(column.name).combine_chunks(), column)
        arrays.append(values)
        if err is not None:
            errors.append(err)
    return pa.table(arrays, names=list(spec.column_names)), errors
