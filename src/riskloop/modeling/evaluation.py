"""Validation metrics beyond AUC/KS: Gini, PSI, calibration, lift/gain by decile, curves, ensemble gain.

Conventions: ``y`` is 0/1 with 1 = bad; a ``score`` is higher for riskier rows (a PD or log-odds of bad).

PSI (population stability index) between an *expected* population (training) and an *actual* one::

    PSI = sum_i (a_i - e_i) * ln(a_i / e_i)

where ``e_i`` / ``a_i`` are the shares of each population in bin ``i``. The bins are the deciles of the
expected distribution (its 10 %, 20 %, ... 90 % quantiles; repeated cut points merge, so a feature with few
distinct values gets fewer bins), a value equal to a cut point goes to the upper bin, and missing values
form a bin of their own. A share of 0 is replaced by ``PSI_FLOOR`` so the logarithm stays finite (the shares
and the sum are ``monitoring.model_figures``'s, which model monitoring uses too). Rule of thumb: below 0.1
stable, 0.1-0.25 shifting, above 0.25 shifted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import roc_curve

from riskloop.errors import ValidationError
from riskloop.modeling.metrics import auc, ks
from riskloop.monitoring.model_figures import psi as psi_of_shares
from riskloop.monitoring.model_figures import shares

FloatArray = npt.NDArray[np.float64]
DECILES = 10


def gini(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Gini coefficient (accuracy ratio) ``2 * AUC - 1``.

    Examples
    --------
    >>> gini([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])
    1.0

    """
    return 2.0 * auc(y, score) - 1.0


def discrimination(y: npt.ArrayLike, score: npt.ArrayLike) -> dict[str, float]:
    """AUC, KS and Gini of ``score`` with the row count and bad rate; NaN metrics when one class is absent."""
    labels = np.asarray(y, dtype=np.int64)
    out = {"rows": float(labels.size), "bad_rate": float(labels.mean()) if labels.size else float("nan")}
    if labels.size == 0 or labels.min() == labels.max():
        return {**out, "auc": float("nan"), "ks": float("nan"), "gini": float("nan")}
    value = auc(labels, score)
    return {**out, "auc": value, "ks": ks(labels, score), "gini": 2.0 * value - 1.0}


@dataclass(frozen=True)
class PsiResult:
    """PSI with its bins: ``edges`` are the cut points; the last share of each side is the missing bin."""

    value: float
    edges: tuple[float, ...]
    expected: tuple[float, ...]
    actual: tuple[float, ...]


def decile_edges(expected: npt.ArrayLike, bins: int = DECILES) -> FloatArray:
    """Distinct interior quantile cut points of the non-missing ``expected`` values."""
    values = _floats(expected)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.empty(0, dtype=np.float64)
    cuts = np.quantile(values, np.arange(1, bins) / bins)
    return np.unique(cuts)


def bin_shares(values: npt.ArrayLike, edges: FloatArray) -> FloatArray:
    """Share of ``values`` in each bin of ``edges`` (``len(edges) + 1`` bins) and, last, the missing share."""
    return shares(values, edges)  # one definition, shared with model monitoring, so their PSIs agree


def psi_detail(expected: npt.ArrayLike, actual: npt.ArrayLike, bins: int = DECILES) -> PsiResult:
    """PSI of ``actual`` against ``expected`` with the bins it was computed on (see the module docstring).

    Examples
    --------
    >>> psi_detail([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]).value
    0.0

    """
    edges = decile_edges(expected, bins)
    e, a = bin_shares(expected, edges), bin_shares(actual, edges)
    return PsiResult(psi_of_shares(e, a), tuple(edges.tolist()), tuple(e.tolist()), tuple(a.tolist()))


def psi(expected: npt.ArrayLike, actual: npt.ArrayLike, bins: int = DECILES) -> float:
    """Population stability index of ``actual`` against ``expected``; 0 for identical distributions.

    Examples
    --------
    >>> round(psi([0, 0, 1, 1], [0, 1, 1, 1]), 4)
    0.2747

    """
    return psi_detail(expected, actual, bins).value


def feature_psi(expected: pd.DataFrame, actual: pd.DataFrame, columns: list[str] | None = None) -> dict[str, float]:
    """PSI of every column (or ``columns``) of ``actual`` against ``expected``, largest first."""
    names = columns if columns is not None else [c for c in expected.columns if c in actual.columns]
    values = {n: psi(expected[n].to_numpy(np.float64, na_value=np.nan), _col(actual, n)) for n in names}
    return dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))


