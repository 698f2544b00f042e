"""Accuracy of forecast sums over the next 3, 6 and 12 months: sMAPE, MASE and interval coverage.

sMAPE of a sum is ``2 |F - A| / (|F| + |A|)`` (0 when both are 0), in [0, 2]. MASE divides ``|F - A|`` by ``h``
times the enterprise's in-sample seasonal-naive mean absolute error of one month (``|y[t] - y[t-12]|``; with fewer
than three such pairs, ``|y[t] - y[t-1]|``): above 1, worse than the in-sample seasonal naive. Series whose
scale is 0 or unknown are left out of MASE (counted). Coverage is the share of actual sums inside [lo, hi].
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.forecast.schema import HORIZONS, KINDS, sum_column
from riskloop.forecast.series import MonthlySeries, month_window

F64 = npt.NDArray[np.float64]
SEASON = 12
MIN_PAIRS = 3


def smape(forecast: F64, actual: F64) -> F64:
    """Symmetric absolute percentage error per series, in [0, 2]; 0 where both are 0."""
    denominator = np.abs(forecast) + np.abs(actual)
    out: F64 = np.where(denominator > 0, 2.0 * np.abs(forecast - actual) / np.where(denominator > 0, denominator, 1), 0)
    return out


def scaled_error(forecast: F64, actual: F64, scale: F64) -> F64:
    """``|F - A| / scale`` per series; NaN where the scale is 0 or NaN."""
    ok = np.nan_to_num(scale, nan=0.0) > 0
    out: F64 = np.where(ok, np.abs(forecast - actual) / np.where(ok, scale, 1.0), np.nan)
    return out


def monthly_scale(x: F64) -> F64:
    """In-sample seasonal-naive MAE of one month per series (n x T, NaN before the history)."""
    seasonal = _mean_abs(x[:, SEASON:] - x[:, :-SEASON]) if x.shape[1] > SEASON else np.full(len(x), np.nan)
    step = _mean_abs(x[:, 1:] - x[:, :-1]) if x.shape[1] > 1 else np.full(len(x), np.nan)
    out: F64 = np.where(~np.isnan(seasonal), seasonal, step)
    return out


def _mean_abs(diff: F64) -> F64:
    has = ~np.isnan(diff)
    count = has.sum(axis=1)
    total = np.where(has, np.abs(diff), 0.0).sum(axis=1)
    out: F64 = np.where(count >= MIN_PAIRS, total / np.maximum(count, 1), np.nan)
    return out


def held_out_actuals(full: MonthlySeries, in_sample: MonthlySeries) -> pa.Table:
    """The observed sums after ``in_sample.as_of`` (from ``full``, a later series) and each series' scale.

    One row per enterprise of ``in_sample`` with history; a sum is null unless ``full`` has every month of it.
    """
    first = np.datetime64(in_sample.as_of, "M")
    start = int((first - full.months[0]).astype(np.int64))
    rows = np.flatnonzero(in_sample.history_months > 0)
    position = pc.index_in(in_sample.codes.take(pa.array(rows)), value_set=full.codes).to_numpy(zero_copy_only=False)
    found = ~np.isnan(position.astype(np.float64))
    index = np.where(found, np.nan_to_num(position.astype(np.float64), nan=0.0), 0).astype(np.intp)
    columns: dict[str, Any] = {"credit_code": in_sample.codes.take(pa.array(rows))}
    for kind in KINDS:
        future = np.asarray(getattr(full, kind), dtype=np.float64)[index]
        for h in HORIZONS:
            window = future[:, start : start + h] if start >= 0 else np.full((len(rows), h), np.nan)
            ok = found & (window.shape[1] == h) & ~np.isnan(window).any(axis=1)
            columns[sum_column(kind, h)] = pa.array(np.nansum(window, axis=1), pa.float64(), mask=~ok)
        past = np.asarray(getattr(in_sample, kind)[rows], dtype=np.float64)
        columns[f"{kind}_scale"] = monthly_scale(past)
    return pa.table(columns)


def truth_actuals(truth: pa.Table, series: MonthlySeries) -> pa.Table:
    """Sums over the next 3, 6 and 12 months from the generator's ``future_scale`` truth (cents -> yuan).

    ``truth``: credit_code, month (first day), sales_cents, purchases_cents. One row per enterprise of
    ``series`` with history; a sum is null unless the truth has every month of it.
    """
    months = month_window(_months_later(series.as_of, 12), 12)  # the 12 months from the month of as_of
    rows = np.flatnonzero(series.history_months > 0)
    codes = series.codes.take(pa.array(rows))
    row = pc.index_in(truth["credit_code"], value_set=codes).to_numpy(zero_copy_only=False)
    month = truth["month"].to_numpy(zero_copy_only=False).astype("datetime64[M]")
    col = ((month - months[0]).astype(np.int64)).astype(np.float64)
    keep = ~np.isnan(row.astype(np.float64)) & (col >= 0) & (col < 12)
    r, c = row[keep].astype(np.intp), col[keep].astype(np.intp)
    columns: dict[str, Any] = {"credit_code": codes}
    for kind in KINDS:
        grid = np.full((len(rows), 12), np.nan)
        grid[r, c] = truth[f"{kind}_cents"].to_numpy(zero_copy_only=False)[keep] / 100.0
        for h in HORIZONS:
            ok = ~np.isnan(grid[:, :h]).any(axis=1)
            columns[sum_column(kind, h)] = pa.array(np.nansum(grid[:, :h], axis=1), pa.float64(), mask=~ok)
        columns[f"{kind}_scale"] = monthly_scale(np.asarray(getattr(series, kind)[rows], dtype=np.float64))
    return pa.table(columns)


def evaluate(forecast: pa.Table, actual: pa.Table, codes: pa.Array | None = None) -> dict[str, dict[str, float]]:
    """Figures per ``<kind>_<h>m`` of ``forecast`` against ``actual`` (``held_out_actuals``, ``truth_actuals``).

    Over the enterprises in both with a known actual sum (and in ``codes``, when given): mean sMAPE, mean and
    median MASE (and how many series had a scale), coverage of the 80 % interval, and the count.
    """
    where = pc.index_in(actual["credit_code"], value_set=forecast["credit_code"]).to_numpy(zero_copy_only=False)
    found = ~np.isnan(where.astype(np.float64))
    if codes is not None:
        found &= pc.is_in(actual["credit_code"], value_set=codes).to_numpy(zero_copy_only=False)
    at = np.nan_to_num(where.astype(np.float64), nan=0.0).astype(np.intp)
    out: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        scale_month = actual[f"{kind}_scale"].to_numpy(zero_copy_only=False).astype(np.float64)
        for h in HORIZONS:
            name = sum_column(kind, h)
            known = found & actual[name].is_valid().to_numpy(zero_copy_only=False)
            a = actual[name].fill_null(0.0).to_numpy(zero_copy_only=False)[known]
            f, lo, hi = (
                forecast[sum_column(kind, h, b)].to_numpy(zero_copy_only=False)[at[known]] for b in ("", "lo", "hi")
            )
            mase = scaled_error(f, a, h * scale_month[known])
            scaled = mase[~np.isnan(mase)]
            out[name] = {
                "smape": _round(float(np.mean(smape(f, a))) if len(a) else float("nan")),
                "mase": _round(float(np.mean(scaled)) if len(scaled) else float("nan")),
                "mase_median": _round(float(np.median(scaled)) if len(scaled) else float("nan")),
                "coverage": _round(float(np.mean((a >= lo) & (a <= hi))) if len(a) else float("nan")),
                "series": len(a),
                "series_scaled": len(scaled),
            }
    return out


def _round(value: float) -> float:
    return round(value, 4)


def _months_later(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
