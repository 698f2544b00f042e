"""Validation with pandera: a DataFrameSchema built from the contract, run lazily to collect every failure."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pya

from riskloop.domain.tables import Column, Table, table
from riskloop.ingest import checks
from riskloop.ingest.coerce import FieldErrors

# pandera imports pyspark.pandas (at import and when it first registers its backends) whenever pyspark is
# installed, which riskloop's Spark feature engine needs, and pyspark warns there about pandas 3; ingestion
# never uses pandas-on-Spark, so users need not see it.
_PYSPARK_PANDAS_WARNING = "PySpark does not yet fully support pandas"
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", _PYSPARK_PANDAS_WARNING, FutureWarning)
    import pandera.pandas as pa


PANDAS_DTYPES = {
    "str": "str",
    "category": "str",
    "int": "Int64",
    "money": "Int64",
    "signed_money": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "date": "datetime64[ms]",
    "timestamp": "datetime64[us, UTC]",
}
_TYPES_MAPPER = {pya.int64(): pd.Int64Dtype(), pya.bool_(): pd.BooleanDtype(), pya.float64(): pd.Float64Dtype()}
NOT_NULLABLE = "is required but empty"

_FORMAT_CHECKS: dict[str, list[tuple[Callable[[pd.Series], pd.Series], str]]] = {
    "uscc": [
        (checks.regex_check(checks.USCC_SHAPE), "must be 18 characters: digits and capitals except I, O, S, V, Z"),
        (checks.uscc_prefix, "must start with authority 1, 5, 9 or Y and have digits at characters 3-8"),
        (checks.uscc_check_digit, "credit-code check digit does not match"),
    ],
    "resident_id": [
        (checks.regex_check(checks.RESIDENT_ID_SHAPE), "must be 17 digits followed by a digit or X"),
        (checks.resident_id_birth_date, "birth date (digits 7-14) is not a calendar date"),
        (checks.resident_id_check_digit, "resident-ID check digit does not match"),
    ],
    "phone": [(checks.regex_check(checks.PHONE), "not a mainland mobile (11 digits) or landline (0 + 9-11 digits)")],
    "ip": [(checks.ip_address, "not an IPv4 or IPv6 address")],
    "email": [(checks.regex_check(checks.EMAIL), "not an email address")],
}


@dataclass(frozen=True)
class Limits:
    """The as-of instant: dates after ``as_of`` and timestamps after ``latest`` are in the future."""

    as_of: dt.date
    latest: dt.datetime


def _column_checks(column: Column, limits: Limits) -> list[pa.Check]:
    out: list[pa.Check] = []
    if column.values:
        out.append(pa.Check.isin(column.values, error=f"must be one of: {', '.join(column.values)}"))
    if column.min is not None:
        out.append(pa.Check.ge(column.min, error=f"must be >= {column.min:g}"))
    if column.max is not None:
        out.append(pa.Check.le(column.max, error=f"must be <= {column.max:g}"))
    if column.max_length is not None:
        out.append(
            pa.Check.str_length(max_value=column.max_length, error=f"longer than {column.max_length} characters")
        )
    if column.format == "month_start":
        out.append(pa.Check(lambda s: s.dt.day == 1, error="must be the first day of a month"))
    elif column.format is not None:
        out.extend(pa.Check(fn, error=message) for fn, message in _FORMAT_CHECKS[column.format])
    if column.not_future and column.kind == "date":
        out.append(pa.Check.le(pd.Timestamp(limits.as_of), error=f"is after the as-of date {limits.as_of}"))
    elif column.not_future and column.kind == "timestamp":
        latest = pd.Timestamp(limits.latest).tz_convert("UTC")
        out.append(pa.Check.le(latest, error=f"is after the as-of time {latest.isoformat()}"))
    return out


def schema_for(spec: Table, limits: Limits) -> pa.DataFrameSchema:
    """Return the pandera schema of ``spec``: dtypes, nullability, categories, ranges, lengths, formats."""
    return _schema(spec.name, limits)


@cache
def _schema(name: str, limits: Limits) -> pa.DataFrameSchema:
    spec = table(name)
    columns = {
        c.name: pa.Column(PANDAS_DTYPES[c.kind], nullable=c.nullable, checks=_column_checks(c, limits))
        for c in spec.columns
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=spec.name)


def to_pandas(typed: pya.Table) -> pd.DataFrame:
    """Convert a typed batch to pandas with nullable dtypes (what the schema expects)."""
    frame: pd.DataFrame = typed.to_pandas(types_mapper=_TYPES_MAPPER.get, date_as_object=False)
    return frame


def validate(typed: pya.Table, spec: Table, limits: Limits) -> list[FieldErrors]:
    """Validate a typed batch; return the failures per field (positions are batch row positions).

    Raises
    ------
    RuntimeError
        When a column has the wrong dtype: a bug in coercion, never bad input.

    """
    if typed.num_rows == 0:
        return []
    frame = to_pandas(typed)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _PYSPARK_PANDAS_WARNING, FutureWarning)
            schema_for(spec, limits).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(exc.failure_cases, spec)
    return []


def _failures(cases: pd.DataFrame, spec: Table) -> list[FieldErrors]:
    rows = cases[cases["index"].notna()]
    if len(rows) != len(cases):
        wrong = cases[cases["index"].isna()]
        raise RuntimeError(f"{spec.name}: coerced batch failed schema-level checks: {wrong.to_dict('records')}")
    out = []
    for name, group in rows.groupby("column", sort=False):
        problems = [NOT_NULLABLE if c == "not_nullable" else str(c) for c in group["check"]]
        out.append(FieldErrors(str(name), group["index"].to_numpy(dtype=np.int64), problems))
    return out
