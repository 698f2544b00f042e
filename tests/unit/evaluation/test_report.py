"""The report: JSON for machines and a self-contained HTML page with charts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from riskloop.modeling.report import ScoredSplit, build_report, write_report


def _split(name: str, n: int, rng: np.random.Generator, shift: float = 0.0) -> ScoredSplit:
    x = rng.normal(shift, 1.0, (n, 2))
    z = x @ np.array([1.0, 0.5]) - 2.0
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
    subs = pd.DataFrame({"a:scorecard": x[:, 0], "b:gbdt": x[:, 1]})
    return ScoredSplit(name, y, 1 / (1 + np.exp(-z)), subs, pd.DataFrame(x, columns=["f1", "f2"]))


def test_report_json_and_html(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    splits = [_split("train", 2000, rng), _split("test", 600, rng), _split("oot", 500, rng, shift=0.8)]
    report = build_report(splits, {"name": "unit"})
    json_path, html_path = write_report(report, tmp_path)
    data = json.loads(json_path.read_text())
    for name in ("train", "test", "oot"):
        models = data["splits"][name]["models"]
        assert set(models) == {"fused", "a:scorecard", "b:gbdt"}
        assert {"auc", "ks", "gini"} <= set(models["fused"])
        assert len(data["splits"][name]["calibration"]) == 10
        assert data["splits"][name]["lift"][-1]["gain"] == 1.0
    assert data["summary"]["test"]["best_sub_model"] == "a:scorecard"
    assert data["summary"]["test"]["auc_gain"] > 0  # the fused score holds both signals
    assert data["psi"]["reference"] == "train"
    assert data["psi"]["features"]["oot"]["f1"] > data["psi"]["features"]["test"]["f1"]
    html = html_path.read_text()
    assert html.count("<svg") >= 6
    assert 'href="http' not in html
    assert "src=" not in html  # nothing fetched from anywhere
    assert "<script" not in html


def test_single_split_has_no_psi(tmp_path: Path) -> None:
    report = build_report([_split("cv", 500, np.random.default_rng(1))], {"name": "cv only"})
    assert report["psi"]["reference"] is None
    _, html_path = write_report(report, tmp_path)
    assert "PSI needs" in html_path.read_text()
