"""Seasonal naive and the accuracy measures on hand-made series with known answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from riskloop.forecast.baseline import seasonal_naive
from riskloop.forecast.metrics import evaluate, monthly_scale, scaled_error, smape
from riskloop.forecast.output import Z90, exceed_probability, normal_cdf
from riskloop.forecast.series import NEVER_FILED, MonthlySeries, month_window

Z = 1.2815515655446004


def _series(rows: list[list[float]], months: int = 24) -> MonthlySeries:
    """Declared monthly sales (right-aligned, NaN before each history), nothing else."""
    n = len(rows)
    vat = np.full((n, months), np.nan, dtype=np.float32)
    for i, values in enumerate(rows):
        vat[i, months - len(values) :] = values
    zeros = np.zeros((n, months), dtype=np.int32)
    return MonthlySeries(
        as_of=dt.date(2026, 6, 30),
        codes=pa.array([f"C{i}" for i in range(n)]),
        months=month_window(dt.date(2026, 6, 30), months),
        vat=vat,
        vat_filed=np.where(np.isnan(vat), NEVER_FILED, 0).astype(np.int32),
        invoice_sales=np.zeros((n, months), dtype=np.float32),
        purchases_raw=np.zeros((n, months), dtype=np.float32),
        sales_invoices=zeros,
        purchase_invoices=zeros,
        buyers=zeros,
        established=np.full(n, np.datetime64("NaT"), dtype="datetime64[M]"),
        section=np.full(n, -1, dtype=np.int8),
        individual=np.zeros(n, dtype=bool),
    )


def test_seasonal_naive_repeats_last_year_with_its_own_error_spread() -> None:
    table = seasonal_naive(_series([[100.0 + t for t in range(24)], [10, 20, 30, 40, 50], [7], []]))
    assert table["credit_code"].to_pylist() == ["C0", "C1", "C2"]  # no history, no row
    row = {c: table[c].to_pylist() for c in table.column_names}
    assert row["sales_3m"][0] == 112 + 113 + 114
    assert row["sales_6m"][0] == sum(range(112, 118))
    assert row["sales_12m"][0] == sum(range(112, 124))
    # every seasonal error is 12: the sd of a 3-month sum is 12 sqrt(3)
    assert row["sales_3m_hi"][0] == pytest.approx(339 + Z * 12 * np.sqrt(3))
    assert row["sales_3m_lo"][0] == pytest.approx(339 - Z * 12 * np.sqrt(3))
    assert row["last_12m_sales"][0] == sum(range(112, 124))
    assert row["growth_12m"][0] == pytest.approx(0.0)
    assert row["p_growth_20"][0] == pytest.approx(1 - normal_cdf(np.array(0.2 * 1410 / (12 * np.sqrt(12))))[()])
    # younger than a year: its mean month; month-to-month changes (10) for the spread
    assert row["sales_3m"][1] == 90
    assert row["sales_12m"][1] == 360
    assert row["sales_12m_hi"][1] == pytest.approx(360 + Z * 10 * np.sqrt(12))
    # one month: its level, and the level as the spread (the low end clipped at 0 over 12 months)
    assert row["sales_6m"][2] == 42
    assert row["sales_6m_lo"][2] == pytest.approx(42 - Z * 7 * np.sqrt(6))
    assert row["sales_6m_hi"][2] == pytest.approx(42 + Z * 7 * np.sqrt(6))
    assert row["sales_12m_lo"][2] == pytest.approx(max(0.0, 84 - Z * 7 * np.sqrt(12)))
    assert row["purchases_12m"] == [0.0, 0.0, 0.0]


def test_smape_mase_and_coverage_by_hand() -> None:
    np.testing.assert_allclose(smape(np.array([100.0, 0, 50]), np.array([50.0, 0, 0])), [2 * 50 / 150, 0, 2])
    np.testing.assert_allclose(scaled_error(np.array([10.0, 5]), np.array([4.0, 5]), np.array([3.0, 0])), [2, np.nan])
    linear = np.array([[100.0 + t for t in range(24)], [np.nan] * 20 + [1, 3, 6, 10]])
    np.testing.assert_allclose(monthly_scale(linear), [12.0, 3.0])  # seasonal pairs, else month-to-month
    forecast = seasonal_naive(_series([[100.0 + t for t in range(24)], [1, 3, 6, 10]]))
    actual = pa.table(
        {
            "credit_code": ["C1", "C0", "C9"],
            **{f"{k}_{h}m": [14.0, 400.0, 5.0] for k in ("sales", "purchases") for h in (3, 6, 12)},
            "sales_scale": [3.0, 12.0, 1.0],
            "purchases_scale": [0.0, 0.0, 0.0],
        }
    )
    figures = evaluate(forecast, actual)["sales_3m"]
    assert figures["series"] == 2  # C9 has no forecast
    c0, c1 = 339.0, 3 * 5.0  # C1: mean month 5 (younger than a year)
    assert figures["smape"] == pytest.approx(round((2 * 61 / 739 + 2 * 1 / 29) / 2, 4))
    assert figures["mase"] == pytest.approx(round((abs(c0 - 400) / 36 + abs(c1 - 14) / 9) / 2, 4))
    # C0's 400 lies above 339 + 1.28 * 12 * sqrt(3); C1's 14 within 15 -+ 1.28 * rms(2, 3, 4) * sqrt(3)
    assert c0 + Z * 12 * np.sqrt(3) < 400
    assert figures["coverage"] == 0.5
    assert evaluate(forecast, actual)["purchases_3m"]["series_scaled"] == 0


def test_exceed_probability_matches_the_quantiles() -> None:
    lo, mid, hi = np.array([0.0]), np.array([10.0]), np.array([30.0])
    assert exceed_probability(np.array([10.0]), lo, mid, hi)[0] == pytest.approx(0.5)
    assert exceed_probability(np.array([30.0]), lo, mid, hi)[0] == pytest.approx(0.1, abs=1e-6)
    assert exceed_probability(np.array([0.0]), lo, mid, hi)[0] == pytest.approx(0.9, abs=1e-6)
    assert exceed_probability(np.array([11.0]), mid, mid, mid)[0] == 0.0  # a point forecast: certain
    assert pytest.approx(Z) == Z90
