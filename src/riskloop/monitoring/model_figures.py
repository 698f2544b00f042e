"""Figures of model monitoring: PSI on fixed bins, AUC, KS, calibration and characteristic analysis by score band.

numpy only, so the API can compute them without the training stack; ``build_reference`` makes the training
sample's reference they compare against. Conventions are those of the training report
(``modeling.evaluation``), so a model's monitored PSI reads like its validation PSI: ``y`` is 0/1 with 1 = bad,
a score is higher for riskier rows (a PD). The bins of a variable are fixed once, on the training sample: the
distinct interior deciles of its non-missing values (a value equal to a cut point goes to the upper bin) plus a
bin of missing values, last. ``PSI = sum (a - e) * ln(a / e)`` over the bins either population uses, a share of
0 replaced by ``PSI_FLOOR``. Score bands are the bins of the score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
PSI_FLOOR = 1e-4
DECILES = 10
REFERENCE_FORMAT = 1
REFERENCE_FILE = "monitoring_reference.json"


@dataclass(frozen=True)
class Bins:
    """Fixed bins of one variable: interior cut points and the reference shares (``len(edges) + 2``, missing last)."""

    edges: tuple[float, ...]
    shares: tuple[float, ...]

    def to_dict(self) -> dict[str, list[float]]:
        """Plain JSON-ready fields."""
        return {"edges": list(self.edges), "shares": list(self.shares)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bins:
        """The bins ``to_dict`` wrote."""
        edges, shares = tuple(float(x) for x in data["edges"]), tuple(float(x) for x in data["shares"])
        if len(shares) != len(edges) + 2:
            raise ValueError(f"bins: {len(edges)} cut points need {len(edges) + 2} shares, got {len(shares)}")
        return cls(edges, shares)


def floats(values: npt.ArrayLike | Sequence[float | None]) -> FloatArray:
    """``values`` as float64, ``None`` as NaN (element by element only when there is a ``None``)."""
    try:
        return np.ravel(np.asarray(values, dtype=np.float64))
    except TypeError:
        return np.asarray([np.nan if v is None else v for v in np.ravel(np.asarray(values, dtype=object))], np.float64)


def fixed_bins(reference: npt.ArrayLike, bins: int = DECILES) -> Bins:
    """The bins of ``reference``: its distinct interior quantile cut points, and its shares in them.

    Examples
    --------
    >>> fixed_bins([1.0, 2.0, 3.0, 4.0], bins=2).edges
    (2.5,)

    """
    values = floats(reference)
    present = values[~np.isnan(values)]
    edges = np.unique(np.quantile(present, np.arange(1, bins) / bins)) if present.size else np.empty(0)
    return Bins(tuple(float(e) for e in edges), tuple(float(s) for s in shares(values, edges)))


def shares(values: npt.ArrayLike, edges: Sequence[float] | FloatArray) -> FloatArray:
    """Share of ``values`` in each bin of ``edges`` (``len(edges) + 1`` bins) and, last, the missing share."""
    data, cuts = floats(values), np.asarray(edges, dtype=np.float64)
    if data.size == 0:
        return np.zeros(len(cuts) + 2)
    missing = np.isnan(data)
    index = np.searchsorted(cuts, data[~missing], side="right")
    counts = np.bincount(index, minlength=len(cuts) + 1).astype(np.float64)
    return np.append(counts, missing.sum()) / data.size


def psi(expected: Sequence[float] | FloatArray, actual: Sequence[float] | FloatArray) -> float:
    """PSI of the ``actual`` shares against the ``expected`` ones (same bins); 0 when they are equal.

    Examples
    --------
    >>> round(psi([0.5, 0.5], [0.25, 0.75]), 4)
    0.2747

    """
    e, a = np.asarray(expected, dtype=np.float64), np.asarray(actual, dtype=np.float64)
    used = (e > 0) | (a > 0)
    e_f, a_f = np.maximum(e[used], PSI_FLOOR), np.maximum(a[used], PSI_FLOOR)
    return float(np.sum((a_f - e_f) * np.log(a_f / e_f)))


def psi_against(bins: Bins, actual: npt.ArrayLike) -> dict[str, Any]:
    """PSI of ``actual`` values against the reference ``bins``, with both share vectors (for charts)."""
    now = shares(actual, bins.edges)
    return {"psi": psi(bins.shares, now), "expected": list(bins.shares), "actual": now.tolist()}


def auc(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half); NaN when a class is absent.

    Examples
    --------
    >>> auc([0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8])
    1.0

    """
    labels, scores = np.asarray(y, dtype=np.int64), floats(score)
    bads, goods = int(labels.sum()), int(labels.size - labels.sum())
    if bads == 0 or goods == 0:
        return math.nan
    ranks = _average_ranks(scores)
    return float((ranks[labels == 1].sum() - bads * (bads + 1) / 2) / (bads * goods))


