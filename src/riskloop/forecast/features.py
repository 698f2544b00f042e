"""The rows of the global forecast model: scale-free facts of each enterprise's last 24 months (numpy only).

Read by training and serving alike, so both compute a row the same way. Every amount enters relative to the
enterprise's own level (the mean month of its last 12, ``base``), on a log scale: a model of ratios serves a
shop and a factory alike. The targets are the same kind of ratio: ``log1p(sum_h / h) - log1p(base)``, the
log of the mean month of the next ``h`` against the recent mean month (``target`` and ``sums``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from riskloop.forecast.festival import festival_month
from riskloop.forecast.series import MonthlySeries

F64 = npt.NDArray[np.float64]
FEATURE_MONTHS = 24
_KIND_FEATURES = (
    "level",  # log1p of the mean month of the last 12 (yuan)
    "r1",  # last month against the level (logs)
    "r3",
    "r6",
    "prev12",  # the 12 months before the last 12
    "sply3",  # the same 3 months a year earlier as the 3 to forecast
    "sply6",
    "step_ly",  # last year: the 3 months after the cut's month against the 3 before it
    "step_now",  # the last 3 months against the 3 before
    "trend",  # least-squares slope of log1p month over the last 12
    "zero_share",  # zero months of the last 12 (of those with history)
    "cv",  # coefficient of variation of the last 12
    "peak",  # the largest month of the last 12 against the level
)
_COMMON = (
    "history_24",  # observed months of the last 24
    "started_24",  # months since the first observed one, at most 24
    "age_months",  # months since establishment
    "vat_share_12",  # months of the last 12 whose sales are declared revenue
    "vat_gap",  # months since the last month with declared revenue (24: none)
    "zero_decl_12",  # zero declarations (零申报) in the last 12 months
    "sales_invoices_12",  # log1p of sales invoices per month
    "purchase_invoices_12",
    "buyers_12",  # log1p of distinct enterprise buyers per month
    "purchase_to_sales",  # level of purchases against the level of sales (logs)
    "month_no",  # month of year of the first month forecast
    "festival_offset",  # months from the first month forecast to the next Spring Festival month
    "festival_recent",  # the Spring Festival month is among the last 3
    "individual",  # an individual business (个体工商户)
    "section",  # industry section, categorical (GB/T 4754 letter index)
)
FEATURE_NAMES = (*(f"s_{n}" for n in _KIND_FEATURES), *(f"p_{n}" for n in _KIND_FEATURES), *_COMMON)
CATEGORICAL = ("section",)


@dataclass(frozen=True)
class Rows:
    """The model's rows of a series.

    ``matrix`` holds the features, ``base`` the sales level every target is relative to, ``last12`` each
    kind's sum over the last 12 months (yuan).
    """

    matrix: F64
    base: F64
    last12: dict[str, F64]


def feature_rows(series: MonthlySeries) -> Rows:
    """One row of ``FEATURE_NAMES`` per enterprise of ``series``, as known on its ``as_of`` day."""
    sales, purchases = _window(series.sales), _window(series.purchases)
    s_cols, s_base = _kind_columns(sales)
    p_cols, _ = _kind_columns(purchases)
    common = _common_columns(series, s_cols[0], p_cols[0])
    matrix = np.column_stack([*s_cols, *p_cols, *common]).astype(np.float64)
    return Rows(matrix, s_base, last_twelve(series))


def last_twelve(series: MonthlySeries) -> dict[str, F64]:
    """Each kind's sum over the last 12 months (yuan; months without history count 0)."""
    return {
        kind: np.nansum(getattr(series, kind)[:, -12:], axis=1, dtype=np.float64) for kind in ("sales", "purchases")
    }


def target(sums: F64, horizon: int, base: F64) -> F64:
    """The model's target: the log of the mean month of the next ``horizon`` against the level ``base``."""
    out: F64 = np.log1p(np.maximum(sums, 0.0) / horizon) - np.log1p(base)
    return out


def sums(values: F64, horizon: int, base: F64) -> F64:
    """The sums over ``horizon`` months a target value stands for (the inverse of ``target``), yuan, >= 0."""
    out: F64 = horizon * np.maximum(np.expm1(values + np.log1p(base)), 0.0)
    return out


def _window(values: npt.NDArray[np.float32]) -> F64:
    """The last ``FEATURE_MONTHS`` months as float64, NaN-padded in front when the series is shorter."""
    out = np.full((values.shape[0], FEATURE_MONTHS), np.nan)
    take = min(FEATURE_MONTHS, values.shape[1])
    if take:
        out[:, -take:] = values[:, -take:]
    return out


def _mean(x: F64) -> F64:
    """Mean over axis 1 of the non-NaN values; NaN where there are none (no warning)."""
    count = (~np.isnan(x)).sum(axis=1)
    total = np.nansum(x, axis=1)
    out: F64 = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out


def _log(x: F64) -> F64:
    out: F64 = np.log1p(np.maximum(x, 0.0))
    return out


