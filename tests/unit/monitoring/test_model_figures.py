"""Model-monitoring figures against hand-computed PSI, KS and AUC, and the shipped threshold policy."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest

from riskloop.modeling.evaluation import psi as training_psi
from riskloop.modeling.metrics import auc as sk_auc
from riskloop.modeling.metrics import ks as sk_ks
from riskloop.monitoring import model_figures as fig
from riskloop.monitoring.model_policy import MODEL_POLICY, MODEL_POLICY_VERSION, build_model_policy, read_crossed
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine

KEY = f"{MODEL_POLICY}@{MODEL_POLICY_VERSION}"


def test_psi_on_bins_fixed_by_the_training_sample_matches_the_hand_computation() -> None:
    bins = fig.fixed_bins([0.0, 0.0, 1.0, 1.0], bins=2)
    assert bins.edges == (0.5,)
    assert bins.shares == (0.5, 0.5, 0.0)  # the last share is the missing bin
    # (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5)
    expected = 0.25 * math.log(2) + 0.25 * math.log(1.5)
    assert fig.psi_against(bins, [0.0, 1.0, 1.0, 1.0])["psi"] == pytest.approx(expected, abs=1e-12)
    # a missing value lands in the missing bin, whose training share 0 is floored at 1e-4
    with_missing = 0.25 * math.log(2) + (0.25 - 1e-4) * math.log(0.25 / 1e-4)
    assert fig.psi_against(bins, [0.0, None, 1.0, 1.0])["psi"] == pytest.approx(with_missing, abs=1e-12)
    assert fig.psi_against(bins, [0.0, 1.0])["psi"] == 0.0


def test_psi_reads_like_the_training_reports() -> None:
    rng = np.random.default_rng(3)
    train, now = rng.normal(size=2000), rng.normal(0.3, 1.2, size=700)
    now[::50] = np.nan
    assert fig.psi_against(fig.fixed_bins(train), now)["psi"] == pytest.approx(training_psi(train, now), rel=1e-12)


def test_ks_and_auc_match_the_hand_computation() -> None:
    y, score = [1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.2, 0.1]
    assert fig.ks(y, score) == pytest.approx(2 / 3)  # after 0.8: all-but-one bad shares 2/3, no good yet
    assert fig.auc(y, score) == pytest.approx(8 / 9)  # 8 of the 9 bad-good pairs ranked right
    assert fig.auc([0, 1], [0.5, 0.5]) == 0.5  # a tie counts half
    assert fig.ks([0, 1], [0.5, 0.5]) == 0.0  # no cut separates tied scores
    assert math.isnan(fig.auc([1, 1], [0.1, 0.2]))


def test_ks_and_auc_agree_with_the_training_stack_with_ties() -> None:
    rng = np.random.default_rng(5)
    score = rng.integers(0, 20, size=500) / 20
    y = (rng.random(500) < 0.1 + 0.5 * score).astype(int)
    assert fig.auc(y, score) == pytest.approx(sk_auc(y, score), abs=1e-12)
    assert fig.ks(y, score) == pytest.approx(sk_ks(y, score), abs=1e-12)


def test_calibration_and_characteristic_by_score_band() -> None:
    rows = fig.calibration_by_band([0, 1, 0, 1, 1], [0.1, 0.2, 0.6, 0.7, 0.8], [0.5])
    assert rows == [
        {"band": 1, "rows": 2, "bads": 1, "predicted": pytest.approx(0.15), "observed": 0.5},
        {"band": 2, "rows": 3, "bads": 2, "predicted": pytest.approx(0.7), "observed": 2 / 3},
    ]
    found = fig.characteristic([1.0, 3.0, 10.0, None], [0.1, 0.2, 0.6, 0.7], [0.5], [2.0, 6.0])
    assert found["now"] == [2.0, 10.0]
    assert found["shift"] == pytest.approx(4 / 4)  # band 2 moved 4, the training band means span 4


def test_the_reference_holds_bins_band_means_and_baseline() -> None:
    ref = fig.build_reference([0.1, 0.2, 0.3, 0.4], {"x": [1.0, 2.0, 3.0, None]}, {"auc": 0.8})
    assert ref["rows"] == 4
    assert ref["inputs"]["x"]["shares"][-1] == 0.25
    assert len(ref["band_means"]["x"]) == len(ref["score"]["edges"]) + 1
    assert ref["baseline"] == {"auc": 0.8}


def test_the_shipped_policy_is_the_built_reference() -> None:
    shipped = resources.files("riskloop.rules").joinpath(f"strategies/{MODEL_POLICY}-v1.json").read_text()
    assert shipped == build_model_policy()


@pytest.mark.parametrize(
    ("metric", "value", "level"),
    [
        ("score_psi", 0.3, "warning"),
        ("score_psi", 0.1, "attention"),
        ("score_psi", 0.09, None),
        ("input_psi", 0.12, "notice"),
        ("auc_drop", 0.04, "attention"),
        ("calibration_ratio", 1.6, "warning"),
        ("calibration_ratio", 1.0, None),
        ("calibration_ratio", 0.5, "attention"),
    ],
)
def test_the_reference_thresholds(metric: str, value: float, level: str | None) -> None:
    result = ZenRuleEngine(PackageStrategyLoader()).evaluate(KEY, {"metric": metric, "value": value}).result
    crossed = read_crossed(KEY, metric, result)
    assert (crossed.level if crossed else None) == level
