"""A malformed LightGBM text is refused before LightGBM's C library reads it (which would abort the process)."""

from __future__ import annotations

import numpy as np
import pytest

from riskloop.errors import ValidationError
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.model_text import check_model_text

lgb = pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def text() -> str:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    params = {"objective": "binary", "verbose": -1, "num_leaves": 4, "deterministic": True, "num_threads": 1}
    booster = lgb.train(params, lgb.Dataset(x, (x[:, 0] > 0).astype(int)), num_boost_round=5)
    return str(booster.model_to_string())


def test_a_well_formed_model_passes(text: str) -> None:
    assert check_model_text(text) == 5
    assert NativeBooster(text).num_trees == 5


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda t: "", "not a LightGBM text model"),
        (lambda t: t[: len(t) // 3], "truncated"),  # LightGBM: terminate called without an active exception
        (lambda t: t.replace("num_leaves=4", "num_leaves=400", 1), "leaf_value has 4 values, 400 expected"),
        (lambda t: t.replace("split_feature=", "split_feature=99 ", 1), "split_feature has"),
        (lambda t: t.replace("left_child=1", "left_child=7", 1), "left_child 7 outside the tree"),
        (lambda t: t.replace("max_feature_idx=3", "max_feature_idx=x", 1), "max_feature_idx"),
        (lambda t: t.replace("leaf_value=", "leaf_value=nan? ", 1), "not a number"),
    ],
    ids=["empty", "truncated", "leaves", "features", "children", "header", "values"],
)
def test_a_malformed_model_is_refused_with_what_is_wrong(text: str, damage: object, says: str) -> None:
    bad = damage(text)  # type: ignore[operator]
    with pytest.raises(ValidationError, match=says):
        check_model_text(bad, "gbdt-tax.txt")
    with pytest.raises(ValidationError, match=r"^gbdt-tax\.txt: "):
        NativeBooster(bad, "gbdt-tax.txt")  # refused in Python: the process is not aborted