def calibration_table(y: npt.ArrayLike, pd_: npt.ArrayLike, bins: int = DECILES) -> list[dict[str, float]]:
    """Predicted vs observed bad rate in equal-count bins of predicted PD, lowest PD first.

    Rows are sorted by PD (stable for ties) and split into ``bins`` groups whose sizes differ by at most one.

    Examples
    --------
    >>> [r["bads"] for r in calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], bins=2)]
    [0.0, 2.0]

    """
    labels, pred = _labels(y), _floats(pd_)
    rows = []
    for i, part in enumerate(_equal_count_groups(pred, bins, descending=False), start=1):
        rows.append(
            {
                "bin": float(i),
                "rows": float(part.size),
                "bads": float(labels[part].sum()),
                "predicted": float(pred[part].mean()),
                "observed": float(labels[part].mean()),
                "min_pd": float(pred[part].min()),
                "max_pd": float(pred[part].max()),
            }
        )
    return rows


def lift_table(y: npt.ArrayLike, score: npt.ArrayLike, bins: int = DECILES) -> list[dict[str, float]]:
    """Lift and cumulative gain by equal-count bins of ``score``, riskiest first.

    ``gain`` is the cumulative share of all bads captured down to the bin, ``lift`` the bin's bad rate
    over the overall bad rate, ``cum_lift`` the cumulative bad rate over the overall one.

    Examples
    --------
    >>> [r["gain"] for r in lift_table([1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3], bins=2)]
    [1.0, 1.0]

    """
    labels, scores = _labels(y), _floats(score)
    total_bads, overall = float(labels.sum()), float(labels.mean())
    if total_bads == 0:
        raise ValidationError("y", "lift needs at least one bad")
    rows, cum_rows, cum_bads = [], 0.0, 0.0
    for i, part in enumerate(_equal_count_groups(scores, bins, descending=True), start=1):
        bads = float(labels[part].sum())
        cum_rows, cum_bads = cum_rows + part.size, cum_bads + bads
        rows.append(
            {
                "bin": float(i),
                "rows": float(part.size),
                "bads": bads,
                "bad_rate": bads / part.size,
                "lift": bads / part.size / overall,
                "cum_share": cum_rows / labels.size,
                "gain": cum_bads / total_bads,
                "cum_lift": cum_bads / cum_rows / overall,
            }
        )
    return rows


def roc_points(y: npt.ArrayLike, score: npt.ArrayLike, max_points: int = 200) -> dict[str, list[float]]:
    """ROC curve (false and true positive rates) thinned to at most ``max_points`` points for charts."""
    fpr, tpr, _ = roc_curve(_labels(y), _floats(score))
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(max_points, len(fpr))).round().astype(int))
    return {"fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist()}


def ks_curve(y: npt.ArrayLike, score: npt.ArrayLike, points: int = 101) -> dict[str, list[float]]:
    """Cumulative bad and good shares against the share of rows taken riskiest first (the KS plot)."""
    labels, scores = _labels(y), _floats(score)
    order = np.argsort(-scores, kind="stable")
    bads = np.concatenate([[0.0], np.cumsum(labels[order])]) / max(labels.sum(), 1)
    goods = np.concatenate([[0.0], np.cumsum(1 - labels[order])]) / max((1 - labels).sum(), 1)
    at = np.linspace(0, labels.size, points).round().astype(int)
    return {"share": (at / max(labels.size, 1)).tolist(), "bad": bads[at].tolist(), "good": goods[at].tolist()}


def ensemble_gain(metrics: Mapping[str, Mapping[str, float]], fused: str = "fused") -> dict[str, Any]:
    """Fused AUC/KS/Gini minus those of the best single sub-model (by AUC) of a ``{model: metrics}`` map."""
    subs = {k: v for k, v in metrics.items() if k != fused and np.isfinite(v.get("auc", np.nan))}
    if not subs or fused not in metrics:
        return {"best_sub_model": None}
    best = max(sorted(subs), key=lambda k: subs[k]["auc"])
    out: dict[str, Any] = {"best_sub_model": best}
    for name in ("auc", "ks", "gini"):
        out[f"best_{name}"] = subs[best][name]
        out[f"{name}_gain"] = metrics[fused][name] - subs[best][name]
    return out


def _equal_count_groups(values: FloatArray, bins: int, descending: bool) -> list[npt.NDArray[np.intp]]:
    if values.size == 0:
        raise ValidationError("score", "no rows")
    order = np.argsort(-values if descending else values, kind="stable")
    return [part for part in np.array_split(order, min(bins, values.size)) if part.size]


def _labels(y: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(y, dtype=np.float64)


def _floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _col(frame: pd.DataFrame, name: str) -> FloatArray:
    return frame[name].to_numpy(np.float64, na_value=np.nan)
