"""The Spring Festival (春节) dates: the month of the holiday shows the dip in sales, declarations and invoices.

One table for the generator and the forecast: the festival moves between late January and mid February.
"""

from __future__ import annotations

import datetime as dt

# Lunar New Year's day, Gregorian. Outside the table the festival is taken to fall in February (its usual month).
SPRING_FESTIVAL: dict[int, dt.date] = {
    year: dt.date.fromisoformat(day)
    for year, day in {
        2005: "2005-02-09",
        2006: "2006-01-29",
        2007: "2007-02-18",
        2008: "2008-02-07",
        2009: "2009-01-26",
        2010: "2010-02-14",
        2011: "2011-02-03",
        2012: "2012-01-23",
        2013: "2013-02-10",
        2014: "2014-01-31",
        2015: "2015-02-19",
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
        2033: "2033-01-31",
        2034: "2034-02-19",
        2035: "2035-02-08",
    }.items()
}
