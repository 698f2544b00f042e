"""Training the fusion: a logistic-regression stacker over out-of-fold sub-model scores and source flags."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from riskloop.scoring.fusion import Fusion

FloatArray = npt.NDArray[np.float64]
Folds = Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]
STACKER_C = 1.0


def _stacker(design: FloatArray, y: FloatArray) -> LogisticRegression:
    return LogisticRegression(C=STACKER_C, max_iter=2000).fit(design, y)


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
) -> tuple[Fusion, FloatArray]:
    """Fit the stacker on out-of-fold sub-scores; return it and its own out-of-fold log-odds.

    A sub-model's neutral value is its mean out-of-fold score over the rows that have its source: rows
    without the source get exactly that (0 after centring) and the source's has-data flag carries the
    difference. The stacker's out-of-fold log-odds (same folds) are what the calibration is fitted on.

    Examples
    --------
    >>> fusion, oof_logit = fit_fusion(names, sub_sources=subs, sources=sources, direct=(), oof_sub=oof,
    ...     has=has, direct_values=np.zeros((n, 0)), y=y, folds=folds)  # doctest: +SKIP

    """
    source_col = [list(sources).index(s) for s in sub_sources]
    neutral = tuple(
        float(oof_sub[has[:, c] > 0, j].mean()) if (has[:, c] > 0).any() else 0.0 for j, c in enumerate(source_col)
    )
    columns = [direct_values[~np.isnan(direct_values[:, d]), d] for d in range(len(direct))]
    mean = tuple(float(c.mean()) if c.size else 0.0 for c in columns)
    scale = tuple(float(c.std()) if c.size and c.std() > 0 else 1.0 for c in columns)
    shell = Fusion(tuple(sub_names), tuple(sub_sources), neutral, tuple(sources), tuple(direct), mean, scale, 0.0, ())
    design = shell.design(oof_sub, has, direct_values)
    oof_logit = np.empty(len(y), dtype=np.float64)
    for train, test in folds:
        oof_logit[test] = _stacker(design[train], y[train]).decision_function(design[test])
    final = _stacker(design, y)
    fusion = Fusion(
        **{**shell.__dict__, "intercept": float(final.intercept_[0]), "coef": tuple(map(float, final.coef_[0]))}
    )
    return fusion, oof_logit
