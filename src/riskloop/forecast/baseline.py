"""The seasonal-naive forecast: each of the next 12 months is the same month a year earlier.

Where that month is before the enterprise's history (a firm younger than a year), the mean month of its history
in the last 12 stands in. The 80 % interval of a sum over ``h`` months is the point +- 1.28 sd, the sd of the
sum taken as ``sqrt(h)`` times the root mean square of the enterprise's own in-sample seasonal errors
(``y[t] - y[t-12]``, at least three of them; else its month-to-month changes; else its level): a normal
approximation, as independent monthly errors would give. The benchmark's yardstick, not a product forecaster.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from riskloop.forecast.output import Z90, Bounds, exceed_probability, forecast_table, growth_threshold
from riskloop.forecast.schema import HORIZONS, KINDS
from riskloop.forecast.series import MonthlySeries

F64 = npt.NDArray[np.float64]
SEASON = 12
MIN_ERRORS = 3


def seasonal_naive(series: MonthlySeries) -> pa.Table:
    """Seasonal-naive forecasts (FORECAST_SCHEMA) of every enterprise of ``series`` with any history."""
    rows = np.flatnonzero(series.history_months > 0)
    bounds: dict[tuple[str, int], Bounds] = {}
    last12: dict[str, F64] = {}
    raw: dict[str, tuple[F64, F64]] = {}
    for kind in KINDS:
        x = np.asarray(getattr(series, kind)[rows], dtype=np.float64)
        monthly, sd = seasonal_naive_months(x)
        last12[kind] = np.nansum(x[:, -SEASON:], axis=1)
        for h in HORIZONS:
            point = monthly[:, :h].sum(axis=1)
            half = Z90 * sd * np.sqrt(h)
            bounds[(kind, h)] = (np.maximum(point - half, 0.0), point, point + half)
        raw[kind] = (monthly[:, :SEASON].sum(axis=1), sd * np.sqrt(SEASON))
    point12, sd12 = raw["sales"]
    threshold = growth_threshold(last12["sales"])
    p = exceed_probability(threshold, point12 - Z90 * sd12, point12, point12 + Z90 * sd12)
    return forecast_table(series, rows, bounds, last12, p)


def seasonal_naive_months(x: F64) -> tuple[F64, F64]:
    """The next 12 monthly forecasts (n x 12) of the series ``x`` (n x T, NaN before the history) and their sd."""
    n, months = x.shape
    padded = np.full((n, max(months, 2 * SEASON)), np.nan)
    padded[:, padded.shape[1] - months :] = x
    last_year = padded[:, -SEASON:]
    has = ~np.isnan(last_year)
    count = has.sum(axis=1)
    level = np.where(count > 0, np.where(has, last_year, 0.0).sum(axis=1) / np.maximum(count, 1), 0.0)
    monthly = np.where(has, last_year, level[:, None])
    return np.maximum(monthly, 0.0), _error_sd(padded, level)


def _error_sd(x: F64, level: F64) -> F64:
    """Root mean square of the in-sample seasonal errors, else of month-to-month changes, else the level."""
    seasonal = _rms(x[:, SEASON:] - x[:, :-SEASON])
    step = _rms(x[:, 1:] - x[:, :-1])
    out: F64 = np.where(~np.isnan(seasonal), seasonal, np.where(~np.isnan(step), step, level))
    return out


def _rms(errors: F64) -> F64:
    """Root mean square per row of the non-NaN ``errors``; NaN with fewer than ``MIN_ERRORS``."""
    has = ~np.isnan(errors)
    count = has.sum(axis=1)
    mean_square = np.where(has, errors**2, 0.0).sum(axis=1) / np.maximum(count, 1)
    out: F64 = np.where(count >= MIN_ERRORS, np.sqrt(mean_square), np.nan)
    return out
