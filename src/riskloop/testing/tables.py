"""Write small contract tables for tests: valid default rows that a test overrides field by field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.identifiers import resident_id_check_char, uscc_check_char
from riskloop.domain.tables import Column, table
from riskloop.io.arrow_schema import arrow_schema


def credit_code(n: int) -> str:
    """A valid credit code numbered ``n`` (deterministic)."""
    body = f"91420100{n:08d}X"
    return body + uscc_check_char(body)


def resident_id(n: int) -> str:
    """A valid resident ID numbered ``n`` (born 1980-01-01, Wuhan)."""
    body = f"42010019800101{n % 1000:03d}"
    return body + resident_id_check_char(body)


_DEFAULTS: dict[str, Any] = {
    "str": "x",
    "int": 1,
    "money": 100_00,
    "signed_money": 100_00,
    "float": 0.9,
    "bool": True,
    "date": dt.date(2024, 1, 1),
    "timestamp": dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
}


def _default(col: Column) -> Any:
    if col.nullable and col.present_when is None:  # a column present with another's default value is filled
        return None
    if col.values:
        return col.values[0]
    by_format = {
        "uscc": credit_code(1),
        "resident_id": resident_id(1),
        "phone": "13800138000",
        "ip": "10.1.2.3",
        "email": "a@example.com",
        "month_start": dt.date(2024, 1, 1),
    }
    if col.format in by_format:
        return by_format[col.format]
    value = _DEFAULTS[col.kind]
    if col.min is not None and isinstance(value, int | float) and value < col.min:
        return type(value)(col.min)
    return value


def row(table_name: str, **values: Any) -> dict[str, Any]:
    """A valid row of ``table_name`` with ``values`` overriding the defaults."""
    spec = table(table_name)
    unknown = set(values) - set(spec.column_names)
    if unknown:
        raise KeyError(f"{table_name} has no columns {sorted(unknown)}")
    return {c.name: values.get(c.name, _default(c)) for c in spec.columns}


def write_table(root: Path, table_name: str, rows: list[dict[str, Any]], part: int = 0) -> Path:
    """Write ``rows`` as ``root/<table>/part-NNNNN.parquet`` with the contract's Arrow schema."""
    folder = root / table_name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{part:05d}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(table(table_name))), path)
    return path
