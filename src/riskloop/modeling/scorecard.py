"""WOE scorecard sub-model: optimal monotone binning (optbinning), logistic regression, a points table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from optbinning import OptimalBinning
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from riskloop.errors import ValidationError
from riskloop.scoring.points import FeatureBins, PointsTable

FloatArray = npt.NDArray[np.float64]
TRENDS = {1: "ascending", -1: "descending", 0: "auto_asc_desc"}  # event rate vs value, as optbinning names it
MIN_MISSING = 30  # fewer missing rows than this: the missing bin gets WOE 0 (no evidence either way)


def _woe(bad: FloatArray, good: FloatArray) -> FloatArray:
    """WOE as log-odds of bad of each bin against the whole, with half a count of smoothing."""
    return np.asarray(np.log((bad + 0.5) / (bad.sum() + 0.5)) - np.log((good + 0.5) / (good.sum() + 0.5)))


def _bins(
    values: FloatArray, y: FloatArray, trend: str, max_bins: int, min_share: float, *, weight: FloatArray | None = None
) -> tuple[FloatArray, ...]:
    """Splits and WOE (value bins, then the missing bin) of one feature; counts weighted by ``weight``."""
    known = ~np.isnan(values)
    splits = np.zeros(0)
    if np.unique(values[known]).size > 1:
        binning = OptimalBinning(
            dtype="numerical",
            monotonic_trend=trend,
            max_n_bins=max_bins,
            min_bin_size=min_share,
            max_n_prebins=12,
            solver="cp",
        )
        binning.fit(values[known], y[known], sample_weight=None if weight is None else weight[known])
        splits = np.asarray(binning.splits, dtype=np.float64)
    index = np.where(known, np.searchsorted(splits, values, side="right"), splits.size + 1)
    w = np.ones_like(y) if weight is None else weight
    bad = np.asarray(np.bincount(index, weights=y * w, minlength=splits.size + 2), dtype=np.float64)
    total = np.asarray(np.bincount(index, weights=w, minlength=splits.size + 2), dtype=np.float64)
    woe = _woe(bad, total - bad)
    if total[-1] < MIN_MISSING:
        woe[-1] = 0.0
    return splits, woe


class ScorecardClassifier(BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """WOE scorecard: monotone optimal bins per feature, an explicit missing bin, logistic regression.

    Coefficients are kept non-negative (a feature whose WOE would enter with the wrong sign is dropped
    and the regression refitted), so every attribute's points follow its bins' observed risk.

    Parameters
    ----------
    features : sequence of str
        Column names, in the order of the matrix passed to ``fit``.
    monotone : mapping of str to int, optional
        +1 / -1 for features whose risk must rise / fall with the value.
    max_bins, min_bin_share, c : int, float, float
        Binning limits and the regression's inverse L2 strength.

    Examples
    --------
    >>> model = ScorecardClassifier(("tax_grade_score",), {"tax_grade_score": -1}).fit(x, y)  # doctest: +SKIP
    >>> model.table_.to_json(Scaling())["features"][0]["bins"][0]["points"]  # doctest: +SKIP

    """

    def __init__(
        self,
        features: Sequence[str] = (),
        monotone: Mapping[str, int] | None = None,
        max_bins: int = 6,
        min_bin_share: float = 0.05,
        c: float = 1.0,
    ) -> None:
        self.features = features
        self.monotone = monotone
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.c = c

    def fit(
        self, x: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
    ) -> ScorecardClassifier:
        """Bin every feature against 0/1 ``y``, then fit the regression on the bins' WOE (rows weighted if given)."""
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        matrix, labels = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise ValidationError("x", f"needs {len(self.features)} columns, got shape {matrix.shape}")
        if np.unique(labels).size < 2:
            raise ValidationError("y", "needs both good and bad outcomes")
        monotone = dict(self.monotone or {})
        binned = [
            _bins(matrix[:, j], labels, TRENDS[monotone.get(f, 0)], self.max_bins, self.min_bin_share, weight=weight)
            for j, f in enumerate(self.features)
        ]
        woe = np.column_stack([self._woe_of(matrix[:, j], *binned[j]) for j in range(len(binned))])
        keep = np.ones(len(binned), dtype=bool)
        coef = np.zeros(len(binned))
        rate = float(np.average(labels, weights=weight))
        intercept = float(np.log(rate / (1 - rate)))
        while keep.any():
            reg = LogisticRegression(C=self.c, max_iter=1000).fit(woe[:, keep], labels, sample_weight=weight)
            coef[:] = 0.0
            coef[keep] = reg.coef_[0]
            intercept = float(reg.intercept_[0])
            if (coef >= 0).all():
                break
            keep &= coef > 0
            coef[~keep] = 0.0
        self.table_ = PointsTable(
            intercept,
            tuple(
                FeatureBins(
                    f, tuple(float(s) for s in splits), tuple(float(v) for v in coef[j] * w), tuple(map(float, w))
                )
                for j, (f, (splits, w)) in enumerate(zip(self.features, binned, strict=True))
            ),
        )
        self.coef_, self.intercept_ = coef, intercept
        self.classes_ = np.array([0, 1])
        return self

    @staticmethod
    def _woe_of(values: FloatArray, splits: FloatArray, woe: FloatArray) -> FloatArray:
        index = np.where(np.isnan(values), splits.size + 1, np.searchsorted(splits, values, side="right"))
        return np.asarray(woe[index])

    def decision_function(self, x: npt.ArrayLike) -> FloatArray:
        """Log-odds of bad: the intercept plus the sum of the rows' bin logits."""
        return self.table_.logit(np.asarray(x, dtype=np.float64))

    def predict_proba(self, x: npt.ArrayLike) -> FloatArray:
        """Probabilities of good and bad (columns 0 and 1)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(x)))
        return np.column_stack([1.0 - p, p])

    def predict(self, x: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """1 where the probability of bad is at least one half."""
        return (self.predict_proba(x)[:, 1] >= 0.5).astype(np.int64)
