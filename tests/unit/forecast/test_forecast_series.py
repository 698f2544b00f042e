"""Monthly series point in time: declared revenue, the invoice fallback, purchases, and the view of an earlier day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from riskloop.errors import ValidationError
from riskloop.forecast.series import monthly_series, shift_months
from riskloop.testing.forecast_tables import AS_OF, LATER, OTHER, SILENT, STEADY, YOUNG, write_forecast_tables

NAN = np.nan


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_forecast_tables(tmp_path_factory.mktemp("forecast-hand-made"))


def _row(series, code: str) -> int:  # type: ignore[no-untyped-def]
    codes = series.codes.to_pylist()
    assert code in codes
    return int(codes.index(code))


def test_sales_are_declared_revenue_else_invoices_times_the_firms_ratio(hand_made: Path) -> None:
    s = monthly_series(hand_made, AS_OF, months=12)
    steady = _row(s, STEADY)
    # May is filed after the as-of day and 2024-09 is a zero declaration against 50,000 of invoices: both are
    # the invoices times the firm's ratio of declared to invoiced (100,000 / 50,000).
    assert s.sales[steady].tolist() == [100_000.0] * 12
    assert s.from_vat[steady].tolist() == [True, True, True, False, *[True] * 7, False]
    assert s.purchases[steady].tolist() == [0.0] * 7 + [20_000.0] + [0.0] * 4
    assert s.history_months[steady] == 12
    assert s.months[0] == np.datetime64("2024-06")
    assert s.months[-1] == np.datetime64("2025-05")


def test_a_young_firm_has_no_history_before_it_existed(hand_made: Path) -> None:
    s = monthly_series(hand_made, AS_OF, months=12)
    young = _row(s, YOUNG)
    np.testing.assert_array_equal(s.sales[young], [NAN] * 4 + [5_000, 5_000, 0, 5_000, 5_000, 5_000, 5_000, 0])
    assert s.history_months[young] == 7  # the invoice of August 2024 predates the firm: ignored
    assert bool(s.individual[young])


def test_every_registered_firm_has_a_row_and_no_later_one(hand_made: Path) -> None:
    s = monthly_series(hand_made, AS_OF, months=12)
    codes = s.codes.to_pylist()
    assert codes == sorted(codes)
    assert SILENT in codes
    assert LATER not in codes
    assert s.history_months[_row(s, SILENT)] == 0
    assert np.isnan(s.sales[_row(s, SILENT)]).all()


def test_an_earlier_view_is_the_series_of_that_day(forecast_tables: Path) -> None:
    as_of, months = dt.date(2026, 6, 30), 24
    full = monthly_series(forecast_tables, as_of, months=months)
    for back in (1, 5, 12):
        cut = shift_months(as_of, -back)
        view, direct = full.at(cut), monthly_series(forecast_tables, cut, months=months)
        np.testing.assert_array_equal(view.months, direct.months)
        rows = [full.codes.to_pylist().index(c) for c in direct.codes.to_pylist()]
        # the view's first ``back`` months were not loaded with the later series: compared from there on
        for name in ("vat", "vat_filed", "invoice_sales", "purchases_raw", "sales_invoices", "purchase_invoices"):
            np.testing.assert_array_equal(getattr(view, name)[rows, back:], getattr(direct, name)[:, back:], name)


def test_shards_split_the_firms_without_changing_a_series(forecast_tables: Path) -> None:
    as_of = dt.date(2026, 6, 30)
    whole = monthly_series(forecast_tables, as_of, months=12)
    parts = [monthly_series(forecast_tables, as_of, months=12, shard=i, shards=3) for i in range(3)]
    codes = [c for p in parts for c in p.codes.to_pylist()]
    assert sorted(codes) == whole.codes.to_pylist()
    assert all(len(p) > 0 for p in parts)
    for part in parts:
        rows = [whole.codes.to_pylist().index(c) for c in part.codes.to_pylist()]
        np.testing.assert_array_equal(part.sales, whole.sales[rows])


def test_bad_arguments_name_the_field(hand_made: Path, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="shard"):
        monthly_series(hand_made, AS_OF, shard=3, shards=3)
    with pytest.raises(ValidationError, match="months"):
        monthly_series(hand_made, AS_OF, months=0)
    with pytest.raises(ValidationError, match="no tax_declarations or invoices"):
        monthly_series(tmp_path, AS_OF)
    with pytest.raises(ValidationError, match="cut"):
        monthly_series(hand_made, AS_OF, months=12).at(dt.date(2025, 7, 1))


def test_other_firms_sales_are_their_invoices_at_face_value(hand_made: Path) -> None:
    s = monthly_series(hand_made, AS_OF, months=12)
    other = _row(s, OTHER)  # no declaration at all: ratio 1
    assert s.sales[other].tolist() == [0.0] * 7 + [20_000.0] + [0.0] * 4
    assert s.purchases[other].tolist() == [50_000.0, 50_000.0, 59_000.0] + [50_000.0] * 9
