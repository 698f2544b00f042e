"""In-memory inputs of a prospect run: a forecast, PDs and graph signals given per credit code (tests only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa

from riskloop.prospecting.graph_signals import TROUBLE, GraphSignalArrays

FORECAST_COLUMNS = ("last_12m_sales", "sales_12m", "growth_12m", "growth_12m_lo", "growth_12m_hi", "p_growth_20")


class FixedForecasts:
    """ForecastSource of fixed rows: credit code -> the forecast's columns (yuan, growth, probability)."""

    version = "fixed-forecast"

    def __init__(self, rows: Mapping[str, Mapping[str, float]]) -> None:
        self.rows = dict(rows)

    def forecast(self, as_of: dt.date) -> pa.Table:
        """The rows as a table of the forecast's float columns."""
        codes = list(self.rows)
        columns = {
            name: pa.array([float(self.rows[c][name]) for c in codes], pa.float64()) for name in FORECAST_COLUMNS
        }
        return pa.table({"credit_code": pa.array(codes, pa.string()), **columns})


class FixedPds:
    """PdSource of fixed PDs by credit code."""

    version = "fixed-pd"

    def __init__(self, pds: Mapping[str, float]) -> None:
        self.values = dict(pds)

    def pds(self, as_of: dt.date) -> pa.Table:
        """``credit_code`` and ``pd``."""
        return pa.table({"credit_code": list(self.values), "pd": pa.array(list(self.values.values()), pa.float64())})


class FixedGraphSignals:
    """GraphSignalSource of fixed signals: gang members, troubled statuses and troubled neighbours by code."""

    version = "fixed-graph"

    def __init__(
        self,
        gang: frozenset[str] = frozenset(),
        troubled: Mapping[str, str] | None = None,
        bad_neighbours: Mapping[str, int] | None = None,
    ) -> None:
        self.gang, self.troubled, self.neighbours = gang, dict(troubled or {}), dict(bad_neighbours or {})

    def signals(self, codes: Sequence[str], as_of: dt.date) -> GraphSignalArrays:
        """The signals of ``codes`` (zero where nothing is given)."""
        n = len(codes)
        return GraphSignalArrays(
            related_risk=np.zeros(n),
            propagated_risk=np.zeros(n),
            gang=np.array([c in self.gang for c in codes], dtype=bool),
            bad_neighbours=np.array([self.neighbours.get(c, 0) for c in codes], dtype=np.int64),
            troubled={s: np.array([self.troubled.get(c) == s for c in codes], dtype=bool) for s in TROUBLE},
        )
