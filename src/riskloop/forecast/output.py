"""The forecast table of FORECAST_SCHEMA from the sums and intervals of a forecaster, and interval arithmetic."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from riskloop.forecast.schema import FORECAST_SCHEMA, GROWTH_TARGET, HORIZONS, KINDS, sum_column
from riskloop.forecast.series import MonthlySeries

F64 = npt.NDArray[np.float64]
Bounds = tuple[F64, F64, F64]  # lo, point, hi
Z90 = 1.2815515655446004  # the standard normal's 90th percentile: an 80 % central interval is +-Z90 sd


def normal_cdf(z: F64) -> F64:
    """The standard normal CDF (Abramowitz and Stegun 7.1.26: error below 1.5e-7), infinities allowed."""
    x = np.abs(np.nan_to_num(z, nan=0.0, posinf=40.0, neginf=-40.0)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    half_erfc = 0.5 * poly * np.exp(-x * x)
    out: F64 = np.where(np.nan_to_num(z, nan=0.0) >= 0, 1.0 - half_erfc, half_erfc)
    return out


def exceed_probability(threshold: F64, lo: F64, mid: F64, hi: F64) -> F64:
    """P(Y >= threshold) for Y with median ``mid`` and 10th and 90th percentiles ``lo`` and ``hi``.

    A split normal: a normal of its own spread on each side of the median, matching the three quantiles.
    """
    below = threshold < mid
    spread = np.where(below, mid - lo, hi - mid) / Z90
    gap = threshold - mid
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread > 0, gap / np.where(spread > 0, spread, 1.0), np.sign(gap) * np.inf)
    out: F64 = 1.0 - normal_cdf(z)
    return out


def ordered(lo: F64, point: F64, hi: F64) -> Bounds:
    """Finite, non-negative bounds with lo <= point <= hi."""
    point = np.maximum(np.nan_to_num(point, nan=0.0, posinf=0.0), 0.0)
    lo = np.minimum(np.maximum(np.nan_to_num(lo, nan=0.0, posinf=0.0), 0.0), point)
    hi = np.maximum(np.nan_to_num(hi, nan=0.0, posinf=0.0), point)
    return lo, point, hi


def forecast_table(
    series: MonthlySeries,
    rows: npt.NDArray[np.intp],
    bounds: Mapping[tuple[str, int], Bounds],
    last12: Mapping[str, F64],
    p_growth: F64,
) -> pa.Table:
    """The FORECAST_SCHEMA table of the enterprises at ``rows`` of ``series``.

    ``bounds`` maps (kind, horizon) to (lo, point, hi) sums in yuan and ``last12`` each kind's observed last
    12 months, both over ``rows``; ``p_growth`` is the probability of 20 % growth (NaN where the last 12
    months' sales are 0: written null, as is growth).
    """
    columns: dict[str, object] = {
        "credit_code": series.codes.take(pa.array(rows, pa.int64())),
        "history_months": series.history_months[rows].astype(np.int32),
        "last_12m_sales": last12["sales"].astype(np.float64),
        "last_12m_purchases": last12["purchases"].astype(np.float64),
    }
    for h in HORIZONS:
        for kind in KINDS:
            lo, point, hi = ordered(*bounds[(kind, h)])
            columns[sum_column(kind, h)] = point
            columns[sum_column(kind, h, "lo")] = lo
            columns[sum_column(kind, h, "hi")] = hi
    last = last12["sales"]
    known = last > 0
    denominator = np.where(known, last, 1.0)
    for suffix in ("", "_lo", "_hi"):
        values = np.asarray(columns[f"sales_12m{suffix}"], dtype=np.float64) / denominator - 1.0
        columns[f"growth_12m{suffix}"] = pa.array(values, pa.float64(), mask=~known)
    p = np.clip(np.nan_to_num(p_growth, nan=0.0), 0.0, 1.0)
    columns["p_growth_20"] = pa.array(p, pa.float64(), mask=~known)
    return pa.table(columns, schema=FORECAST_SCHEMA)


def growth_threshold(last12_sales: F64) -> F64:
    """The 12-month sales that make a growth of ``GROWTH_TARGET``."""
    out: F64 = (1.0 + GROWTH_TARGET) * last12_sales
    return out
