"""Discrimination metrics: AUC, KS and a bootstrap confidence interval."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score, roc_curve

FloatArray = npt.NDArray[np.float64]


def auc(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the ROC curve of ``score`` (higher = more likely bad) against 0/1 labels ``y``."""
    return float(roc_auc_score(np.asarray(y), np.asarray(score)))


def ks(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the bad and good score distributions."""
    fpr, tpr, _ = roc_curve(np.asarray(y), np.asarray(score))
    return float(np.max(tpr - fpr))


def bootstrap_auc(
    y: npt.ArrayLike, score: npt.ArrayLike, seed: int = 0, rounds: int = 200, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the AUC."""
    labels, scores = np.asarray(y), np.asarray(score)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        idx = rng.integers(0, len(labels), len(labels))
        if labels[idx].min() != labels[idx].max():
            values.append(roc_auc_score(labels[idx], scores[idx]))
    tail = (1 - level) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))
