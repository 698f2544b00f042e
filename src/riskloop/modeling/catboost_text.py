"""CatBoost binary classifiers rewritten as LightGBM text models, so serving never imports ``catboost``.

Serving has one path for gradient-boosted trees: a LightGBM text model held by LightGBM's C library
(``scoring.booster.NativeBooster``: raw scores and TreeSHAP reason codes) or compiled to numpy
(``scoring.trees.CompiledForest``). A CatBoost model trained on numeric features only is a sum of
*oblivious* trees (every level of a tree tests the same split), which is a special case of a LightGBM tree:
``lightgbm_text`` turns the JSON that ``model.save_model(path, format="json")`` writes into that text, and
the serving stack takes it unchanged. Only the JSON dict is read (the standard library, no ``catboost``).

The mapping, checked against ``catboost`` predictions in the tests:

* a split goes right (``1``) in CatBoost when ``value > border`` and left in LightGBM when
  ``value <= threshold``. CatBoost rounds the value to float32 first, so the threshold is the largest
  double that rounds to at most the border (``float32_threshold``): the two agree on every input;
* the leaf index of an oblivious tree is ``sum((x[f_j] > border_j) << j)``; the LightGBM tree tests split
  ``d - 1`` at its root and split 0 just above the leaves, so its leaf ``i`` is CatBoost's leaf ``i``;
* a split's ``float_feature_index`` is the ``feature_index`` of an entry of
  ``features_info["float_features"]``, whose ``flat_feature_index`` is the input column (the two differ
  once categorical columns sit among the numeric ones; constant and ignored columns keep their entry);
* NaN: CatBoost replaces it by -inf (``AsFalse``, ``nan_mode="Min"``) or +inf (``AsTrue``, ``"Max"``) before
  comparing, and a feature that had no NaN in training (``AsIs``) compares NaN as-is, which is never
  greater: left. LightGBM missing type NaN with the matching default branch does the same;
* ``scale_and_bias``: every leaf is multiplied by the scale and the bias is added to the leaves of tree 0
  (a model of no trees is refused, as CatBoost refuses to apply it: "Empty tree range");
* TreeSHAP weighs each branch by its data count: the counts are the leaf weights (rescaled to integers
  when they are not already, since LightGBM reads counts as int32), every leaf at least 1 so that no
  branch has a zero count, and an internal node counts the sum of its leaves.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError

FIELD = "catboost_model"
MAX_DEPTH = 6  # 2**6 = 64 leaves: the most scoring.trees.CompiledForest holds (one uint64 bit per leaf)
MAX_COUNT = 1 << 30  # total data count of a tree whose weights are rescaled (LightGBM counts are int32)
BINARY_LOSSES = frozenset({"Logloss", "CrossEntropy"})
NAN_GOES_LEFT = {"AsFalse": True, "AsIs": True, "AsTrue": False}  # NaN is "not greater" unless AsTrue
MISSING_NAN = 2 << 2  # decision_type bits 2-3: missing type NaN
DEFAULT_LEFT = 2  # decision_type bit 1
UNSAFE_NAME_CHARS = '",:[]{}'  # JSON specials, which LightGBM refuses in names (``a=b`` is fine: one-hot columns)
UNSUPPORTED_FEATURES = ("categorical_features", "text_features", "embedding_features", "ctrs")
FloatMatrix = npt.NDArray[np.float64]
IntMatrix = npt.NDArray[np.int64]
_INT_KEYS = frozenset({"split_feature", "decision_type", "left_child", "right_child", "internal_count"})
_NODE_KEYS = (  # per-internal-node fields of a tree block: the first six before the leaf fields, then the rest
    "split_feature",
    "split_gain",
    "threshold",
    "decision_type",
    "left_child",
    "right_child",
    "internal_value",
    "internal_weight",
    "internal_count",
)


@dataclass(frozen=True)
class _Split:
    """One level of an oblivious tree: the input column, the LightGBM threshold and where NaN goes."""

    column: int
    threshold: float
    nan_left: bool


@dataclass(frozen=True)
class _Tree:
    """An oblivious tree in CatBoost's order: split ``j`` is bit ``j`` of the leaf index."""

    splits: tuple[_Split, ...]
    values: tuple[float, ...]
    weights: tuple[float, ...]


