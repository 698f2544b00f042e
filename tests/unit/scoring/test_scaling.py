"""PDO scaling: base points at base odds, +PDO points per doubling of the odds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from riskloop.scoring.scaling import Scaling


@pytest.mark.parametrize(("base", "odds", "pdo"), [(600, 50, 40), (500, 20, 20), (660, 72, 50)])
def test_doubling_the_odds_adds_pdo_points(base: float, odds: float, pdo: float) -> None:
    s = Scaling(base, odds, pdo)
    good_odds = np.array([odds, 2 * odds, 4 * odds, odds / 2])
    points = s.points_from_logit(-np.log(good_odds))
    assert points[0] == pytest.approx(base)
    assert points[1] - points[0] == pytest.approx(pdo)
    assert points[2] - points[1] == pytest.approx(pdo)
    assert points[0] - points[3] == pytest.approx(pdo)


def test_pd_to_points_is_clipped_at_the_extremes() -> None:
    s = Scaling()
    points = s.points_from_pd(np.array([0.0, 1 / 51, 1.0]))
    assert np.isfinite(points).all()
    assert points[1] == pytest.approx(600.0)
    assert points[0] > points[1] > points[2]
    assert s.factor == pytest.approx(40 / math.log(2))
