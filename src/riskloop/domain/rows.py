"""Explicit converters between contract table rows (dicts keyed by column) and domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskloop.domain._mapping import Row, TableMapping
from riskloop.domain._row_specs import MAPPINGS
from riskloop.domain.tables import TABLES_BY_NAME

__all__ = ["MAPPINGS", "Row", "TableMapping", "from_row", "mapping", "table_of", "to_row"]

_TABLE_OF: dict[type[Any], str] = {m.cls: m.table for m in MAPPINGS.values()}


def mapping(table_name: str) -> TableMapping:
    """The mapping of ``table_name``; an unknown name is an error listing the valid ones."""
    try:
        return MAPPINGS[table_name]
    except KeyError:
        raise KeyError(f"unknown table {table_name!r}; valid: {', '.join(sorted(TABLES_BY_NAME))}") from None


def from_row(table_name: str, row: Mapping[str, object]) -> Any:
    """Build the domain object for one contract row (money as integer cents, rates as basis points).

    Examples
    --------
    >>> import datetime as dt
    >>> row = {"loan_id": "LN-1", "installment_no": 1, "due_date": dt.date(2024, 4, 1),
    ...        "principal_due_cents": 2500000, "interest_due_cents": 108750}
    >>> item = from_row("repayment_schedules", row)
    >>> str(item.total_due), to_row(item) == row
    ('¥26,087.50', True)

    """
    return mapping(table_name).load(row)


def to_row(obj: object) -> Row:
    """The contract row (dict in column order) of a domain object; raw identifiers are revealed for storage."""
    try:
        table_name = _TABLE_OF[type(obj)]
    except KeyError:
        raise TypeError(f"{type(obj).__name__} is not stored in a contract table") from None
    return MAPPINGS[table_name].dump(obj)


def table_of(cls: type[Any]) -> str:
    """The contract table that stores objects of ``cls``."""
    return _TABLE_OF[cls]
