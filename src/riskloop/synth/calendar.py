"""Month grids and seasonality: the revenue window, Spring Festival dips and date arithmetic on numpy days."""

from __future__ import annotations

import datetime as dt

import numpy as np

from riskloop.domain.festival import SPRING_FESTIVAL
from riskloop.synth.arrays import Arr

REVENUE_MONTHS = 54  # covers three filed fiscal years for any as-of date
VAT_MONTHS = 30
GOV_MONTHS = 24
INVOICE_MONTHS = 24


def last_months(as_of: np.datetime64, count: int) -> Arr:
    """The ``count`` complete calendar months before the month of ``as_of`` (datetime64[M], ascending)."""
    current = as_of.astype("datetime64[M]")
    out: Arr = current - np.arange(count, 0, -1).astype("timedelta64[M]")
    return out


def seasonality(months: Arr) -> Arr:
    """Multiplicative revenue seasonality: Spring Festival month dip, year-end push."""
    years = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month_no = months.astype(np.int64) % 12 + 1
    festival = np.array([np.datetime64(SPRING_FESTIVAL.get(int(y), dt.date(int(y), 2, 1)), "M") for y in years])
    factor = np.where(months == festival, 0.62, 1.0)
    factor = np.where(months == festival + np.timedelta64(1, "M"), factor * 1.08, factor)
    return np.where(month_no == 12, factor * 1.12, factor)


def add_months(day: Arr, months: Arr) -> Arr:
    """``day`` plus ``months`` calendar months, the day of month clamped to 28."""
    month = day.astype("datetime64[M]") + months.astype("timedelta64[M]")
    dom = np.minimum((day - day.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64), 27)
    out: Arr = month.astype("datetime64[D]") + dom.astype("timedelta64[D]")
    return out


def years_of(day: Arr) -> Arr:
    """Calendar year of each day."""
    out: Arr = day.astype("datetime64[Y]").astype(np.int64) + 1970
    return out
