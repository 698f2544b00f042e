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

from riskloop.config import DEFAULT_APPLICANT_AGE
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
        (checks.resident_id_region, "region code (digits 1-2) is not a province-level division"),
        (checks.resident_id_birth_date, "birth date (digits 7-14) is not a calendar date from 1900 on"),
        (checks.resident_id_check_digit, "resident-ID check digit does not match"),
    ],
    "phone": [
        (checks.not_one_digit, "not a real number (one digit repeated)"),
        (checks.regex_check(checks.PHONE), "not a mainland mobile (11 digits) or landline (0 + area code + number)"),
    ],
    "ip": [(checks.ip_address, "not an IPv4 or IPv6 client address (loopback, multicast, reserved are refused)")],
    "email": [(checks.regex_check(checks.EMAIL), "not an email address")],
}


@dataclass(frozen=True)
class Limits:
    """The as-of instant (dates after ``as_of``, timestamps after ``latest`` are future) and the applicant ages."""

    as_of: dt.date
    latest: dt.datetime
    ages: tuple[int, int] = DEFAULT_APPLICANT_AGE  # applicant ages accepted on the application date (inclusive)


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
    if column.format == "resident_id":
        day = pd.Timestamp(limits.as_of)
        out.append(
            pa.Check(checks.born_by(day), error=f"birth date (digits 7-14) is after the as-of date {limits.as_of}")
        )
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
    ages = [e for c in spec.columns if c.age_at is not None and (e := _age_errors(frame, c, limits.ages))]
    ages += [e for c in spec.columns if c.present_when is not None and (e := _presence_errors(frame, c))]
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _PYSPARK_PANDAS_WARNING, FutureWarning)
            schema_for(spec, limits).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(exc.failure_cases, spec) + ages
    return ages


def _age_errors(frame: pd.DataFrame, column: Column, ages: tuple[int, int]) -> FieldErrors | None:
    """Rows whose person is outside the applicant age range on the ``age_at`` date (China time)."""
    births = checks.birth_dates(frame[column.name])
    at = frame[str(column.age_at)]
    if isinstance(at.dtype, pd.DatetimeTZDtype):
        at = at.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    at = at.dt.normalize()
    before_birthday = (at.dt.month * 100 + at.dt.day) < (births.dt.month * 100 + births.dt.day)
    age = at.dt.year - births.dt.year - before_birthday.astype("Int64")
    bad = ((age < ages[0]) | (age > ages[1])).fillna(False).astype(bool).to_numpy()
    positions = np.flatnonzero(bad).astype(np.int64)
    if positions.size == 0:
        return None
    problem = f"the applicant is outside the product's age range {ages[0]}-{ages[1]} on the application date"
    return FieldErrors(column.name, positions, [problem] * positions.size)


def _presence_errors(frame: pd.DataFrame, column: Column) -> FieldErrors | None:
    """Rows where ``column`` is empty though its ``present_when`` holds, or filled though it does not."""
    assert column.present_when is not None
    other, value = column.present_when
    wanted = (frame[other] == value).fillna(False).astype(bool).to_numpy()
    present = frame[column.name].notna().to_numpy()
    missing, extra = wanted & ~present, ~wanted & present
    positions = np.flatnonzero(missing | extra).astype(np.int64)
    if positions.size == 0:
        return None
    problems = [
        f"is required when {other} is {value}" if missing[p] else f"must be empty unless {other} is {value}"
        for p in positions
    ]
    return FieldErrors(column.name, positions, problems)


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
