"""Training the fusion: a logistic-regression stacker over out-of-fold sub-model scores and source flags.

The stacker is an L2-penalised logistic regression whose sub-model weights are kept non-negative (a
sub-model's log-odds can only raise the fused risk with its own sign; a negative weight is over-fitting
of correlated scores). Its penalty ``C`` is chosen from ``STACKER_GRID`` by out-of-fold log-loss over
the ensemble's folds, i.e. on training rows only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from riskloop.scoring.fusion import Fusion

FloatArray = npt.NDArray[np.float64]
Folds = Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]
STACKER_GRID = (0.01, 0.1, 1.0, 10.0)


def fit_logistic(
    design: FloatArray, y: FloatArray, c: float, lower: Sequence[float | None], weight: FloatArray | None = None
) -> tuple[float, FloatArray]:
    """Intercept and coefficients of ``sum(log-loss) + ||w||^2 / (2c)`` with ``w[j] >= lower[j]`` (None: free).

    With ``weight`` each row's log-loss counts ``weight`` times (scikit-learn's ``sample_weight``).

    The same objective as scikit-learn's ``LogisticRegression(C=c)``, solved by L-BFGS-B (deterministic).

    Examples
    --------
    >>> b, w = fit_logistic(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0.0, 0.0, 1.0, 1.0]), 1.0, [0.0])
    >>> bool(w[0] > 0)
    True

    """
    k = design.shape[1]
    sign = 2.0 * y - 1.0
    rows = np.ones_like(y) if weight is None else weight

    def loss(theta: FloatArray) -> tuple[float, FloatArray]:
        z = sign * (theta[0] + design @ theta[1:])
        losses = np.logaddexp(0.0, -z) if weight is None else rows * np.logaddexp(0.0, -z)
        value = float(losses.sum() + theta[1:] @ theta[1:] / (2.0 * c))
        g = -sign * rows * np.exp(-np.logaddexp(0.0, z))  # d loss / d logit
        grad = np.concatenate([[g.sum()], design.T @ g + theta[1:] / c])
        return value, grad

    bounds = [(None, None)] + [(lo, None) for lo in lower]
    start = np.zeros(k + 1, dtype=np.float64)
    rate = float(y.mean() if weight is None else np.average(y, weights=weight))
    start[0] = float(np.log(max(rate, 1e-9) / max(1.0 - rate, 1e-9)))
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
    theta = np.asarray(result.x, dtype=np.float64)
    return float(theta[0]), theta[1:]


def _log_loss(y: FloatArray, logit: FloatArray, weight: FloatArray | None = None) -> float:
    return float(np.average(np.logaddexp(0.0, -(2.0 * y - 1.0) * logit), weights=weight))


def fit_fusion(
    sub_names: Sequence[str],
    *,
    sub_sources: Sequence[str],
    sources: Sequence[str],
    direct: Sequence[str],
    oof_sub: FloatArray,
    has: FloatArray,
    direct_values: FloatArray,
    y: FloatArray,
    folds: Folds,
    c: float | None = None,
    non_negative: bool = True,
    weight: FloatArray | None = None,
) -> tuple[Fusion, FloatArray]:
    """Fit the stacker on out-of-fold sub-scores; return it and its own out-of-fold log-odds.

    A sub-model's neutral value is its mean out-of-fold score over the rows that have its source: rows
    without the source get exactly that (0 after centring) and the source's has-data flag carries the
    difference. The stacker's out-of-fold log-odds (same folds) are what the calibration is fitted on.
    ``c`` None chooses the penalty from ``STACKER_GRID`` by those out-of-fold log-odds' log-loss (ties: the
    stronger penalty); ``non_negative`` bounds every sub-model weight at 0 (flags and direct inputs are free);
    ``weight`` weights the rows of every fit and of the log-loss.

    Examples
    --------
    >>> fusion, oof_logit = fit_fusion(names, sub_sources=subs, sources=sources, direct=(), oof_sub=oof,
    ...     has=has, direct_values=np.zeros((n, 0)), y=y, folds=folds)  # doctest: +SKIP

    """
    source_col = [list(sources).index(s) for s in sub_sources]
    neutral = tuple(
        float(oof_sub[has[:, k] > 0, j].mean()) if (has[:, k] > 0).any() else 0.0 for j, k in enumerate(source_col)
    )
    columns = [direct_values[~np.isnan(direct_values[:, d]), d] for d in range(len(direct))]
    mean = tuple(float(c.mean()) if c.size else 0.0 for c in columns)
    scale = tuple(float(c.std()) if c.size and c.std() > 0 else 1.0 for c in columns)
    shell = Fusion(tuple(sub_names), tuple(sub_sources), neutral, tuple(sources), tuple(direct), mean, scale, 0.0, ())
    design = shell.design(oof_sub, has, direct_values)
    lower = [0.0 if non_negative else None] * len(sub_names) + [None] * (design.shape[1] - len(sub_names))

    def out_of_fold(penalty: float) -> FloatArray:
        logit = np.empty(len(y), dtype=np.float64)
        for train, test in folds:
            b, w = fit_logistic(design[train], y[train], penalty, lower, None if weight is None else weight[train])
            logit[test] = b + design[test] @ w
        return logit

    candidates = (c,) if c is not None else STACKER_GRID
    scored = [(_log_loss(y, logit, weight), i, logit) for i, logit in enumerate(map(out_of_fold, candidates))]
    _, best, oof_logit = min(scored, key=lambda t: (round(t[0], 12), t[1]))
    intercept, coef = fit_logistic(design, y, candidates[best], lower, weight)
    fusion = Fusion(**{**shell.__dict__, "intercept": intercept, "coef": tuple(map(float, coef))})
    return fusion, oof_logit


FUSION_MODES = ("auto", "stack", "best")


def choose_fusion(
    fusion: Fusion,
    oof_logit: FloatArray,
    design: FloatArray,
    y: FloatArray,
    *,
    mode: str,
    weight: FloatArray | None = None,
    seed: int = 0,
) -> tuple[Fusion, FloatArray, dict[str, Any]]:
    """The stack, or the best single sub-model scored alone, as ``mode`` says; "auto" takes the better of the two.

    Both are judged on out-of-fold scores of the training rows: the stacker's own out-of-fold log-odds and each
    sub-model's centred out-of-fold score (its design column). With the best sub-model alone, the score is a
    logistic map of its score (``coef`` zero elsewhere) and ``reason_coef`` keeps the stacker's weights, so
    every sub-model still explains the decision. Returns the fusion, the log-odds the calibration is fitted
    on, and what was measured (AUC of each, the gain, with a paired bootstrap interval unless ``mode`` is "stack",
    and the choice).
    """
    from riskloop.modeling.metrics import auc
    from riskloop.monitoring.model_figures import bootstrap_auc_gain

    k = len(fusion.sub_models)
    aucs = [auc(y, design[:, j]) for j in range(k)]
    best = int(np.argmax(aucs))
    stack_auc = auc(y, oof_logit)
    # The interval costs a few seconds on 100k rows: only when it can change the choice.
    gain = (
        {"gain": stack_auc - aucs[best]}
        if mode == "stack"
        else bootstrap_auc_gain(y, oof_logit, design[:, best], seed=seed)
    )
    stacked = mode == "stack" or (mode == "auto" and gain["gain"] > 0)
    record = {
        "mode": mode,
        "chosen": "stack" if stacked else "best",
        "best_sub_model": fusion.sub_models[best],
        "stack_auc": stack_auc,
        "best_sub_auc": aucs[best],
        "gain": gain,
    }
    if stacked:
        return fusion, oof_logit, record
    intercept, slope = fit_logistic(design[:, [best]], y, 1e6, [0.0], weight)
    coef = [0.0] * design.shape[1]
    coef[best] = float(slope[0])
    alone = Fusion(**{**fusion.__dict__, "intercept": intercept, "coef": tuple(coef), "reason_coef": fusion.coef})
    return alone, intercept + slope[0] * design[:, best], record