def bootstrap_auc_gain(
    y: npt.ArrayLike,
    fused: npt.ArrayLike,
    single: npt.ArrayLike,
    *,
    seed: int = 0,
    rounds: int = 200,
    level: float = 0.95,
) -> dict[str, float]:
    """AUC gain of ``fused`` over ``single`` with a paired percentile bootstrap interval (same resampled rows).

    Returns ``gain``, ``low`` and ``high``; a lower bound above 0 means the gain is not a resampling accident.
    """
    labels, a, b = np.asarray(y, dtype=np.int64), floats(fused), floats(single)
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(rounds):
        idx = rng.integers(0, labels.size, labels.size)
        if labels[idx].min() != labels[idx].max():
            gains.append(auc(labels[idx], a[idx]) - auc(labels[idx], b[idx]))
    tail = (1 - level) / 2
    return {
        "gain": auc(labels, a) - auc(labels, b),
        "low": float(np.quantile(gains, tail)),
        "high": float(np.quantile(gains, 1 - tail)),
    }


def ks(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Kolmogorov-Smirnov: the largest share of bads minus share of goods above a cut-off; NaN without both classes.

    Examples
    --------
    >>> ks([0, 0, 1, 1], [0.1, 0.3, 0.2, 0.4])
    0.5

    """
    labels, scores = np.asarray(y, dtype=np.int64), floats(score)
    bads, goods = int(labels.sum()), int(labels.size - labels.sum())
    if bads == 0 or goods == 0:
        return math.nan
    order = np.argsort(-scores, kind="stable")
    ranked, sorted_scores = labels[order], scores[order]
    last_of_tie = np.append(sorted_scores[1:] != sorted_scores[:-1], True)  # cut only between distinct scores
    tpr = np.cumsum(ranked)[last_of_tie] / bads
    fpr = np.cumsum(1 - ranked)[last_of_tie] / goods
    return float(max(0.0, np.max(tpr - fpr)))


def band_of(score: npt.ArrayLike, edges: Sequence[float]) -> npt.NDArray[np.intp]:
    """The score band (0 = lowest scores) of each value; a missing score gets band -1."""
    values = floats(score)
    out = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right")
    return np.where(np.isnan(values), -1, out)


def calibration_by_band(y: npt.ArrayLike, pd_: npt.ArrayLike, edges: Sequence[float]) -> list[dict[str, Any]]:
    """Predicted (mean PD) against observed bad rate in each score band of ``edges`` that holds rows.

    Examples
    --------
    >>> [(r["band"], r["rows"], r["bads"]) for r in calibration_by_band([0, 1, 1], [0.1, 0.2, 0.9], [0.5])]
    [(1, 2, 1), (2, 1, 1)]

    """
    labels, pds = np.asarray(y, dtype=np.int64), floats(pd_)
    bands = band_of(pds, edges)
    rows = []
    for band in range(len(edges) + 1):
        part = bands == band
        n = int(part.sum())
        if n:
            bads = int(labels[part].sum())
            rows.append({"band": band + 1, "rows": n, "bads": bads, "predicted": float(pds[part].mean()),
                         "observed": bads / n})  # fmt: skip
    return rows


def band_means(values: npt.ArrayLike, bands: npt.NDArray[np.intp], count: int) -> list[float | None]:
    """Mean of the non-missing ``values`` in each of ``count`` bands (``None`` where a band has none)."""
    data = floats(values)
    out: list[float | None] = []
    for band in range(count):
        part = data[(bands == band) & ~np.isnan(data)]
        out.append(float(part.mean()) if part.size else None)
    return out


def build_reference(
    score: npt.ArrayLike, inputs: Mapping[str, npt.ArrayLike], baseline: Mapping[str, Any]
) -> dict[str, Any]:
    """The reference of a model: score and input bins and band means of its training sample.

    ``baseline`` holds the discrimination it is expected to keep (``auc``, ``ks``, ``bad_rate`` and the
    ``split`` they were measured on); monitoring compares matured vintages against it.
    """
    score_bins = fixed_bins(score)
    bands = band_of(score, score_bins.edges)
    count = len(score_bins.edges) + 1
    return {
        "format": REFERENCE_FORMAT,
        "rows": int(floats(score).size),
        "score": score_bins.to_dict(),
        "inputs": {name: fixed_bins(values).to_dict() for name, values in sorted(inputs.items())},
        "band_means": {name: band_means(values, bands, count) for name, values in sorted(inputs.items())},
        "baseline": dict(baseline),
    }


def characteristic(
    values: npt.ArrayLike, score: npt.ArrayLike, edges: Sequence[float], reference: Sequence[float | None]
) -> dict[str, Any]:
    """Characteristic analysis of one input: its mean per score band now against the reference's.

    ``shift`` is the largest absolute difference of a band mean, in units of the reference's spread of band means
    (or absolute when the reference is flat): an input whose relation to the score changed stands out.
    """
    bands = band_of(score, edges)
    now = band_means(values, bands, len(edges) + 1)
    diffs = [abs(a - b) for a, b in zip(now, reference, strict=True) if a is not None and b is not None]
    known = [b for b in reference if b is not None]
    spread = (max(known) - min(known)) if len(known) > 1 else 0.0
    largest = max(diffs) if diffs else None
    shift = None if largest is None else (largest / spread if spread > 0 else largest)
    return {"now": now, "reference": list(reference), "shift": shift}


def _average_ranks(values: FloatArray) -> FloatArray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.arange(1, values.size + 1, dtype=np.float64)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return np.asarray(sums / counts, dtype=np.float64)[inverse]