def _kind_columns(x: F64) -> tuple[list[F64], F64]:
    """The per-kind columns of ``x`` (n x 24 months) and its level ``base`` (0 where no history in 12 months)."""
    level = _mean(x[:, -12:])
    base = np.nan_to_num(level, nan=0.0)
    lb = _log(level)  # NaN without history: the kind's relative facts are unknown, not zero
    m3, m_before3 = _mean(x[:, -3:]), _mean(x[:, -6:-3])
    sply3, before_ly = _mean(x[:, -12:-9]), _mean(x[:, -15:-12])
    last12 = x[:, -12:]
    has = ~np.isnan(last12)
    count = has.sum(axis=1)
    zero_share = np.where(count > 0, ((last12 == 0) & has).sum(axis=1) / np.maximum(count, 1), np.nan)
    sd = np.sqrt(np.maximum(_mean(last12**2) - _mean(last12) ** 2, 0.0))
    cv = np.where(base > 0, sd / np.where(base > 0, base, 1.0), np.nan)
    peak = np.where(count > 0, np.nanmax(np.where(has, last12, -np.inf), axis=1), np.nan)
    cols = [
        lb,
        _log(x[:, -1]) - lb,
        _log(m3) - lb,
        _log(_mean(x[:, -6:])) - lb,
        _log(_mean(x[:, -24:-12])) - lb,
        _log(sply3) - lb,
        _log(_mean(x[:, -12:-6])) - lb,
        _log(sply3) - _log(before_ly),
        _log(m3) - _log(m_before3),
        _slope(_log(last12)),
        zero_share,
        cv,
        _log(peak) - lb,
    ]
    return cols, base


def _slope(y: F64) -> F64:
    """Least-squares slope per row over the non-NaN months (NaN with fewer than 3)."""
    has = ~np.isnan(y)
    t = np.where(has, np.arange(y.shape[1], dtype=np.float64)[None, :], 0.0)
    n = has.sum(axis=1)
    safe_n = np.maximum(n, 1)
    t_mean = t.sum(axis=1) / safe_n
    y0 = np.where(has, y, 0.0)
    y_mean = y0.sum(axis=1) / safe_n
    dt = np.where(has, t - t_mean[:, None], 0.0)
    var = (dt**2).sum(axis=1)
    cov = (dt * (y0 - y_mean[:, None])).sum(axis=1)
    out: F64 = np.where((n >= 3) & (var > 0), cov / np.where(var > 0, var, 1.0), np.nan)
    return out


def _common_columns(series: MonthlySeries, s_level: F64, p_level: F64) -> list[F64]:
    observed = _window(series.observed.astype(np.float32))
    sales = _window(series.sales)
    from_vat = _window(series.from_vat.astype(np.float32))[:, -12:]
    started12 = ~np.isnan(sales[:, -12:])
    vat12 = np.where(started12, from_vat, 0.0).sum(axis=1)
    vat_any = np.nan_to_num(_window(series.from_vat.astype(np.float32)), nan=0.0) > 0
    gap = np.where(vat_any.any(axis=1), np.argmax(vat_any[:, ::-1], axis=1), FEATURE_MONTHS).astype(np.float64)
    vat = _window(series.vat)[:, -12:]
    first = series.months[-1] + 1  # the first month forecast
    cut_day = np.datetime64(series.as_of, "M")
    age = (cut_day - series.established).astype(np.float64)  # NaT -> a huge negative: treated below
    age = np.where(np.isnat(series.established), np.nan, np.minimum(age, 240.0))
    n = len(series)
    return [
        np.nansum(np.nan_to_num(observed, nan=0.0), axis=1),
        (~np.isnan(sales)).sum(axis=1).astype(np.float64),
        age,
        np.where(started12.sum(axis=1) > 0, vat12 / np.maximum(started12.sum(axis=1), 1), np.nan),
        gap,
        (vat == 0).sum(axis=1).astype(np.float64),
        np.log1p(_counts(series.sales_invoices)),
        np.log1p(_counts(series.purchase_invoices)),
        np.log1p(_counts(series.buyers)),
        p_level - s_level,
        np.full(n, float(first.astype(np.int64) % 12 + 1)),
        np.full(n, float(_festival_offset(first))),
        np.full(n, float(_festival_recent(series.months[-1]))),
        series.individual.astype(np.float64),
        np.where(series.section >= 0, series.section, np.nan).astype(np.float64),
    ]


def _counts(values: npt.NDArray[np.int32]) -> F64:
    """Mean per month over the last 12 months."""
    take = values[:, -12:]
    out: F64 = take.sum(axis=1, dtype=np.float64) / 12.0
    return out


def _festival_offset(first: np.datetime64) -> int:
    year = int(first.astype("datetime64[Y]").astype(np.int64)) + 1970
    festival = festival_month(year)
    if festival < first:
        festival = festival_month(year + 1)
    return int((festival - first).astype(np.int64))


def _festival_recent(last: np.datetime64) -> bool:
    year = int(last.astype("datetime64[Y]").astype(np.int64)) + 1970
    return any(last - 2 <= festival_month(y) <= last for y in (year - 1, year))
