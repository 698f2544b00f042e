"""Versioned master data: which version of a key is in force on a day (ADR 0020).

A versioned table (``Table.valid_from``) holds one row per key and valid-from day. The version in force on a
day is the latest whose valid-from is on or before it; before a key's first version, that first version stands
(what the bank first learnt about a firm is the best it has about earlier days), so a key with one version
reads exactly as an unversioned row did. The same rule is written once as SQL (portable DuckDB/Spark text) for
the bulk readers and once in Python for single-key lookups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from riskloop.domain.tables import TABLES_BY_NAME

T = TypeVar("T")
EARLIEST = "DATE '1900-01-01'"  # a missing valid-from (a universe written before versions) sorts first


def in_force(versions: Sequence[T], day: dt.date | None, valid_from: Callable[[T], dt.date | None]) -> T | None:
    """The version of one key in force on ``day`` (``None``: the latest), or ``None`` without versions."""
    if not versions:
        return None
    ordered = sorted(versions, key=lambda v: valid_from(v) or dt.date.min)
    if day is None:
        return ordered[-1]
    started = [v for v in ordered if (valid_from(v) or dt.date.min) <= day]
    return started[-1] if started else ordered[0]


def valid_from_sql(alias: str = "", column: str = "valid_from") -> str:
    """The valid-from of a row as a non-null date (a missing one sorts first)."""
    prefix = f"{alias}." if alias else ""
    return f"coalesce({prefix}{column}, {EARLIEST})"


def in_force_order_sql(bound: str, *, strict: bool = False, alias: str = "", column: str = "valid_from") -> str:
    """An ORDER BY list ranking a key's versions so that the one in force at ``bound`` comes first.

    ``bound`` is a SQL date expression (a literal or a column of the row's own spine); with ``strict`` a version
    must start before it (features read what was known before the day), else on or before it. Versions that
    started are ranked latest first; if none has, the earliest comes first.
    """
    vf = valid_from_sql(alias, column)
    started = f"{vf} < {bound}" if strict else f"{vf} <= {bound}"
    return f"CASE WHEN {started} THEN {vf} END DESC NULLS LAST, {vf}"


def in_force_sql(source: str, key: Sequence[str], bound: str | None, *, column: str = "valid_from") -> str:
    """A query over ``source`` keeping, per ``key``, the version in force at ``bound`` (``None``: the latest).

    Portable DuckDB/Spark SQL: a window over the key (no per-row work outside the engine).
    """
    order = f"{valid_from_sql('', column)} DESC" if bound is None else in_force_order_sql(bound, column=column)
    keys = ", ".join(key)
    return (
        f"SELECT * FROM (SELECT v.*, row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS _version_rank"  # noqa: S608
        f" FROM {source} v) ranked WHERE _version_rank = 1"
    )


def date_sql(day: dt.date) -> str:
    """A date literal."""
    return f"DATE '{day.isoformat()}'"


def missing_valid_from(name: str, columns: Sequence[str]) -> str | None:
    """The valid-from column of versioned table ``name`` when its files lack it (written before versions)."""
    spec = TABLES_BY_NAME.get(name)
    column = spec.valid_from if spec is not None else None
    return column if column is not None and column not in columns else None


def defaults_select(name: str, columns: Sequence[str]) -> str:
    """SELECT list of table ``name`` whose files hold ``columns``: a column added later reads as its default.

    Files written before the column existed lack it or leave it empty (read with DuckDB's ``union_by_name``);
    either way it is the contract's default (``Column.default``), e.g. ``buyer_kind`` = enterprise.
    """
    spec = TABLES_BY_NAME.get(name)
    defaulted = [c for c in spec.columns if c.default is not None] if spec is not None else []
    replaced = [f"coalesce({c.name}, '{c.default}') AS {c.name}" for c in defaulted if c.name in columns]
    added = [f"'{c.default}' AS {c.name}" for c in defaulted if c.name not in columns]
    return ", ".join([f"* REPLACE ({', '.join(replaced)})" if replaced else "*", *added])
