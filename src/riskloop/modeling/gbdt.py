"""LightGBM sub-model: monotone constraints from the source spec, deterministic, saved as LightGBM text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin

from riskloop.errors import ValidationError

FloatArray = npt.NDArray[np.float64]


class GBDTClassifier(BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """Gradient-boosted trees on one source; NaN takes LightGBM's learned default branch.

    The fitted booster is kept as LightGBM text (``text_``) and rebuilt from it, so that what is scored
    after training is exactly what a bundle stores.

    Parameters
    ----------
    features : sequence of str
        Column names, in the order of the matrix passed to ``fit``.
    monotone : mapping of str to int, optional
        +1 / -1 monotone constraints per feature.
    rounds, learning_rate, num_leaves, min_data_in_leaf, seed
        Boosting settings; training is deterministic for a given seed.

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
        seed: int = 0,
    ) -> None:
        self.features = features
        self.monotone = monotone
        self.rounds = rounds
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.seed = seed

    def params(self) -> dict[str, Any]:
        """LightGBM training parameters."""
        monotone = dict(self.monotone or {})
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "lambda_l2": 1.0,
            "max_bin": 63,
            "monotone_constraints": [int(monotone.get(f, 0)) for f in self.features],
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,  # one thread: identical models on any machine, sub-models are small
            "seed": self.seed,
            "verbose": -1,
        }

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike) -> GBDTClassifier:
        """Train the booster against 0/1 ``y``."""
        matrix, labels = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise ValidationError("x", f"needs {len(self.features)} columns, got shape {matrix.shape}")
        if np.unique(labels).size < 2:
            raise ValidationError("y", "needs both good and bad outcomes")
        data = lgb.Dataset(matrix, label=labels, feature_name=list(self.features), free_raw_data=True)
        trained = lgb.train(self.params(), data, num_boost_round=self.rounds)
        self.text_: str = trained.model_to_string()
        self.booster_ = lgb.Booster(model_str=self.text_)
        self.classes_ = np.array([0, 1])
        return self

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