def lightgbm_text(model: Mapping[str, Any], feature_names: Sequence[str]) -> str:
    """The LightGBM text model computing the same raw score as a CatBoost binary classifier.

    Parameters
    ----------
    model : mapping
        The parsed JSON of ``CatBoostClassifier.save_model(path, format="json")``: symmetric trees
        (``grow_policy="SymmetricTree"``, the default) of depth at most 6 on float features only.
    feature_names : sequence of str
        Names of the model's input columns, in order: one per column, distinct, with no whitespace nor
        any of ``",:[]{}``.

    Returns
    -------
    str
        A LightGBM text model (``objective=binary sigmoid:1``) whose raw score is CatBoost's
        ``RawFormulaVal`` and which ``NativeBooster`` and ``CompiledForest`` serve as they are.

    Raises
    ------
    ValidationError
        For anything this conversion does not carry over exactly: categorical, text or embedding features
        and CTRs, non-symmetric trees, a loss other than Logloss / CrossEntropy, more than one output,
        no trees, trees deeper than 6, non-finite numbers, or feature names that do not fit the model.

    Examples
    --------
    >>> text = lightgbm_text(json.loads(Path("model.json").read_text()), ["age", "debt"])  # doctest: +SKIP
    >>> NativeBooster(text).raw_scores(matrix)  # catboost's predict(matrix, "RawFormulaVal")  # doctest: +SKIP

    """
    _check_supported(model)
    columns = _float_columns(model["features_info"])
    width = 1 + max((column for column, _ in columns.values()), default=-1)
    _check_names(feature_names, width)
    scale, bias = _scale_and_bias(model)
    trees = [_tree(raw, columns, index) for index, raw in enumerate(model["oblivious_trees"])]
    if not trees:
        raise ValidationError(FIELD, "no trees (CatBoost itself refuses to apply such a model)")
    trees = [_folded(tree, scale, bias if index == 0 else 0.0) for index, tree in enumerate(trees)]
    nodes = _all_nodes(trees)
    blocks = [_tree_block(index, tree, arrays) for index, (tree, arrays) in enumerate(zip(trees, nodes, strict=True))]
    return _header(feature_names, trees, blocks) + "".join(blocks) + _footer(feature_names, trees, nodes)


def _check_supported(model: Mapping[str, Any]) -> None:
    """Refuse what a LightGBM tree over numeric columns cannot reproduce."""
    if "trees" in model:
        raise ValidationError(
            FIELD, "non-symmetric trees (grow_policy Depthwise or Lossguide) are not supported: use SymmetricTree"
        )
    if not isinstance(model.get("oblivious_trees"), list) or not isinstance(model.get("features_info"), Mapping):
        raise ValidationError(FIELD, "not a CatBoost JSON model: no 'oblivious_trees' list or 'features_info'")
    info = model["features_info"]
    for key in UNSUPPORTED_FEATURES:
        if info.get(key):
            raise ValidationError(FIELD, f"{key.replace('_', ' ')} are not supported: numeric (float) features only")
    if model.get("ctr_data"):
        raise ValidationError(FIELD, "CTRs (categorical feature statistics) are not supported")
    loss = model.get("model_info", {}).get("params", {}).get("loss_function", {}).get("type")
    if loss is not None and loss not in BINARY_LOSSES:
        raise ValidationError(FIELD, f"loss {loss} is not supported: binary classifiers (Logloss) only")


def _float_columns(info: Mapping[str, Any]) -> dict[int, tuple[int, bool]]:
    """Input column and NaN direction of each float feature, by its ``feature_index``."""
    columns: dict[int, tuple[int, bool]] = {}
    for feature in info.get("float_features", []):
        treatment = feature.get("nan_value_treatment", "AsIs")
        if treatment not in NAN_GOES_LEFT:
            raise ValidationError(FIELD, f"float feature {feature['feature_index']}: nan_value_treatment {treatment}")
        columns[int(feature["feature_index"])] = (int(feature["flat_feature_index"]), NAN_GOES_LEFT[treatment])
    return columns


def _check_names(names: Sequence[str], width: int) -> None:
    """``names`` must name each input column once, in a form LightGBM's text and JSON dump keep intact."""
    if isinstance(names, str) or len(names) != width:
        raise ValidationError("feature_names", f"the model has {width} input columns, {len(names)} names given")
    for name in names:
        if not name or any(c.isspace() or c in UNSAFE_NAME_CHARS for c in name):
            raise ValidationError(
                "feature_names", f"{name!r}: empty, or holds whitespace or one of {UNSAFE_NAME_CHARS}"
            )
    if len(set(names)) != len(names):
        raise ValidationError("feature_names", "names repeat")


