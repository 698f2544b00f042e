"""The validation report: discrimination per model and split, PSI, calibration, lift/gain, ensemble gain.

:func:`build_report` turns scored splits into one JSON-ready dict; :func:`write_report` writes it as
``<stem>.json`` for machines and a self-contained ``<stem>.html`` with charts for people.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from riskloop.errors import ValidationError
from riskloop.modeling import evaluation as ev

FUSED = "fused"


@dataclass(frozen=True)
class ScoredSplit:
    """One population with its labels and scores.

    Parameters
    ----------
    name : str
        ``"train"``, ``"test"``, ``"oot"``, ``"cv"`` (out-of-fold) ...
    y : array of 0/1
        Observed outcome, 1 = bad.
    fused_pd : array of float
        Fused, calibrated probability of default.
    sub_scores : DataFrame
        One column per sub-model (``"<source>:<kind>"``), higher = riskier; same rows as ``y``.
    features : DataFrame, optional
        Feature values of the same rows, for PSI against the reference split.

    """

    name: str
    y: npt.NDArray[np.int64]
    fused_pd: npt.NDArray[np.float64]
    sub_scores: pd.DataFrame
    features: pd.DataFrame | None = None


def build_report(
    splits: Sequence[ScoredSplit], meta: Mapping[str, Any], reference: str = "train", curves_for: int = 8
) -> dict[str, Any]:
    """Evaluate every split; PSI of the score and of each feature of every other split against ``reference``.

    ``curves_for`` bounds how many sub-models (the best by AUC) get ROC points in the report.
    """
    if not splits:
        raise ValidationError("splits", "nothing to report on")
    report: dict[str, Any] = {"meta": dict(meta), "splits": {}, "psi": _psi(splits, reference)}
    for split in splits:
        report["splits"][split.name] = _evaluate(split, curves_for)
    report["summary"] = {
        name: {
            "fused_auc": part["models"][FUSED]["auc"],
            "fused_ks": part["models"][FUSED]["ks"],
            "fused_gini": part["models"][FUSED]["gini"],
            **part["ensemble_gain"],
        }
        for name, part in report["splits"].items()
    }
    finite: dict[str, Any] = _finite(report)
    return finite


def write_report(report: Mapping[str, Any], folder: Path, stem: str = "report") -> tuple[Path, Path]:
    """Write ``<stem>.json`` and ``<stem>.html`` into ``folder``; return both paths."""
    from riskloop.modeling.report_html import render_html

    folder.mkdir(parents=True, exist_ok=True)
    json_path, html_path = folder / f"{stem}.json", folder / f"{stem}.html"
    json_path.write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


def _evaluate(split: ScoredSplit, curves_for: int) -> dict[str, Any]:
    y = np.asarray(split.y, dtype=np.int64)
    if len(split.sub_scores) != len(y) or len(split.fused_pd) != len(y):
        raise ValidationError(split.name, "labels, fused PD and sub-model scores differ in length")
    models = {FUSED: ev.discrimination(y, split.fused_pd)}
    for column in split.sub_scores.columns:
        models[str(column)] = ev.discrimination(y, split.sub_scores[column].to_numpy(np.float64))
    out: dict[str, Any] = {
        "rows": int(y.size),
        "bads": int(y.sum()),
        "bad_rate": float(y.mean()) if y.size else None,
        "models": models,
        "ensemble_gain": ev.ensemble_gain(models, FUSED),
    }
    if y.size and 0 < y.sum() < y.size:
        ranked = sorted((k for k in models if k != FUSED), key=lambda k: -models[k]["auc"])[:curves_for]
        out["calibration"] = ev.calibration_table(y, split.fused_pd)
        out["lift"] = ev.lift_table(y, split.fused_pd)
        out["ks_curve"] = ev.ks_curve(y, split.fused_pd)
        out["roc"] = {FUSED: ev.roc_points(y, split.fused_pd)} | {
            k: ev.roc_points(y, split.sub_scores[k].to_numpy(np.float64)) for k in ranked
        }
    return out


def _psi(splits: Sequence[ScoredSplit], reference: str) -> dict[str, Any]:
    base = next((s for s in splits if s.name == reference), None)
    others = [s for s in splits if s.name != reference]
    if base is None or not others:
        return {"reference": None, "note": "PSI needs a reference split and another population"}
    out: dict[str, Any] = {"reference": reference, "score": {}, "score_bins": {}, "features": {}}
    for other in others:
        detail = ev.psi_detail(base.fused_pd, other.fused_pd)
        out["score"][other.name] = detail.value
        out["score_bins"][other.name] = {"edges": detail.edges, "expected": detail.expected, "actual": detail.actual}
        if base.features is not None and other.features is not None:
            out["features"][other.name] = ev.feature_psi(base.features, other.features)
    return out


def _finite(value: Any) -> Any:
    """Replace NaN/inf by None recursively, so the JSON is standard."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
