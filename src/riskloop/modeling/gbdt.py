"""LightGBM sub-model: monotone constraints from the source spec, deterministic, saved as LightGBM text.

``auto_settings`` is the data-size rule behind the ensemble's default GBDT settings, and
``GBDTClassifier.cross_fit`` chooses the number of rounds by early stopping on the training folds only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin

from riskloop.errors import ValidationError

FloatArray = npt.NDArray[np.float64]
Folds = Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]
LEAVES_SMALL, LEAVES_LARGE, LARGE_BADS = 7, 15, 2000
MIN_LEAF_FLOOR, MIN_LEAF_CAP, BADS_PER_LEAF = 20, 100, 2.0


@dataclass(frozen=True)
class GBDTSettings:
    """Tree size of one GBDT sub-model: leaves per tree and the fewest rows in a leaf."""

    num_leaves: int
    min_data_in_leaf: int


def auto_settings(rows: int, bads: int) -> GBDTSettings:
    """The data-size rule: leaves and leaf size from the number of rows and bads a sub-model trains on.

    Leaves: 7 below 2,000 bads, 15 from there (more bads support deeper interactions). Leaf size: enough
    rows that a leaf expects two bads at the training bad rate, between 20 and 100 rows.

    Examples
    --------
    >>> auto_settings(1000, 300), auto_settings(120_000, 8_000).num_leaves
    (GBDTSettings(num_leaves=7, min_data_in_leaf=20), 15)

    """
    rate = bads / rows if rows and bads else 1.0
    leaf = int(np.clip(round(BADS_PER_LEAF / rate), MIN_LEAF_FLOOR, MIN_LEAF_CAP))
    return GBDTSettings(LEAVES_LARGE if bads >= LARGE_BADS else LEAVES_SMALL, leaf)


def training_arrays(
    x: npt.ArrayLike, y: npt.ArrayLike, weight: npt.ArrayLike | None, columns: int
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """``x``, ``y`` and ``weight`` as float arrays, checked: ``columns`` columns and both outcomes present."""
    matrix, labels = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != columns:
        raise ValidationError("x", f"needs {columns} columns, got shape {matrix.shape}")
    if np.unique(labels).size < 2:
        raise ValidationError("y", "needs both good and bad outcomes")
    return matrix, labels, None if weight is None else np.asarray(weight, dtype=np.float64)


class LogOddsScores:
    """Scores of a fitted tree sub-model held as a LightGBM booster (``booster_``): log-odds, probabilities, labels."""

    booster_: lgb.Booster

    def decision_function(self, x: npt.ArrayLike) -> FloatArray:
        """Raw score: log-odds of bad."""
        return np.asarray(self.booster_.predict(np.asarray(x, dtype=np.float64), raw_score=True), dtype=np.float64)

    def predict_proba(self, x: npt.ArrayLike) -> FloatArray:
        """Probabilities of good and bad (columns 0 and 1)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(x)))
        return np.column_stack([1.0 - p, p])

    def predict(self, x: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """1 where the probability of bad is at least one half."""
        return (self.predict_proba(x)[:, 1] >= 0.5).astype(np.int64)


class GBDTClassifier(LogOddsScores, BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """Gradient-boosted trees on one source; NaN takes LightGBM's learned default branch.

    The fitted booster is kept as LightGBM text (``text_``) and rebuilt from it, so that what is scored
    after training is exactly what a bundle stores.

    Parameters
    ----------
    features : sequence of str
        Column names, in the order of the matrix passed to ``fit``.
    monotone : mapping of str to int, optional
        +1 / -1 monotone constraints per feature.
    rounds, learning_rate, num_leaves, min_data_in_leaf, feature_fraction, bagging_fraction, lambda_l2, seed
        Boosting settings (``rounds`` is the cap when ``cross_fit`` chooses them); training is deterministic
        for a given seed: feature and row sampling draw from it.

    Examples
    --------
    >>> model = GBDTClassifier(("risk_open_enforcements",), {"risk_open_enforcements": 1}).fit(x, y)  # doctest: +SKIP
    >>> model.decision_function(x)[:3]  # log-odds of bad  # doctest: +SKIP

    """

    def __init__(
        self,
        features: Sequence[str] = (),
        monotone: Mapping[str, int] | None = None,
        *,
        rounds: int = 120,
        learning_rate: float = 0.05,
        num_leaves: int = 7,
        min_data_in_leaf: int = 50,
        feature_fraction: float = 1.0,
        bagging_fraction: float = 1.0,
        lambda_l2: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.features = features
        self.monotone = monotone
        self.rounds = rounds
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.lambda_l2 = lambda_l2
        self.seed = seed

    def params(self) -> dict[str, Any]:
        """LightGBM training parameters."""
        monotone = dict(self.monotone or {})
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1 if self.bagging_fraction < 1.0 else 0,
            "lambda_l2": self.lambda_l2,
            "max_bin": 63,
            "monotone_constraints": [int(monotone.get(f, 0)) for f in self.features],
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,  # one thread: identical models on any machine, sub-models are small
            "seed": self.seed,
            "verbose": -1,
        }

    def _data(self, x: npt.ArrayLike, y: npt.ArrayLike, weight: npt.ArrayLike | None = None) -> lgb.Dataset:
        matrix, labels, w = training_arrays(x, y, weight, len(self.features))
        return lgb.Dataset(matrix, label=labels, weight=w, feature_name=list(self.features), free_raw_data=False)

    def cross_fit(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        folds: Folds,
        patience: int,
        sample_weight: npt.ArrayLike | None = None,
    ) -> tuple[FloatArray, int]:
        """Out-of-fold log-odds over ``folds`` and the number of rounds chosen by early stopping on them.

        All folds boost in step (``lightgbm.cv``); training stops once the mean log-loss of the held-out
        folds has not improved for ``patience`` rounds (at most ``rounds``), and each fold's held-out rows
        are scored at the best round. Only the rows of ``x`` are seen, so under an outer cross-validation
        the choice never looks at the outer test fold. Refit with ``set_params(rounds=...)`` then ``fit``.

        Examples
        --------
        >>> oof, rounds = GBDTClassifier(("f",)).cross_fit(x, y, folds, patience=50)  # doctest: +SKIP

        """
        data = self._data(x, y, sample_weight)
        result = lgb.cv(
            {**self.params(), "metric": "binary_logloss"},
            data,
            num_boost_round=self.rounds,
            folds=list(folds),
            stratified=False,
            callbacks=[lgb.early_stopping(patience, verbose=False)] if patience > 0 else [],
            return_cvbooster=True,
        )
        curve, boosters = result["valid binary_logloss-mean"], result["cvbooster"]
        assert isinstance(curve, list)
        assert isinstance(boosters, lgb.CVBooster)
        rounds = len(curve)
        matrix = np.asarray(x, dtype=np.float64)
        oof = np.zeros(len(matrix), dtype=np.float64)
        for (_, test), booster in zip(folds, boosters.boosters, strict=True):
            oof[test] = booster.predict(matrix[test], num_iteration=rounds, raw_score=True)
        return oof, rounds

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None) -> GBDTClassifier:
        """Train the booster against 0/1 ``y`` (rows weighted by ``sample_weight`` if given)."""
        data = self._data(x, y, sample_weight)
        trained = lgb.train(self.params(), data, num_boost_round=self.rounds)
        self.text_: str = trained.model_to_string()
        self.booster_ = lgb.Booster(model_str=self.text_)
        self.classes_ = np.array([0, 1])
        return self
