"""LightGBM through its C library (no ``lightgbm`` package) equals ``lightgbm.Booster``: trees and contributions."""

from __future__ import annotations

import threading
from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from riskloop.errors import ValidationError
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.contrib import RowContributions
from riskloop.scoring.points import FeatureBins, PointsTable


def _booster(params: dict[str, Any], seed: int) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3000, 5))
    x[rng.random(x.shape) < 0.2] = np.nan
    signal = np.nan_to_num(x[:, 0]) - np.nan_to_num(x[:, 1]) ** 2 + 0.5 * np.isnan(x[:, 3])
    y = (rng.random(len(x)) < 1 / (1 + np.exp(1 - signal))).astype(float)
    base = {"objective": "binary", "num_leaves": 15, "verbose": -1, "deterministic": True, "num_threads": 1}
    booster = lgb.train({**base, **params, "seed": seed}, lgb.Dataset(x, label=y), num_boost_round=60)
    test = rng.normal(size=(400, 5)) * 2
    test[rng.random(test.shape) < 0.25] = np.nan
    return lgb.Booster(model_str=booster.model_to_string()), test


@pytest.mark.parametrize("params", [{}, {"zero_as_missing": True}, {"monotone_constraints": [1, -1, 0, 0, 0]}])
def test_row_contributions_equal_pred_contrib(params: dict[str, Any]) -> None:
    booster, test = _booster(params, seed=5)
    fast = RowContributions(NativeBooster(booster.model_to_string()))
    expected = booster.predict(test, pred_contrib=True)
    got = np.array([fast.row(row) for row in test])
    assert got.shape == (len(test), 6)
    assert np.array_equal(got, expected)  # the same predictor: bit for bit
    assert np.allclose(got.sum(axis=1), booster.predict(test, raw_score=True))  # SHAP adds up to the raw score


def test_row_contributions_reject_a_row_of_the_wrong_width() -> None:
    booster, _ = _booster({}, seed=1)
    with pytest.raises(ValueError, match="needs 5 values"):
        RowContributions(NativeBooster(booster.model_to_string())).row(np.zeros(4))


def test_row_contributions_are_safe_across_threads() -> None:
    booster, test = _booster({}, seed=2)
    fast = RowContributions(NativeBooster(booster.model_to_string()))
    expected = booster.predict(test, pred_contrib=True)
    results: dict[int, np.ndarray] = {}

    def work(t: int) -> None:
        results[t] = np.array([fast.row(row) for row in test])

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(r, expected) for r in results.values())


@pytest.mark.parametrize("params", [{}, {"zero_as_missing": True}, {"monotone_constraints": [1, -1, 0, 0, 0]}])
def test_native_booster_dumps_and_explains_as_the_lightgbm_package(params: dict[str, Any]) -> None:
    booster, test = _booster(params, seed=7)
    native = NativeBooster(booster.model_to_string())
    assert (native.num_feature, native.num_trees) == (booster.num_feature(), booster.num_trees())
    expected = booster.dump_model()
    del expected["pandas_categorical"]  # added by the Python wrapper, not by the C library
    assert native.dump_model() == expected
    assert np.array_equal(native.contributions(test), booster.predict(test, pred_contrib=True))


def test_native_booster_refuses_a_bad_model_and_a_bad_matrix() -> None:
    with pytest.raises(ValidationError, match="booster"):
        NativeBooster("not a lightgbm model")
    booster, _ = _booster({}, seed=1)
    with pytest.raises(ValidationError, match="rows of 5 values"):
        NativeBooster(booster.model_to_string()).contributions(np.zeros((2, 4)))


def test_adverse_row_equals_adverse() -> None:
    table = PointsTable(
        -2.0,
        (
            FeatureBins("a", (0.0, 1.5), (0.3, -0.2, 0.1, 0.4), (0.0,) * 4),
            FeatureBins("b", (2.0,), (-0.1, 0.25, 0.05), (0.0,) * 3),
        ),
    )
    rows = np.array([[-1.0, 3.0], [0.0, np.nan], [np.nan, 2.0], [1.6, -5.0]])
    assert [table.adverse_row(list(r)) for r in rows] == table.adverse(rows).tolist()
