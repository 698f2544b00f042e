"""Compiled trees match LightGBM's own predictions on thousands of rows with missing values."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from riskloop.scoring.trees import CompiledForest


def _booster(params: dict[str, Any], seed: int) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 4000
    x = rng.normal(size=(n, 6))
    x[rng.random((n, 6)) < 0.15] = np.nan
    x[:, 2] = np.where(rng.random(n) < 0.4, 0.0, x[:, 2])  # many exact zeros
    x[:, 5] = np.round(np.nan_to_num(x[:, 5]))  # no NaN in training: missing type None
    signal = np.nan_to_num(x[:, 0]) - np.nan_to_num(x[:, 1]) ** 2 + 0.5 * np.isnan(x[:, 3]) + 0.3 * x[:, 5]
    y = (rng.random(n) < 1 / (1 + np.exp(1 - signal))).astype(float)
    base = {"objective": "binary", "num_leaves": 15, "verbose": -1, "deterministic": True, "num_threads": 1}
    booster = lgb.train({**base, **params, "seed": seed}, lgb.Dataset(x, label=y), num_boost_round=80)
    test = rng.normal(size=(3000, 6))
    test[rng.random((3000, 6)) < 0.2] = np.nan
    test[:, 2] = np.where(rng.random(3000) < 0.3, 0.0, test[:, 2])
    return lgb.Booster(model_str=booster.model_to_string()), test


@pytest.mark.parametrize(
    "params",
    [{}, {"zero_as_missing": True}, {"monotone_constraints": [1, -1, 0, 0, 0, 1]}, {"min_data_in_leaf": 2000}],
    ids=["nan-missing", "zero-missing", "monotone", "stumps"],
)
def test_compiled_forest_matches_lightgbm(params: dict[str, Any]) -> None:
    booster, test = _booster(params, seed=3)
    forest = CompiledForest([booster.dump_model()], [list(range(6))])
    native = booster.predict(test, raw_score=True)
    compiled = forest.raw(test)[:, 0]
    assert np.abs(compiled - native).max() <= 1e-12
    one = np.array([forest.raw(test[i : i + 1])[0, 0] for i in range(500)])
    assert np.array_equal(one, compiled[:500])


def test_several_boosters_share_one_feature_vector() -> None:
    first, test = _booster({}, seed=1)
    second, _ = _booster({"num_leaves": 7}, seed=2)
    forest = CompiledForest([first.dump_model(), second.dump_model()], [list(range(6)), [5, 4, 3, 2, 1, 0]])
    raw = forest.raw(test)
    assert np.abs(raw[:, 0] - first.predict(test, raw_score=True)).max() <= 1e-12
    assert np.abs(raw[:, 1] - second.predict(test[:, ::-1], raw_score=True)).max() <= 1e-12
