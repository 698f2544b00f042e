"""Month grids and seasonality: the revenue window, Spring Festival dips and date arithmetic on numpy days."""

from __future__ import annotations

import numpy as np

from riskloop.synth.arrays import Arr

REVENUE_MONTHS = 54  # covers three filed fiscal years for any as-of date
VAT_MONTHS = 30
GOV_MONTHS = 24
INVOICE_MONTHS = 24

# Spring Festival (春节) dates: the month of the holiday shows the dip in revenue and invoices.
_SPRING_FESTIVAL = {
    2016: "2016-02-08",
    2017: "2017-01-28",
    2018: "2018-02-16",
    2019: "2019-02-05",
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
    2031: "2031-01-23",
    2032: "2032-02-11",
}


def last_months(as_of: np.datetime64, count: int) -> Arr:
    """The ``count`` complete calendar months before the month of ``as_of`` (datetime64[M], ascending)."""
    current = as_of.astype("datetime64[M]")
    out: Arr = current - np.arange(count, 0, -1).astype("timedelta64[M]")
    return out


def seasonality(months: Arr) -> Arr:
    """Multiplicative revenue seasonality: Spring Festival month dip, year-end push."""
    years = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month_no = months.astype(np.int64) % 12 + 1
    festival = np.array([np.datetime64(_SPRING_FESTIVAL.get(int(y), f"{int(y)}-02-01"), "M") for y in years])
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
