"""The forecast table: one row per enterprise with any history, sums over the next 3, 6 and 12 months in yuan.

``lo`` and ``hi`` bound the 80 % prediction interval of each sum. ``growth_12m`` is the forecast 12-month sales
over the observed last 12 months, minus one (null when those are 0), with its interval; ``p_growth_20`` the
forecast probability that the next 12 months' sales reach 1.2 times the last 12 months' (null when those are 0).
"""

from __future__ import annotations

import pyarrow as pa

HORIZONS = (3, 6, 12)
KINDS = ("sales", "purchases")
INTERVAL = 0.8  # the prediction interval's nominal coverage
GROWTH_TARGET = 0.2  # p_growth_20: the next 12 months' sales at least 1.2 times the last 12 months'


def _fields() -> list[pa.Field]:
    fields = [
        pa.field("credit_code", pa.string(), nullable=False),
        pa.field("history_months", pa.int32(), nullable=False),
        pa.field("last_12m_sales", pa.float64(), nullable=False),
        pa.field("last_12m_purchases", pa.float64(), nullable=False),
    ]
    for h in HORIZONS:
        for kind in KINDS:
            for suffix in ("", "_lo", "_hi"):
                fields.append(pa.field(f"{kind}_{h}m{suffix}", pa.float64(), nullable=False))
    fields += [pa.field(f"growth_12m{suffix}", pa.float64()) for suffix in ("", "_lo", "_hi")]
    fields.append(pa.field("p_growth_20", pa.float64()))
    return fields


FORECAST_SCHEMA = pa.schema(_fields())


def sum_column(kind: str, horizon: int, bound: str = "") -> str:
    """The column of the forecast sum of ``kind`` over ``horizon`` months (``bound``: "", "lo" or "hi")."""
    return f"{kind}_{horizon}m" + (f"_{bound}" if bound else "")
