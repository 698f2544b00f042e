"""A CatBoost binary classifier converted to a LightGBM text model scores and explains as catboost itself does,
through the serving stack (NativeBooster, CompiledForest), and anything the conversion cannot carry is refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from riskloop.errors import ValidationError
from riskloop.modeling.catboost_text import lightgbm_text
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.model_text import check_model_text
from riskloop.scoring.trees import CompiledForest

catboost = pytest.importorskip("catboost")

COLUMNS = 5  # column 0 is constant: no tree splits on it
NAMES = [f"f{i}" for i in range(COLUMNS)]
ROUNDS = 30


def _float32(x: np.ndarray) -> np.ndarray:
    """CatBoost compares in float32: values it sees exactly as given."""
    return x.astype(np.float32).astype(np.float64)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    rows = 600
    x = rng.normal(size=(rows, COLUMNS))
    x[:, 0] = 1.0
    x[rng.random(rows) < 0.2, 2] = np.nan  # NaN seen in training: AsFalse (nan_mode Min) or AsTrue (Max)
    x[rng.random(rows) < 0.2, 4] = np.nan
    x = _float32(x)
    logit = x[:, 1] - np.nan_to_num(x[:, 2]) + np.nan_to_num(x[:, 4], nan=1.0) + 0.5 * x[:, 3] - 1.0
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    test = _float32(rng.normal(size=(400, COLUMNS)))
    test[:, 0] = 1.0
    test[rng.random(test.shape) < 0.2] = np.nan  # NaN in every column, also those that had none (AsIs)
    test[:5] = x[:5]  # a few training rows, borders and all
    return x, y, test


def _fit(x: np.ndarray, y: np.ndarray, **params: Any) -> Any:
    settings = {
        "iterations": ROUNDS,
        "depth": 3,
        "random_seed": 0,
        "thread_count": 1,
        "verbose": 0,
        "allow_writing_files": False,
        "boost_from_average": True,
    }
    weight = params.pop("sample_weight", None)
    return catboost.CatBoostClassifier(**{**settings, **params}).fit(x, y, sample_weight=weight)


def _json(model: Any, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "model.json"
    model.save_model(str(path), format="json")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _assert_serves_as_catboost(model: Any, dump: dict[str, Any], matrix: np.ndarray) -> None:
    text = lightgbm_text(dump, NAMES)
    assert check_model_text(text) == len(dump["oblivious_trees"])
    expected = model.predict(matrix, prediction_type="RawFormulaVal")
    booster = NativeBooster(text)
    np.testing.assert_allclose(booster.raw_scores(matrix), expected, rtol=0, atol=1e-9)
    compiled = CompiledForest([booster.dump_model()], [list(range(COLUMNS))]).raw(matrix)[:, 0]
    np.testing.assert_allclose(compiled, expected, rtol=0, atol=1e-9)
    read = CompiledForest.from_texts([text], [list(range(COLUMNS))]).raw(matrix)[:, 0]
    np.testing.assert_array_equal(read, compiled)  # the model text read directly: the same forest
    np.testing.assert_array_equal(read, booster.raw_scores(matrix))  # and LightGBM's C library to the bit
    contributions = booster.contributions(matrix)
    assert np.isfinite(contributions).all()
    np.testing.assert_allclose(contributions.sum(axis=1), expected, rtol=0, atol=1e-9)
    assert not contributions[:, 0].any()  # the constant column: no split, no contribution


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize(("nan_mode", "treatment"), [("Min", "AsFalse"), ("Max", "AsTrue")])
def test_scores_and_contributions_equal_catboost(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path, depth: int, nan_mode: str, treatment: str
) -> None:
    x, y, test = data
    model = _fit(x, y, depth=depth, nan_mode=nan_mode)
    dump = _json(model, tmp_path)
    floats = dump["features_info"]["float_features"]
    assert [f["nan_value_treatment"] for f in floats] == ["AsIs", "AsIs", treatment, "AsIs", treatment]
    assert [f["flat_feature_index"] for f in floats] == list(range(COLUMNS))  # the constant column keeps its place
    assert not floats[0]["borders"]
    assert dump["scale_and_bias"][1][0] != 0.0  # boost_from_average: a bias, folded into tree 0
    _assert_serves_as_catboost(model, dump, test)


def test_scale_and_fractional_weights(data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    x, y, test = data
    weight = np.random.default_rng(1).uniform(0.01, 0.2, size=len(y))  # leaf weights far from whole counts
    model = _fit(x, y, depth=4, sample_weight=weight)
    model.set_scale_and_bias(0.7, 0.3)
    dump = _json(model, tmp_path)
    assert dump["scale_and_bias"] == [0.7, [0.3]]
    _assert_serves_as_catboost(model, dump, test)


def test_a_tree_of_depth_zero_is_a_single_leaf(data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    x, y, test = data
    dump = _json(_fit(x, y, iterations=3), tmp_path)
    dump["oblivious_trees"].insert(1, {"splits": [], "leaf_values": [0.25], "leaf_weights": [600]})
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(dump))
    model = catboost.CatBoostClassifier()
    model.load_model(str(path), format="json")
    _assert_serves_as_catboost(model, dump, test)
    assert "Tree=1\nnum_leaves=1\n" in lightgbm_text(dump, NAMES)


TWO_SPLITS = [
    {"float_feature_index": 0, "border": 0.5, "split_type": "FloatFeature"},
    {"float_feature_index": 1, "border": 2.0, "split_type": "FloatFeature"},
]


def _hand_made(*trees: dict[str, Any]) -> dict[str, Any]:
    """A two-feature model written by hand: columns 1 and 2 of three, a scale of 2 and a bias of 0.5."""
    return {
        "features_info": {
            "float_features": [
                {"feature_index": 0, "flat_feature_index": 1, "nan_value_treatment": "AsFalse", "borders": [0.5]},
                {"feature_index": 1, "flat_feature_index": 2, "nan_value_treatment": "AsTrue", "borders": [2.0]},
            ]
        },
        "oblivious_trees": list(trees),
        "scale_and_bias": [2.0, [0.5]],
    }


def test_leaf_numbering_follows_catboost() -> None:
    """Leaf index = sum of (x[f_j] > border_j) << j: split 0 is the low bit; the input column is flat_feature_index."""
    dump = _hand_made({"splits": TWO_SPLITS, "leaf_values": [1.0, 2.0, 4.0, 8.0], "leaf_weights": [3, 0, 2, 5]})
    text = lightgbm_text(dump, ["a", "b", "c"])
    rows = np.array([[9.0, 0.0, 0.0], [9.0, 1.0, 0.0], [9.0, 0.0, 3.0], [9.0, 1.0, 3.0], [9.0, np.nan, np.nan]])
    expected = 2.0 * np.array([1.0, 2.0, 4.0, 8.0, 4.0]) + 0.5  # NaN: left (AsFalse) then right (AsTrue)
    booster = NativeBooster(text)
    np.testing.assert_array_equal(booster.raw_scores(rows), expected)
    np.testing.assert_array_equal(CompiledForest([booster.dump_model()], [[0, 1, 2]]).raw(rows)[:, 0], expected)
    np.testing.assert_array_equal(CompiledForest.from_texts([text], [[0, 1, 2]]).raw(rows)[:, 0], expected)
    contributions = booster.contributions(rows)  # a leaf of weight 0 does not break TreeSHAP
    assert np.isfinite(contributions).all()
    np.testing.assert_allclose(contributions.sum(axis=1), expected, rtol=0, atol=1e-12)
    assert not contributions[:, 0].any()


def _tree_fields(text: str, index: int) -> dict[str, list[float]]:
    block = text.split(f"Tree={index}\n", 1)[1].split("\n\n", 1)[0]
    lines = (line.split("=", 1) for line in block.splitlines())
    return {key: [float(v) for v in value.split()] for key, value in lines}


def test_node_figures_are_count_weighted_sums_of_their_leaves() -> None:
    """Each internal node carries its leaves' count, weight and count-weighted mean value, and its split's gain,
    for trees of several depths in one model (computed depth by depth), each tree in its own place."""
    dump = _hand_made(
        {"splits": TWO_SPLITS, "leaf_values": [1.0, 2.0, 4.0, 8.0], "leaf_weights": [3, 0, 2, 5]},
        {"splits": [], "leaf_values": [0.25], "leaf_weights": [7]},
        {"splits": TWO_SPLITS, "leaf_values": [-1.0, 0.0, 1.0, 2.0], "leaf_weights": [1, 1, 1, 1]},
    )
    text = lightgbm_text(dump, ["a", "b", "c"])
    first, single, third = (_tree_fields(text, i) for i in range(3))
    values, counts = [2.5, 4.5, 8.5, 16.5], [3, 1, 2, 5]  # scaled by 2, the bias in tree 0; a weight 0 counts 1
    root, low, high = 111.5 / 11, 12 / 4, 99.5 / 7
    assert first["split_feature"] == [2, 1, 1]  # the root tests the last split
    assert first["leaf_count"] == counts
    assert first["internal_count"] == [11, 4, 7]
    assert first["internal_weight"] == [10, 3, 7]
    assert first["internal_value"] == pytest.approx([root, low, high], rel=1e-15)
    gains = [4 * (low - root) ** 2 + 7 * (high - root) ** 2, 3 * (2.5 - low) ** 2 + 1 * (4.5 - low) ** 2,
             2 * (8.5 - high) ** 2 + 5 * (16.5 - high) ** 2]  # fmt: skip
    assert first["split_gain"] == pytest.approx(gains, rel=1e-14)
    assert (first["left_child"], first["right_child"]) == ([1, -1, -3], [2, -2, -4])  # leaf i is ~i
    assert first["leaf_value"] == values
    assert single["leaf_value"] == [0.5]
    assert "internal_value" in single
    assert single["split_feature"] == []
    assert third["internal_value"] == [1.0, -1.0, 3.0]
    assert third["split_gain"] == [16.0, 2.0, 2.0]  # leaves -2, 0, 2, 4: 2·2² + 2·2², then 1 + 1 twice
    assert third["internal_count"] == [4, 2, 2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"grow_policy": "Depthwise"}, "non-symmetric"),
        ({"grow_policy": "Lossguide"}, "non-symmetric"),
        ({"depth": 7, "iterations": 2}, "depth 7"),
        ({"loss_function": "MultiClass", "iterations": 2, "boost_from_average": False}, "MultiClass"),
    ],
)
def test_unsupported_models_are_refused(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path, params: dict[str, Any], message: str
) -> None:
    x, y, _ = data
    labels = y + (np.arange(len(y)) % 3 == 0) if params.get("loss_function") == "MultiClass" else y
    dump = _json(_fit(x, labels, **params), tmp_path)
    with pytest.raises(ValidationError, match=message):
        lightgbm_text(dump, NAMES)


def test_categorical_features_are_refused(data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    x, y, _ = data
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(x, columns=NAMES)
    frame.insert(1, "segment", np.where(y == 1, "u", np.where(x[:, 1] > 0, "v", "w")))
    dump = _json(_fit(frame, y, cat_features=["segment"]), tmp_path)
    with pytest.raises(ValidationError, match="categorical features are not supported"):
        lightgbm_text(dump, [*NAMES, "segment"])
    dump["features_info"].pop("categorical_features")
    with pytest.raises(ValidationError, match="not supported"):  # and each categorical split (or CTR) on its own
        lightgbm_text(dump, [*NAMES, "segment"])


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (NAMES[:-1], "5 input columns, 4 names"),
        ([*NAMES, "extra"], "5 input columns, 6 names"),
        (["f0", "f 1", "f2", "f3", "f4"], "whitespace"),
        (["f0", "f1", "f2", "f3", "f0"], "repeat"),
    ],
)
def test_feature_names_must_fit(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path, names: list[str], message: str
) -> None:
    x, y, _ = data
    dump = _json(_fit(x, y, iterations=2), tmp_path)
    with pytest.raises(ValidationError, match=message) as raised:
        lightgbm_text(dump, names)
    assert raised.value.field == "feature_names"


def test_a_model_without_trees_is_refused(data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    x, y, _ = data
    dump = _json(_fit(x, y, iterations=2), tmp_path)
    empty = copy.deepcopy(dump)
    empty["oblivious_trees"] = []
    with pytest.raises(ValidationError, match="no trees"):
        lightgbm_text(empty, NAMES)
