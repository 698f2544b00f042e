"""Scorecard: monotone bins, a missing bin, and a points table whose sum is the scorecard's log-odds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from riskloop.modeling.scorecard import ScorecardClassifier
from riskloop.scoring.points import PointsTable
from riskloop.scoring.scaling import Scaling


def test_points_table_sums_to_the_scorecard(toy: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, y = toy
    x = frame[["b_debt", "b_margin", "c_cases"]].to_numpy(float)
    model = ScorecardClassifier(("b_debt", "b_margin", "c_cases"), {"b_debt": 1, "c_cases": 1}).fit(x, y)
    logit = model.decision_function(x)
    woe = np.column_stack([np.asarray(b.woe)[b.bin_index(x[:, j])] for j, b in enumerate(model.table_.bins)])
    assert np.allclose(logit, model.intercept_ + woe @ model.coef_, atol=1e-12)
    scaling = Scaling(600, 50, 40)
    exported = model.table_.to_json(scaling)
    table = PointsTable.from_json(exported)
    points = np.full(len(x), exported["base_points"])
    for j, f in enumerate(exported["features"]):
        pts = np.array([b["points"] for b in f["bins"]])
        points += pts[table.bins[j].bin_index(x[:, j])]
    assert np.allclose(points, scaling.points_from_logit(logit), atol=1e-9)
    assert np.array_equal(table.logit(x), logit)


def test_monotone_trend_and_missing_bin(toy: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, y = toy
    x = frame[["b_debt"]].to_numpy(float)
    model = ScorecardClassifier(("b_debt",), {"b_debt": 1}).fit(x, y)
    bins = model.table_.bins[0]
    value_logits = np.array(bins.logits[:-1])
    assert len(bins.splits) >= 1
    assert (np.diff(value_logits) >= 0).all()  # more debt, more risk
    assert math.isfinite(bins.logits[-1])  # NaN rows land in the explicit missing bin
    assert model.decision_function(np.array([[np.nan]]))[0] == model.table_.intercept + bins.logits[-1]
