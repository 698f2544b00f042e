"""LightGBM boosters compiled to flat numpy arrays and evaluated without LightGBM (QuickScorer-style).

Every split of every tree is tested at once; each test keeps a bit mask of the leaves still reachable
(going left rules out the right subtree's leaves and vice versa), the masks of a tree are AND-ed and the
one bit left is the leaf reached. One row costs a few vectorised numpy calls whatever the tree count, which
is what makes single-row scoring of many boosters fast. Missing values follow LightGBM: with missing type
``NaN`` a NaN takes the default branch, with ``None`` it is read as 0, with ``Zero`` zeros and NaN take
the default branch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError
from riskloop.scoring.model_text import tree_fields

FloatArray = npt.NDArray[np.float64]
ZERO_THRESHOLD = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float literal widened to double)
MAX_LEAVES = 64  # one uint64 bit per leaf
CHUNK_ROWS = 512  # rows per vectorised step: bounds the (rows x splits) working arrays
CATEGORICAL, DEFAULT_LEFT = 1, 2  # bits of a split's decision_type in a LightGBM text model
DUMP_LIMIT = 1e300  # the JSON dump's stand-in for an infinite threshold
MISSING_TYPES = ("None", "Zero", "NaN")  # decision_type bits 2-3, named as the JSON dump names them


@dataclass
class _Tree:
    """Splits (pre-order) and leaf values of one tree, before concatenation."""

    feature: list[int]
    threshold: list[float]
    default_left: list[bool]
    missing: list[str]
    keep_left: list[int]  # leaves still reachable after going left
    keep_right: list[int]
    leaves: list[float]  # by leaf index


def _leaf_mask(leaves: Sequence[int]) -> int:
    return sum(1 << i for i in leaves)


def _walk(node: dict[str, Any], tree: _Tree, features: Sequence[int]) -> list[int]:
    """Append the splits under ``node`` to ``tree``; return the leaf indexes below it."""
    if "leaf_index" in node or "split_feature" not in node:
        index = int(node.get("leaf_index", 0))
        while len(tree.leaves) <= index:
            tree.leaves.append(0.0)
        tree.leaves[index] = float(node["leaf_value"])
        return [index]
    if node.get("decision_type", "<=") != "<=":
        raise ValidationError("booster", "categorical splits are not supported by the compiled scorer")
    position = len(tree.feature)
    tree.feature.append(features[int(node["split_feature"])])
    tree.threshold.append(float(node["threshold"]))
    tree.default_left.append(bool(node["default_left"]))
    tree.missing.append(str(node["missing_type"]))
    tree.keep_left.append(0)
    tree.keep_right.append(0)
    left = _walk(node["left_child"], tree, features)
    right = _walk(node["right_child"], tree, features)
    everything = (1 << MAX_LEAVES) - 1
    tree.keep_left[position] = everything & ~_leaf_mask(right)
    tree.keep_right[position] = everything & ~_leaf_mask(left)
    return left + right


def _avoid_inf(x: float) -> float:
    """A threshold as the JSON dump gives it (LightGBM's ``AvoidInf``): forests compiled from dumps read the same."""
    return 0.0 if math.isnan(x) else min(max(x, -DUMP_LIMIT), DUMP_LIMIT)


def _tree_of(fields: Mapping[str, str], features: Sequence[int]) -> _Tree:
    """One tree of a model text as ``_walk`` reads its JSON dump: splits in pre-order, leaves by index.

    A child below 0 is leaf ``~child``; ``decision_type`` holds the categorical bit, the default-left bit and
    the missing type (``MISSING_TYPES``), as LightGBM's ``Tree`` keeps them.
    """
    leaves = [float(v) for v in fields["leaf_value"].split()]
    tree = _Tree([], [], [], [], [], [], leaves)
    if len(leaves) == 1:
        return tree
    if len(leaves) > MAX_LEAVES:  # before walking: the compiled form cannot hold it
        raise ValidationError("booster", f"trees of more than {MAX_LEAVES} leaves are not supported")
    split = [int(v) for v in fields["split_feature"].split()]
    threshold = [_avoid_inf(float(v)) for v in fields["threshold"].split()]
    decision = [int(v) for v in fields["decision_type"].split()]
    left = [int(v) for v in fields["left_child"].split()]
    right = [int(v) for v in fields["right_child"].split()]
    everything = (1 << MAX_LEAVES) - 1
    placed: set[int] = set()

    def walk(node: int) -> int:  # the mask of the leaves below ``node``
        if node < 0:
            return 1 << ~node
        if decision[node] & CATEGORICAL:
            raise ValidationError("booster", "categorical splits are not supported by the compiled scorer")
        if node in placed:  # a child pointing back or across: the arrays do not make a tree
            raise ValidationError("booster", "a split is reached twice: not a tree")
        placed.add(node)
        position = len(tree.feature)
        tree.feature.append(features[split[node]])
        tree.threshold.append(threshold[node])
        tree.default_left.append(bool(decision[node] & DEFAULT_LEFT))
        tree.missing.append(MISSING_TYPES[(decision[node] >> 2) & 3])
        tree.keep_left.append(0)
        tree.keep_right.append(0)
        below_left, below_right = walk(left[node]), walk(right[node])
        tree.keep_left[position] = everything & ~below_right
        tree.keep_right[position] = everything & ~below_left
        return below_left | below_right

    walk(0)
    return tree


class CompiledForest:
    """Several boosters over one feature vector, evaluated together.

    Parameters
    ----------
    dumps : sequence of dict
        ``lightgbm.Booster.dump_model()`` of each booster.
    feature_index : sequence of sequence of int
        For each booster, the column of the shared input matrix holding each of its features.

    Examples
    --------
    >>> forest = CompiledForest([booster.dump_model()], [[0, 1, 2]])  # doctest: +SKIP
    >>> forest.raw(matrix)[:, 0]  # equals booster.predict(matrix, raw_score=True) to ~1e-15  # doctest: +SKIP

    """

    def __init__(self, dumps: Sequence[dict[str, Any]], feature_index: Sequence[Sequence[int]]) -> None:
        trees: list[tuple[int, _Tree]] = []
        for b, (dump, columns) in enumerate(zip(dumps, feature_index, strict=True)):
            for info in dump["tree_info"]:
                tree = _Tree([], [], [], [], [], [], [])
                _walk(info["tree_structure"], tree, columns)
                trees.append((b, tree))
        self._compile(trees, len(dumps))

    @classmethod
    def from_texts(cls, texts: Sequence[str], feature_index: Sequence[Sequence[int]]) -> CompiledForest:
        """The forest of LightGBM text models (``check_model_text`` accepted), read without dumping them as JSON.

        Equal to ``CompiledForest([booster.dump_model() ...])`` split for split; a dump of a thousand trees
        costs seconds of JSON, the text a fraction of that (a CatBoost sub-model has a thousand trees).
        """
        forest = cls.__new__(cls)
        trees = [
            (b, _tree_of(fields, columns))
            for b, (text, columns) in enumerate(zip(texts, feature_index, strict=True))
            for fields in tree_fields(text)
        ]
        forest._compile(trees, len(texts))
        return forest

    def _compile(self, trees: list[tuple[int, _Tree]], boosters: int) -> None:
        for _, tree in trees:
            used = (1 << len(tree.leaves)) - 1  # bits past the tree's own leaves must not survive the AND
            tree.keep_left = [m & used for m in tree.keep_left]
            tree.keep_right = [m & used for m in tree.keep_right]
            if len(tree.leaves) > MAX_LEAVES:
                raise ValidationError("booster", f"trees of more than {MAX_LEAVES} leaves are not supported")
        self.boosters = boosters
        split_trees = [t for _, t in trees if t.feature]
        # Single-leaf trees add a constant; they keep their place in the running sum below.
        self._split_cols = np.array([i for i, (_, t) in enumerate(trees) if t.feature], dtype=np.intp)
        self._const_cols = np.array([i for i, (_, t) in enumerate(trees) if not t.feature], dtype=np.intp)
        self._const_vals = np.array([t.leaves[0] for _, t in trees if not t.feature], dtype=np.float64)
        self._trees = len(trees)
        self._feature = np.array([f for t in split_trees for f in t.feature], dtype=np.intp)
        self._threshold = np.array([x for t in split_trees for x in t.threshold], dtype=np.float64)
        default_left = np.array([d for t in split_trees for d in t.default_left], dtype=bool)
        missing = np.array([m for t in split_trees for m in t.missing])
        # Where a NaN goes: the default branch for NaN/Zero missing types, else it is read as 0.0.
        self._nan_left = np.where(missing == "None", self._threshold >= 0.0, default_left)
        self._zero_nodes = np.flatnonzero(missing == "Zero")
        self._zero_left = default_left[self._zero_nodes]
        self._keep_left = np.array([m for t in split_trees for m in t.keep_left], dtype=np.uint64)
        self._keep_right = np.array([m for t in split_trees for m in t.keep_right], dtype=np.uint64)
        sizes = [len(t.feature) for t in split_trees]
        self._starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp) if sizes else np.zeros(0, np.intp)
        leaf_sizes = [len(t.leaves) for t in split_trees]
        self._leaf_base = np.concatenate([[0], np.cumsum(leaf_sizes)[:-1]]).astype(np.intp)
        self._leaves = np.array([v for t in split_trees for v in t.leaves], dtype=np.float64)
        bounds = np.searchsorted(np.array([b for b, _ in trees], dtype=np.intp), np.arange(self.boosters + 1))
        self._booster_spans = [(int(bounds[b]), int(bounds[b + 1])) for b in range(self.boosters)]

    @property
    def splits(self) -> int:
        """How many splits every row is tested against (all trees of all boosters)."""
        return int(self._feature.size)

    def raw(self, matrix: FloatArray) -> FloatArray:
        """Raw scores (log-odds for a binary objective), one column per booster."""
        rows = np.ascontiguousarray(matrix, dtype=np.float64)
        if rows.ndim != 2:
            raise ValidationError("matrix", f"needs 2 dimensions, got {rows.ndim}")
        out = np.empty((rows.shape[0], self.boosters), dtype=np.float64)
        for start in range(0, rows.shape[0], CHUNK_ROWS):
            out[start : start + CHUNK_ROWS] = self._raw_chunk(rows[start : start + CHUNK_ROWS])
        return out

    def _raw_chunk(self, rows: FloatArray) -> FloatArray:
        values = rows[:, self._feature]
        go_left = values <= self._threshold
        nan = np.isnan(values)
        if nan.any():
            go_left = np.where(nan, self._nan_left, go_left)
        if self._zero_nodes.size:
            zero = values[:, self._zero_nodes]
            is_zero = nan[:, self._zero_nodes] | (np.abs(zero) <= ZERO_THRESHOLD)
            go_left[:, self._zero_nodes] = np.where(is_zero, self._zero_left, go_left[:, self._zero_nodes])
        per_tree = np.empty((rows.shape[0], self._trees), dtype=np.float64)
        per_tree[:, self._const_cols] = self._const_vals
        if self._starts.size:
            kept = np.bitwise_and.reduceat(np.where(go_left, self._keep_left, self._keep_right), self._starts, axis=1)
            # Exactly one bit is left per tree: its position is the leaf (frexp of 2**k is exact).
            leaf = np.frexp(kept.astype(np.float64))[1] - 1
            per_tree[:, self._split_cols] = self._leaves[self._leaf_base + leaf]
        out = np.zeros((rows.shape[0], self.boosters), dtype=np.float64)
        for b, (start, end) in enumerate(self._booster_spans):
            if end > start:  # a running sum in tree order, as LightGBM adds trees: bit for bit its raw score
                out[:, b] = np.cumsum(per_tree[:, start:end], axis=1)[:, -1]
        return out
