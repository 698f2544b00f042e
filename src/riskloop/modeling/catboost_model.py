"""CatBoost sub-model: ordered boosting of symmetric trees, served as LightGBM text (ADR 0039).

CatBoost's ordered boosting and symmetric trees often win on small bank tables, where LightGBM's greedy leaf-wise
trees over-fit. Serving never imports ``catboost``: the fitted model is exported as CatBoost's JSON and converted
to an equivalent LightGBM text model (``modeling.catboost_text``), which the serving stack already scores and
explains (raw scores, compiled trees, TreeSHAP). What is scored after training is that text, as for the GBDT.
Only numeric inputs are given (a table's categoricals are encoded by its preparation first), and trees are at
most 6 deep (64 leaves, what the compiled scorer holds).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from catboost import CatBoostClassifier, Pool, sum_models
from sklearn.base import BaseEstimator, ClassifierMixin

from riskloop.errors import ValidationError
from riskloop.modeling.catboost_text import lightgbm_text
from riskloop.modeling.gbdt import LogOddsScores, training_arrays

FloatArray = npt.NDArray[np.float64]
Folds = Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]
MAX_DEPTH = 6


class CatBoostSubModel(LogOddsScores, BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """Symmetric-tree CatBoost on one source's numeric features; NaN is the smallest value (``nan_mode=Min``).

    Parameters
    ----------
    features : sequence of str
        Column names, in the order of the matrix passed to ``fit``.
    monotone : mapping of str to int, optional
        +1 / -1 monotone constraints per feature.
    rounds, learning_rate, depth, l2_leaf_reg, random_strength, subsample, seed, threads
        CatBoost settings (``rounds`` is the cap when ``cross_fit`` chooses them). Training is deterministic
        for a given seed. ``learning_rate`` and ``l2_leaf_reg`` None let CatBoost choose the rate from the
        data size and rounds (setting either turns that off);
        ``subsample`` None keeps CatBoost's default row sampling (MVS bootstrap). Setting a bagging temperature
        would switch it to the Bayesian bootstrap, which did worse on the public tables.
    seeds : int
        Models trained with seeds ``seed``, ``seed + 1``, ... and averaged (their log-odds): bagging over
        CatBoost's own randomness, which lowers the variance of a model fitted on few bads. The average is one
        model (``catboost.sum_models`` with weights ``1 / seeds``), so it is served as one text model.

    Examples
    --------
    >>> model = CatBoostSubModel(("x",), rounds=50).fit(x, y)  # doctest: +SKIP
    >>> model.decision_function(x)[:3]  # log-odds of bad  # doctest: +SKIP

    """

    def __init__(
        self,
        features: Sequence[str] = (),
        monotone: Mapping[str, int] | None = None,
        *,
        rounds: int = 1000,
        learning_rate: float | None = None,
        depth: int = 6,
        l2_leaf_reg: float | None = None,
        random_strength: float = 1.0,
        subsample: float | None = None,
        seed: int = 0,
        seeds: int = 1,
        threads: int = 1,
    ) -> None:
        self.features = features
        self.monotone = monotone
        self.rounds = rounds
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.subsample = subsample
        self.seed = seed
        self.seeds = seeds
        self.threads = threads

    def _model(self, rounds: int, offset: int = 0) -> CatBoostClassifier:
        if not 1 <= self.depth <= MAX_DEPTH:
            raise ValidationError("depth", f"CatBoost depth must be 1 to {MAX_DEPTH} (64 leaves), got {self.depth}")
        monotone = dict(self.monotone or {})
        constraints = [int(monotone.get(f, 0)) for f in self.features]
        settings: dict[str, Any] = {
            "learning_rate": self.learning_rate,  # CatBoost sizes it from the data only when it is left out
            "subsample": self.subsample,
            "l2_leaf_reg": self.l2_leaf_reg,  # given, it turns that choice off (CatBoost's default is 3)
            "monotone_constraints": constraints if any(constraints) else None,
        }
        return CatBoostClassifier(
            iterations=rounds,
            depth=self.depth,
            random_strength=self.random_strength,
            loss_function="Logloss",
            nan_mode="Min",
            random_seed=self.seed + offset,
            thread_count=self.threads,
            allow_writing_files=False,
            verbose=False,
            **{k: v for k, v in settings.items() if v is not None},
        )

    def _offsets(self) -> range:
        """The seed offsets of the models averaged."""
        if self.seeds < 1:
            raise ValidationError("seeds", f"CatBoost needs at least one seed, got {self.seeds}")
        return range(self.seeds)

    def _pool(self, x: npt.ArrayLike, y: npt.ArrayLike, weight: npt.ArrayLike | None = None) -> Pool:
        matrix, labels, w = training_arrays(x, y, weight, len(self.features))
        return Pool(matrix, label=labels, weight=w)

    def cross_fit(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        folds: Folds,
        patience: int,
        sample_weight: npt.ArrayLike | None = None,
    ) -> tuple[FloatArray, int]:
        """Out-of-fold log-odds over ``folds`` and the number of rounds chosen on them, as ``GBDTClassifier``'s.

        With ``patience`` each fold boosts with its held-out rows watched and stops once their log-loss has not
        improved for that many rounds; the rounds are those of the best mean held-out log-loss over the folds
        (on the rounds every fold reached), and each fold's held-out rows are scored there. With 0 every fold
        boosts ``rounds`` rounds (the ensemble's default for CatBoost: on a rare bad class the log-loss bottoms
        out long before the ranking stops improving, and CatBoost's ordered boosting over-fits little). With
        several ``seeds`` a fold's out-of-fold log-odds are the mean of its seeds' and every seed's curve counts.
        """
        matrix, labels = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        models: list[list[CatBoostClassifier]] = []
        curves = []
        for train, test in folds:
            rows = self._pool(matrix[train], labels[train], None if weight is None else weight[train])
            held_out = None if weight is None else weight[test]
            watched = self._pool(matrix[test], labels[test], held_out) if patience else None
            fold_models = [self._model(self.rounds, i) for i in self._offsets()]
            for model in fold_models:
                if patience > 0:
                    model.fit(rows, eval_set=watched, early_stopping_rounds=patience, use_best_model=False)
                    curves.append(np.asarray(model.get_evals_result()["validation"]["Logloss"], dtype=np.float64))
                else:
                    model.fit(rows)
            models.append(fold_models)
        rounds = self.rounds
        if curves:
            reached = min(len(c) for c in curves)
            rounds = int(np.argmin(np.mean([c[:reached] for c in curves], axis=0))) + 1
        oof = np.zeros(len(matrix), dtype=np.float64)
        for (_, test), fold_models in zip(folds, models, strict=True):
            raw = [m.predict(matrix[test], prediction_type="RawFormulaVal", ntree_end=rounds) for m in fold_models]
            oof[test] = np.mean(raw, axis=0)
        return oof, rounds

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None) -> CatBoostSubModel:
        """Train on 0/1 ``y``; keep the model as LightGBM text (``text_``) and score with what that text holds."""
        rows = self._pool(x, y, sample_weight)
        fitted = [self._model(self.rounds, i).fit(rows) for i in self._offsets()]
        model = fitted[0] if self.seeds == 1 else sum_models(fitted, weights=[1.0 / self.seeds] * self.seeds)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.json"
            model.save_model(str(path), format="json")
            exported = json.loads(path.read_text(encoding="utf-8"))
        self.text_: str = lightgbm_text(exported, list(self.features))
        self.booster_ = lgb.Booster(model_str=self.text_)
        self.classes_ = np.array([0, 1])
        return self