def _scale_and_bias(model: Mapping[str, Any]) -> tuple[float, float]:
    """``raw = scale * sum(leaf values) + bias``; one bias only (a single-output model)."""
    scale, bias = model.get("scale_and_bias", [1.0, [0.0]])
    biases = bias if isinstance(bias, list) else [bias]
    if len(biases) != 1:
        raise ValidationError(FIELD, f"{len(biases)} outputs (multiclass or multi-target): binary classifiers only")
    return _finite(scale, "scale"), _finite(biases[0], "bias")


def _finite(value: Any, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(FIELD, f"{what} {number} is not finite")
    return number


def _tree(raw: Mapping[str, Any], columns: Mapping[int, tuple[int, bool]], index: int) -> _Tree:
    """One oblivious tree of the JSON, checked."""
    where = f"tree {index}"
    splits = [_split(split, columns, where) for split in raw.get("splits", [])]
    if len(splits) > MAX_DEPTH:
        raise ValidationError(FIELD, f"{where}: depth {len(splits)}, at most {MAX_DEPTH} (64 leaves) is supported")
    leaves = 1 << len(splits)
    values = [_finite(v, f"{where} leaf value") for v in raw.get("leaf_values", [])]
    weights = [_finite(w, f"{where} leaf weight") for w in raw.get("leaf_weights", [])]
    if len(values) != leaves:
        raise ValidationError(
            FIELD, f"{where}: {len(values)} leaf values for {leaves} leaves (multiclass or multi-target?)"
        )
    if len(weights) != leaves or min(weights) < 0:
        raise ValidationError(FIELD, f"{where}: leaf_weights needs {leaves} weights, none negative")
    return _Tree(tuple(splits), tuple(values), tuple(weights))


def _split(raw: Mapping[str, Any], columns: Mapping[int, tuple[int, bool]], where: str) -> _Split:
    kind = raw.get("split_type")
    if kind != "FloatFeature":
        raise ValidationError(FIELD, f"{where}: {kind} split is not supported: numeric (float) features only")
    feature = int(raw["float_feature_index"])
    if feature not in columns:
        raise ValidationError(FIELD, f"{where}: split on float feature {feature}, which features_info lacks")
    column, nan_left = columns[feature]
    return _Split(column, float32_threshold(_finite(raw["border"], f"{where} border")), nan_left)


@functools.lru_cache(maxsize=1 << 14)  # borders repeat: a feature has at most a few hundred
def float32_threshold(border: float) -> float:
    """The largest double ``t`` such that every ``x <= t`` rounds to a float32 of at most ``border``.

    CatBoost compares ``float32(x) > border``; LightGBM ``x <= threshold`` in double. Rounding to float32 is
    monotone, so ``x`` goes left in CatBoost exactly when ``x`` is below the midpoint between ``border`` and
    the next float32 (the midpoint itself when it rounds down to ``border``, ties going to an even mantissa).

    Examples
    --------
    >>> float32_threshold(0.5) > 0.5, float32_threshold(0.5) < 0.5 + 2**-24
    (True, True)

    """
    b = _to_float32(border)
    bits = struct.unpack("<I", struct.pack("<f", b))[0]
    up = bits + 1 if b > 0 or (b == 0 and not math.copysign(1.0, b) < 0) else bits - 1
    if b == 0 and math.copysign(1.0, b) < 0:
        up = 1  # from -0.0 the next float32 up is the smallest positive one
    above = struct.unpack("<f", struct.pack("<I", up & 0xFFFFFFFF))[0]
    if math.isinf(above) or math.isnan(above):
        return b
    middle = (b + above) / 2.0  # exact: two neighbouring float32 add exactly in double
    return middle if _to_float32(middle) == b else math.nextafter(middle, -math.inf)


def _to_float32(value: float) -> float:
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def _folded(tree: _Tree, scale: float, bias: float) -> _Tree:
    """``tree`` with its leaf values scaled and shifted."""
    return _Tree(tree.splits, tuple(scale * v + bias for v in tree.values), tree.weights)


def _counts(weights: FloatMatrix) -> IntMatrix:
    """Positive int32 data counts proportional to each tree's leaf weights (the weights themselves when whole)."""
    total = np.cumsum(weights, axis=1)[:, -1]  # summed left to right, like every figure of the text
    whole = (weights == np.trunc(weights)).all(axis=1) & (total <= MAX_COUNT)
    factor = np.where(whole | (total == 0), 1.0, MAX_COUNT / np.where(total == 0, 1.0, total))
    return np.maximum(1, np.round(weights * factor[:, None])).astype(np.int64)  # half to even, as round()


def _number(value: float) -> str:
    """A double as LightGBM's text keeps it: shortest exact digits, integers without ``.0``."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _join(values: Sequence[float]) -> str:
    """``_number`` of each value (floats), space-separated."""
    return " ".join([str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v) for v in values])


def _join_ints(values: Sequence[int]) -> str:
    return " ".join(map(str, values))


def _tree_block(index: int, tree: _Tree, nodes: Mapping[str, Sequence[Any]]) -> str:
    """``Tree=index`` and its fields, as ``GBDT::SaveModelToString`` lays out one tree (two blank lines after)."""
    fields: dict[str, str] = {"num_leaves": str(len(tree.values)), "num_cat": "0"}
    fields.update({key: _formatted(key, nodes[key]) for key in _NODE_KEYS[:6]})
    fields["leaf_value"] = _join(tree.values)
    fields["leaf_weight"] = _join(tree.weights)
    fields["leaf_count"] = _join_ints(nodes["leaf_count"])
    fields.update({key: _formatted(key, nodes[key]) for key in _NODE_KEYS[6:]})
    fields.update({"is_linear": "0", "shrinkage": "1"})
    return f"Tree={index}\n" + "".join(f"{key}={value}\n" for key, value in fields.items()) + "\n\n"


def _formatted(key: str, values: Sequence[Any]) -> str:
    return _join_ints(values) if key in _INT_KEYS else _join(values)


def _all_nodes(trees: Sequence[_Tree]) -> list[dict[str, list[Any]]]:
    """The node arrays of every tree; the trees of one depth are computed together."""
    out: list[dict[str, list[Any]]] = [{} for _ in trees]
    by_depth: dict[int, list[int]] = {}
    for index, tree in enumerate(trees):
        by_depth.setdefault(len(tree.splits), []).append(index)
    for depth, indexes in by_depth.items():
        for index, arrays in zip(indexes, _nodes([trees[i] for i in indexes], depth), strict=True):
            out[index] = arrays
    return out


def _nodes(trees: Sequence[_Tree], depth: int) -> list[dict[str, list[Any]]]:
    """Per-internal-node arrays of full binary trees of ``depth``, breadth first, and the leaf counts.

    Node 0 is the root. Level ``k`` tests split ``depth - 1 - k``; the node at position ``p`` of level ``k``
    is node ``2**k - 1 + p``, its children are positions ``2p`` (left, not greater) and ``2p + 1`` of level
    ``k + 1``, and at the last level those positions are the leaf indexes. A node's figures are sums over its
    leaves taken left to right, so the text does not depend on how numpy would pair them.
    """
    weights = np.array([tree.weights for tree in trees], dtype=np.float64).reshape(len(trees), -1)
    counts = _counts(weights)
    values = np.array([tree.values for tree in trees], dtype=np.float64).reshape(len(trees), -1)
    weighted, count, weight = (_level_sums(a, depth) for a in (values * counts, counts, weights))
    means = [w / c for w, c in zip(weighted, count, strict=True)]  # count-weighted mean leaf value per node
    gain = [_gain(means[k], means[k + 1], count[k + 1]) for k in range(depth)]
    left, right = _children(depth)
    out = []
    for t, tree in enumerate(trees):
        splits = [tree.splits[depth - 1 - level] for level in range(depth) for _ in range(1 << level)]
        out.append({
            "split_feature": [s.column for s in splits],
            "split_gain": _row(gain, t),
            "threshold": [s.threshold for s in splits],
            "decision_type": [MISSING_NAN | (DEFAULT_LEFT if s.nan_left else 0) for s in splits],
            "left_child": left,
            "right_child": right,
            "internal_value": _row(means[:depth], t),
            "internal_weight": _row(weight[:depth], t),
            "internal_count": _row(count[:depth], t),
            "leaf_count": counts[t].tolist(),
        })  # fmt: skip
    return out


def _level_sums(leaves: npt.NDArray[Any], depth: int) -> list[npt.NDArray[Any]]:
    """Each node's sum over its leaves, per level ``0..depth`` and tree: ``[level][tree, position]``.

    The leaves are added left to right (``cumsum``), not by numpy's pairwise sum; level ``depth`` is the leaves.
    """
    trees = len(leaves)
    return [np.cumsum(leaves.reshape(trees, 1 << k, -1), axis=2)[:, :, -1] for k in range(depth + 1)]


def _gain(node: FloatMatrix, children: FloatMatrix, counts: IntMatrix) -> FloatMatrix:
    """How much each split changes predictions, per tree and node of one level.

    The count-weighted squared deviation of each side's mean from the node's. CatBoost keeps no split gains;
    this is its PredictionValuesChange importance for one node. LightGBM's feature importances count only
    splits of positive gain. The square is Python's ``** 2`` (the C library's ``pow``): numpy's ``power`` and
    ``x * x`` differ from it in the last bit now and then, and the text would too.
    """
    deviation = children.reshape(len(node), -1, 2) - node[:, :, None]
    squares = np.fromiter((d**2 for d in deviation.ravel().tolist()), np.float64, deviation.size)
    spread = counts.reshape(deviation.shape) * squares.reshape(deviation.shape)
    result: FloatMatrix = spread[:, :, 0] + spread[:, :, 1]
    return result


def _row(levels: Sequence[npt.NDArray[Any]], tree: int) -> list[Any]:
    """One tree's values over the levels, breadth first."""
    return [value for level in levels for value in level[tree].tolist()]


