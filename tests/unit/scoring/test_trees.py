"""Compiled trees match LightGBM's own predictions on thousands of rows with missing values."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from riskloop.errors import ValidationError
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
    # The same leaf values added in the same order: LightGBM's raw score to the bit, which lets a serving ensemble
    # score a big batch with LightGBM's C library and a single row with the forest (ServingEnsemble._raw).
    np.testing.assert_array_equal(compiled, native)
    one = np.array([forest.raw(test[i : i + 1])[0, 0] for i in range(500)])
    assert np.array_equal(one, compiled[:500])
    _assert_same(CompiledForest.from_texts([booster.model_to_string()], [list(range(6))]), forest)


def _assert_same(read: CompiledForest, dumped: CompiledForest) -> None:
    """The forest read from the model text is the one compiled from the JSON dump, array for array."""
    mine, theirs = vars(read), vars(dumped)
    assert mine.keys() == theirs.keys()
    for name, value in theirs.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == mine[name].dtype, name
            np.testing.assert_array_equal(mine[name], value, err_msg=name)
        else:
            assert mine[name] == value, name


def test_several_boosters_share_one_feature_vector() -> None:
    first, test = _booster({}, seed=1)
    second, _ = _booster({"num_leaves": 7}, seed=2)
    forest = CompiledForest([first.dump_model(), second.dump_model()], [list(range(6)), [5, 4, 3, 2, 1, 0]])
    raw = forest.raw(test)
    texts = [first.model_to_string(), second.model_to_string()]
    _assert_same(CompiledForest.from_texts(texts, [list(range(6)), [5, 4, 3, 2, 1, 0]]), forest)
    assert np.abs(raw[:, 0] - first.predict(test, raw_score=True)).max() <= 1e-12
    assert np.abs(raw[:, 1] - second.predict(test[:, ::-1], raw_score=True)).max() <= 1e-12


def test_a_text_with_categorical_splits_or_a_loop_is_refused() -> None:
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.integers(0, 6, 2000), rng.normal(size=2000)]).astype(float)
    y = (rng.random(2000) < np.where(x[:, 0] % 2 == 0, 0.7, 0.2)).astype(float)
    params = {"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_per_group": 5, "cat_smooth": 1}
    categorical = lgb.train(params, lgb.Dataset(x, label=y, categorical_feature=[0]), num_boost_round=3)
    with pytest.raises(ValidationError, match="categorical splits"):
        CompiledForest.from_texts([categorical.model_to_string()], [[0, 1]])
    booster, _ = _booster({"num_leaves": 4}, seed=4)
    text = booster.model_to_string()
    head, tree = text.split("\nTree=0\n", 1)
    looped = tree.replace("left_child=1 ", "left_child=0 ", 1)  # the root's left child is the root
    assert looped != tree
    with pytest.raises(ValidationError, match="reached twice"):
        CompiledForest.from_texts([f"{head}\nTree=0\n{looped}"], [list(range(6))])
