"""Gini, KS, PSI, calibration and lift against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ValidationError
from riskloop.modeling import evaluation as ev
from riskloop.modeling.metrics import ks
from riskloop.monitoring.model_figures import PSI_FLOOR, bootstrap_auc_gain


def test_gini_of_perfect_random_and_inverted_rankings() -> None:
    y = [0, 0, 1, 1]
    assert ev.gini(y, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(1.0)
    assert ev.gini(y, [0.4, 0.3, 0.2, 0.1]) == pytest.approx(-1.0)
    assert ev.gini(y, [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.0)


def test_gini_small_example() -> None:
    # pairs (bad, good): bad 0.35 beats goods 0.1 and 0.3 but not 0.4; bad 0.8 beats all three -> AUC 5/6
    y, score = [0, 0, 0, 1, 1], [0.1, 0.3, 0.4, 0.35, 0.8]
    assert ev.gini(y, score) == pytest.approx(2 * 5 / 6 - 1)


def test_ks_small_example() -> None:
    # thresholds riskiest first: after 0.8 -> bads 1/2, goods 0; after 0.4 -> 1/2, 1/3; after 0.35 -> 1, 1/3
    y, score = [0, 0, 0, 1, 1], [0.1, 0.3, 0.4, 0.35, 0.8]
    assert ks(y, score) == pytest.approx(2 / 3)
    curve = ev.ks_curve(y, score, points=6)
    gaps = np.subtract(curve["bad"], curve["good"])
    assert gaps.max() == pytest.approx(2 / 3)


def test_discrimination_bundles_metrics_and_handles_one_class() -> None:
    out = ev.discrimination([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8])
    assert out == {"rows": 4.0, "bad_rate": 0.5, "auc": 1.0, "ks": 1.0, "gini": 1.0}
    assert math.isnan(ev.discrimination([0, 0], [0.1, 0.2])["auc"])


def test_psi_of_identical_distributions_is_zero() -> None:
    values = np.random.default_rng(0).normal(size=1000)
    assert ev.psi(values, values) == 0.0
    assert ev.psi(values, values[::-1].copy()) == 0.0


def test_psi_two_bins_by_hand() -> None:
    # expected 50/50 in two value bins, actual 25/75: (0.25-0.5)ln(0.5) + (0.75-0.5)ln(1.5)
    want = -0.25 * math.log(0.5) + 0.25 * math.log(1.5)
    assert ev.psi([0, 0, 1, 1], [0, 1, 1, 1]) == pytest.approx(want)


def test_psi_missing_is_its_own_bin() -> None:
    expected = [1.0, 2.0, np.nan, np.nan]
    detail = ev.psi_detail(expected, [1.0, 2.0, 1.0, 2.0])
    assert detail.expected[-1] == 0.5
    assert detail.actual[-1] == 0.0
    # the missing bin's empty actual share is floored at 1e-4; the two value bins go from 1/4 to 1/2 each
    want = 2 * (0.25 * math.log(0.5 / 0.25)) + (PSI_FLOOR - 0.5) * math.log(PSI_FLOOR / 0.5)
    assert detail.value == pytest.approx(want)


def test_psi_deciles_of_expected() -> None:
    edges = ev.decile_edges(np.arange(1, 11, dtype=float))
    assert edges.tolist() == pytest.approx([1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1])
    shares = ev.bin_shares(np.arange(1, 11, dtype=float), edges)
    assert shares.tolist() == [0.1] * 10 + [0.0]


def test_feature_psi_sorts_largest_first() -> None:
    a = pd.DataFrame({"same": [1.0, 2.0, 3.0, 4.0], "moved": [1.0, 2.0, 3.0, 4.0]})
    b = pd.DataFrame({"same": [1.0, 2.0, 3.0, 4.0], "moved": [4.0, 4.0, 4.0, 4.0]})
    out = ev.feature_psi(a, b)
    assert list(out) == ["moved", "same"]
    assert out["same"] == 0.0
    assert out["moved"] > 0.25


def test_calibration_table_counts() -> None:
    y = [0, 0, 0, 1, 0, 1, 1, 1, 0, 1]
    pd_ = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9]
    rows = ev.calibration_table(y, pd_, bins=5)
    assert [r["rows"] for r in rows] == [2.0] * 5
    assert [r["bads"] for r in rows] == [0.0, 1.0, 1.0, 2.0, 1.0]
    assert rows[0]["predicted"] == pytest.approx(0.075)
    assert [r["observed"] for r in rows] == [0.0, 0.5, 0.5, 1.0, 0.5]
    assert sum(r["rows"] for r in ev.calibration_table(y, pd_, bins=3)) == 10  # sizes 4, 3, 3


def test_lift_and_gain_by_hand() -> None:
    # riskiest first: scores 0.9 0.8 | 0.7 0.6 | 0.5 0.4 | 0.3 0.2 with bads at 0.9, 0.8, 0.5
    y = [1, 1, 0, 0, 1, 0, 0, 0]
    score = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
    rows = ev.lift_table(y, score, bins=4)
    assert [r["bads"] for r in rows] == [2.0, 0.0, 1.0, 0.0]
    assert [r["gain"] for r in rows] == pytest.approx([2 / 3, 2 / 3, 1.0, 1.0])
    overall = 3 / 8
    assert rows[0]["lift"] == pytest.approx(1.0 / overall)
    assert rows[2]["cum_lift"] == pytest.approx((3 / 6) / overall)
    assert rows[-1]["cum_share"] == 1.0


def test_lift_needs_a_bad() -> None:
    with pytest.raises(ValidationError, match="at least one bad"):
        ev.lift_table([0, 0], [0.1, 0.2])


def test_roc_points_are_thinned_and_span_the_square() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 5000)
    pts = ev.roc_points(y, rng.random(5000), max_points=50)
    assert len(pts["fpr"]) <= 50
    assert (pts["fpr"][0], pts["tpr"][0], pts["fpr"][-1], pts["tpr"][-1]) == (0.0, 0.0, 1.0, 1.0)


def test_ensemble_gain_over_best_sub_model() -> None:
    metrics = {
        "fused": {"auc": 0.80, "ks": 0.45, "gini": 0.60},
        "tax:gbdt": {"auc": 0.75, "ks": 0.40, "gini": 0.50},
        "risk:scorecard": {"auc": 0.70, "ks": 0.42, "gini": 0.40},
    }
    gain = ev.ensemble_gain(metrics)
    assert gain["best_sub_model"] == "tax:gbdt"
    assert gain["auc_gain"] == pytest.approx(0.05)
    assert gain["ks_gain"] == pytest.approx(0.05)
    assert ev.ensemble_gain({"fused": metrics["fused"]}) == {"best_sub_model": None}


def test_paired_bootstrap_gain_brackets_the_point_estimate() -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2 * z - 2)))).astype(int)
    strong, weak = z + rng.normal(0, 0.3, 4000), z + rng.normal(0, 1.5, 4000)
    out = bootstrap_auc_gain(y, strong, weak, rounds=100)
    assert out["low"] < out["gain"] < out["high"]
    assert out["low"] > 0
    same = bootstrap_auc_gain(y, strong, strong, rounds=20)
    assert same == {"gain": 0.0, "low": 0.0, "high": 0.0}