@functools.cache
def _children(depth: int) -> tuple[list[int], list[int]]:
    """Left and right child of each internal node of a full tree of ``depth`` (a leaf ``i`` is ``~i``)."""
    left: list[int] = []
    right: list[int] = []
    for level in range(depth):
        for position in range(1 << level):
            for side, child in ((left, 2 * position), (right, 2 * position + 1)):
                side.append(~child if level == depth - 1 else (1 << (level + 1)) - 1 + child)
    return left, right


def _header(names: Sequence[str], trees: Sequence[_Tree], blocks: Sequence[str]) -> str:
    """The lines before ``Tree=0``, as LightGBM writes them for a binary model."""
    lines = [
        "tree",
        "version=v4",
        "num_class=1",
        "num_tree_per_iteration=1",
        "label_index=0",
        f"max_feature_idx={len(names) - 1}",
        "objective=binary sigmoid:1",
        "feature_names=" + " ".join(names),
        "feature_infos=" + " ".join(_feature_infos(len(names), trees)),
        "tree_sizes=" + " ".join(str(len(block.encode("utf-8"))) for block in blocks),
    ]
    return "\n".join(lines) + "\n\n"


def _feature_infos(width: int, trees: Sequence[_Tree]) -> list[str]:
    """``[lowest:highest]`` threshold of each column the trees split on (CatBoost keeps no data range), else none."""
    thresholds: dict[int, list[float]] = {}
    for tree in trees:
        for split in tree.splits:
            thresholds.setdefault(split.column, []).append(split.threshold)
    return [
        f"[{_number(min(thresholds[c]))}:{_number(max(thresholds[c]))}]" if c in thresholds else "none"
        for c in range(width)
    ]


def _footer(names: Sequence[str], trees: Sequence[_Tree], nodes: Sequence[Mapping[str, Sequence[float]]]) -> str:
    """``end of trees`` and what LightGBM writes after it: split-count importances and the parameters."""
    splits = [0] * len(names)
    for arrays in nodes:  # LightGBM counts the splits of positive gain
        for column, gain in zip(arrays["split_feature"], arrays["split_gain"], strict=True):
            splits[int(column)] += gain > 0
    ranked = sorted((c for c in range(len(names)) if splits[c]), key=lambda c: -splits[c])
    importances = "".join(f"{names[c]}={splits[c]}\n" for c in ranked)
    parameters = ["[boosting: gbdt]", "[objective: binary]", f"[num_iterations: {len(trees)}]"]
    return (
        "end of trees\n\nfeature_importances:\n"
        + importances
        + "\nparameters:\n"
        + "\n".join(parameters)
        + "\n\nend of parameters\n\npandas_categorical:null\n"
    )
