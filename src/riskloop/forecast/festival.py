"""The Spring Festival (春节) calendar: the month of the holiday shows the dip in sales and invoices.

The festival moves between late January and mid February, so a month-of-year feature alone cannot place it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from riskloop.domain.festival import SPRING_FESTIVAL


def festival_month(year: int) -> np.datetime64:
    """The month (``datetime64[M]``) of the Spring Festival of ``year``."""
    day = SPRING_FESTIVAL.get(year)
    return np.datetime64(f"{year}-{day.month:02d}" if day else f"{year}-02", "M")


def festival_mask(months: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """Whether each month (``datetime64[M]``, any shape) is its year's Spring Festival month."""
    years = months.astype("datetime64[Y]").astype(np.int64) + 1970
    lookup = {int(y): festival_month(int(y)) for y in np.unique(years)}
    festival = np.vectorize(lambda y: lookup[int(y)], otypes=["datetime64[M]"])(years) if years.size else months
    out: npt.NDArray[np.bool_] = months == festival
    return out
