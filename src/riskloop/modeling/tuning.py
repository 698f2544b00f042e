"""Hyper-parameter search of the tree sub-models with Optuna, on the ensemble's own folds (ADR 0039).

Each trial cross-fits the sub-model on the folds ``fit_ensemble`` was given (rounds by early stopping, as
without tuning) and is judged by the AUC of its out-of-fold scores. Under ``cross_validate`` those folds are
inside the outer training rows, so the search is nested: the reported AUC never saw the rows it tuned on.
The first trial is the untuned configuration, and the best trial replaces it only when its out-of-fold AUC
gain survives a paired bootstrap (the best of many noisy trials is partly luck: on a 1,000-row table the
search's winner did worse on held-out folds than the untuned settings). The chosen trial's out-of-fold
scores feed the stacker unchanged and its settings are refitted on all rows.

Reproducible: the TPE sampler is seeded and trials run one after another, so a count of trials gives the
same search every time. A wall-clock cap (``seconds``) stops the search early on a slow machine or a big
table; the history then says so, and which trials ran.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import optuna

from riskloop.modeling.metrics import auc

FloatArray = npt.NDArray[np.float64]
Folds = Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]
STARTUP_TRIALS = 5  # random trials before TPE models the search space
GAIN_ROUNDS, GAIN_LEVEL = 200, 0.8  # the tuned settings are kept when the gain's 10th percentile is above 0


class CrossFitter(Protocol):
    """A sub-model that cross-fits (``GBDTClassifier``, ``CatBoostSubModel``)."""

    def set_params(self, **params: Any) -> Any:
        """Change settings (scikit-learn's contract); returns the model."""

    def cross_fit(
        self, x: npt.ArrayLike, y: npt.ArrayLike, folds: Folds, patience: int, sample_weight: npt.ArrayLike | None
    ) -> tuple[FloatArray, int]:
        """Out-of-fold log-odds over ``folds`` and the rounds chosen on them."""


Space = Callable[[optuna.Trial], dict[str, Any]]


def gbdt_space(trial: optuna.Trial) -> dict[str, Any]:
    """LightGBM: tree size, leaf size, sampling and L2 penalty (the rounds follow from early stopping)."""
    return {
        "num_leaves": trial.suggest_int("num_leaves", 4, 48, log=True),
        "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 5, 200, log=True),
        "feature_fraction": trial.suggest_float("feature_fraction", 0.3, 1.0),
        "bagging_fraction": trial.suggest_float("bagging_fraction", 0.5, 1.0),
        "lambda_l2": trial.suggest_float("lambda_l2", 1e-3, 50.0, log=True),
    }


def catboost_space(trial: optuna.Trial) -> dict[str, Any]:
    """CatBoost: depth, L2 penalty, split randomisation, row sampling and learning rate (the rounds stay)."""
    return {
        "depth": trial.suggest_int("depth", 3, 6),
        "l2_leaf_reg": trial.suggest_float("l2_leaf_reg", 1.0, 30.0, log=True),
        "random_strength": trial.suggest_float("random_strength", 0.1, 10.0, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "learning_rate": trial.suggest_float("learning_rate", 0.005, 0.1, log=True),
    }


@dataclass(frozen=True)
class TrialRecord:
    """One trial: its settings, out-of-fold AUC, the rounds early stopping chose and its wall time."""

    number: int
    params: Mapping[str, Any]
    auc: float
    rounds: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form for the training report."""
        return {
            "number": self.number,
            "params": dict(self.params),
            "auc": self.auc,
            "rounds": self.rounds,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Tuned:
    """The search's outcome: the best settings (with their rounds) and out-of-fold scores, and the history."""

    params: dict[str, Any]
    rounds: int
    oof: FloatArray
    history: list[TrialRecord] = field(default_factory=list)
    budget_seconds: float | None = None
    stopped_by_budget: bool = False
    gain: dict[str, float] | None = None  # the best trial's AUC gain over the untuned one, paired bootstrap
    kept_untuned: bool = False  # the best trial did not beat the untuned settings beyond resampling noise

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form for the training report."""
        best = max(self.history, key=lambda t: (t.auc, -t.number)) if self.history else None
        return {
            "trials": [t.to_json() for t in self.history],
            "best_trial": None if best is None else best.number,
            "best_auc": None if best is None else best.auc,
            "chosen": {**self.params, "rounds": self.rounds},
            "budget_seconds": self.budget_seconds,
            "stopped_by_budget": self.stopped_by_budget,
            "gain_over_untuned": self.gain,
            "kept_untuned": self.kept_untuned,
        }


def _weighted_auc(y: FloatArray, score: FloatArray, weight: FloatArray | None) -> float:
    if weight is None:
        return auc(y, score)
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score, sample_weight=weight))


def tune(
    model: CrossFitter,
    space: Space,
    start: Mapping[str, Any],
    *,
    data: tuple[FloatArray, FloatArray, Folds],
    patience: int,
    trials: int,
    seconds: float | None,
    seed: int,
    weight: FloatArray | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Tuned:
    """Search ``space`` from ``start`` (the untuned settings, tried first) for the best out-of-fold AUC.

    ``data`` holds the matrix, the 0/1 labels and the folds (positions in the matrix).

    At most ``trials`` trials. ``seconds`` caps the search after the first trial (which always runs, as it
    would without a search): no trial starts that would end past the cap, judged by the mean time of the
    trials so far. Ties keep the earlier trial, so an untuned start that is not beaten is kept.

    Examples
    --------
    >>> tuned = tune(GBDTClassifier(f), gbdt_space, {"num_leaves": 7}, data=(x, y, folds), patience=50, trials=20,
    ...              seconds=None, seed=0)  # doctest: +SKIP
    >>> tuned.params, tuned.rounds, len(tuned.history)  # doctest: +SKIP

    """
    x, y, folds = data
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=STARTUP_TRIALS)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    history: list[TrialRecord] = []
    best: tuple[float, dict[str, Any], int, FloatArray] | None = None
    untuned: tuple[float, dict[str, Any], int, FloatArray] | None = None
    stopped = False
    searching = 0.0  # when the search proper began: after the untuned trial
    for number in range(max(trials, 1)):
        if number == 1:
            searching = clock()
        if number and seconds is not None and _would_overrun(history, clock() - searching, seconds):
            stopped = True
            break
        # The untuned settings run outside the sampler: some are "let the library choose" (None), which no
        # search distribution holds.
        trial = study.ask() if number else None
        params = space(trial) if trial is not None else dict(start)
        began = clock()
        oof, rounds = model.set_params(**params).cross_fit(x, y, folds, patience, weight)
        score = _weighted_auc(y, oof, weight)
        score = score if math.isfinite(score) else 0.0
        if trial is not None:
            study.tell(trial, score)
        history.append(TrialRecord(number, params, score, rounds, clock() - began))
        if best is None or score > best[0]:
            best = (score, params, rounds, oof)
        untuned = untuned or best
    assert best is not None  # the first trial always runs
    assert untuned is not None
    gain = _gain(y, best[3], untuned[3], weight, seed) if best is not untuned else None
    chosen = best if gain is None or gain["low"] > 0 else untuned
    _, params, rounds, oof = chosen
    return Tuned(dict(params), rounds, oof, history, seconds, stopped, gain, chosen is untuned and best is not untuned)


def _would_overrun(history: Sequence[TrialRecord], spent: float, seconds: float) -> bool:
    """Whether a next trial, taking the mean time of those so far, would end past ``seconds`` of search."""
    expected = sum(t.seconds for t in history) / len(history)
    return spent + expected > seconds


def _gain(
    y: FloatArray, best: FloatArray, untuned: FloatArray, weight: FloatArray | None, seed: int
) -> dict[str, float] | None:
    """The best trial's AUC gain over the untuned one with a paired bootstrap interval (None with row weights).

    The best of many trials is partly luck: on a small table the untuned settings are kept unless the gain's
    lower bound (``GAIN_LEVEL``) is above zero.
    """
    if weight is not None:
        return None
    from riskloop.monitoring.model_figures import bootstrap_auc_gain

    return bootstrap_auc_gain(y, best, untuned, seed=seed, rounds=GAIN_ROUNDS, level=GAIN_LEVEL)
