"""No look-ahead: records filed or issued on or after the as-of day, or of its unfinished month, change nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskloop.forecast.baseline import seasonal_naive
from riskloop.forecast.model import ForecastModel
from riskloop.forecast.series import MonthlySeries, monthly_series
from riskloop.testing.forecast_tables import (
    AS_OF,
    LATER,
    OTHER,
    SILENT,
    STEADY,
    YOUNG,
    invoice_row,
    vat_row,
    write_forecast_tables,
)

CODES = st.sampled_from([STEADY, YOUNG, SILENT, LATER, OTHER])
MONTH_START = AS_OF.replace(day=1)
ON_OR_AFTER = st.dates(AS_OF, AS_OF + dt.timedelta(days=400))
THIS_MONTH = st.dates(MONTH_START, AS_OF - dt.timedelta(days=1))  # before as-of, but the month is not complete
ANY_PERIOD = st.dates(dt.date(2023, 1, 1), dt.date(2026, 6, 1)).map(lambda d: d.replace(day=1))
CENTS = st.integers(0, 10**11)


@st.composite
def late_declaration(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A VAT declaration of any month filed on or after the as-of day (an amendment, when the month has one)."""
    return "tax_declarations", vat_row(draw(CODES), draw(ANY_PERIOD), draw(CENTS), draw(ON_OR_AFTER))


@st.composite
def this_months_declaration(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A declaration of the unfinished month of the as-of day, filed before it."""
    return "tax_declarations", vat_row(draw(CODES), MONTH_START, draw(CENTS), draw(THIS_MONTH))


@st.composite
def late_invoice(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """An invoice issued on or after the as-of day, or earlier in its unfinished month; any status and parties."""
    day = draw(st.one_of(ON_OR_AFTER, THIS_MONTH))
    seller, buyer = draw(CODES), draw(st.one_of(st.none(), CODES))
    status = draw(st.sampled_from(["normal", "void", "red"]))
    number = f"L{draw(st.integers(0, 10**9)):012d}"
    return "invoices", invoice_row(number, seller, buyer, day, draw(CENTS), status=status)


RECORDS = st.lists(st.one_of(late_declaration(), this_months_declaration(), late_invoice()), min_size=1, max_size=6)
ARRAYS = ("vat", "vat_filed", "invoice_sales", "purchases_raw", "sales_invoices", "purchase_invoices", "buyers")


def _series(extra: dict[str, list[dict[str, Any]]]) -> MonthlySeries:
    with tempfile.TemporaryDirectory() as tmp:
        return monthly_series(write_forecast_tables(Path(tmp), extra), AS_OF)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS)
def test_later_records_change_no_series_and_no_forecast(
    forecast_model: ForecastModel, records: list[tuple[str, dict[str, Any]]]
) -> None:
    before = _series({})
    extra: dict[str, list[dict[str, Any]]] = {}
    for table, record in records:
        extra.setdefault(table, []).append(record)
    after = _series(extra)
    assert after.codes.equals(before.codes)
    np.testing.assert_array_equal(after.months, before.months)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name), name)
    np.testing.assert_array_equal(after.sales, before.sales)
    np.testing.assert_array_equal(after.purchases, before.purchases)
    _same(forecast_model.forecast(after), forecast_model.forecast(before))
    _same(seasonal_naive(after), seasonal_naive(before))


def _same(a: pa.Table, b: pa.Table) -> None:
    assert a.equals(b), "a record after the as-of day changed a forecast"
