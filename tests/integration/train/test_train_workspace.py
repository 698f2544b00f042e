"""``riskloop train`` on an ingested synthetic workspace: time splits, report files, registry entry, truth AUC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.modeling.ensemble import Ensemble
from riskloop.scoring.reasons import ReasonCatalog
from riskloop.service.train import APPLICATION_FIELDS
from riskloop.storage.engine import make_engine
from riskloop.storage.model_registry import SQLModelRegistry

SPLITS = ("train", "test", "oot")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    # Training needs ingested tables and a graph, not the demo's decisions and monitoring: build only those.
    home, universe = tmp_path_factory.mktemp("train-home"), tmp_path_factory.mktemp("train-universe")
    for step in (
        ["generate", "--enterprises", "30000", "--out", str(universe), "--json"],
        ["ingest", str(universe / "tables"), "--json"],
        ["graph", "build", "--json"],
    ):
        done = CliRunner().invoke(app, ["--home", str(home), *step])
        assert done.exit_code == 0, done.output
    truth = universe / "truth"
    result = CliRunner().invoke(
        app,
        ["--home", str(home), "train", "--json", "--folds", "3", "--name", "sme", "--truth", str(truth), "--graph"],
    )
    assert result.exit_code == 0, result.stderr
    return home, json.loads(result.stdout)


def test_report_files_next_to_the_bundle(trained: tuple[Path, dict[str, Any]]) -> None:
    home, out = trained
    bundle = Path(out["bundle"])
    assert bundle == home / "models" / "sme-v1"
    assert (bundle / "manifest.json").is_file()
    assert Path(out["report_json"]).parent == bundle
    html = Path(out["report_html"]).read_text()
    assert html.count("<svg") >= 6
    assert "<script" not in html


def test_report_has_figures_per_model_and_split(trained: tuple[Path, dict[str, Any]]) -> None:
    report = json.loads(Path(trained[1]["report_json"]).read_text())
    assert set(report["splits"]) == set(SPLITS)
    for split in SPLITS:
        models = report["splits"][split]["models"]
        assert "fused" in models
        assert "tax:scorecard" in models
        assert "risk:gbdt" in models
        for figures in models.values():
            assert {"auc", "ks", "gini"} <= set(figures)
        assert len(report["splits"][split]["calibration"]) == 10
        assert report["splits"][split]["ensemble_gain"]["best_sub_model"]
    assert report["splits"]["train"]["models"]["fused"]["auc"] > 0.6
    assert report["meta"]["oot_from"] <= report["meta"]["observed_on"]
    assert report["meta"]["direct_inputs"] == list(APPLICATION_FIELDS)
    assert "all:gbdt" in report["splits"]["test"]["models"]


def test_graph_source_joins_the_fusion_with_catalogue_reasons(trained: tuple[Path, dict[str, Any]]) -> None:
    out = trained[1]
    report = json.loads(Path(out["report_json"]).read_text())
    assert report["meta"]["graph"] is True
    assert {"graph:scorecard", "graph:gbdt"} <= set(report["splits"]["test"]["models"])
    model = Ensemble.load(Path(out["bundle"]))
    graph = next(s for s in model.sources if s.name == "graph")
    catalogue = {f for c in ReasonCatalog.default().data["codes"] if c["source"] == "graph" for f in c["features"]}
    assert set(graph.features) == catalogue  # every graph feature has its own reason code, and no other
    # Fraud rings default far more often: the graph source alone ranks defaults against ground truth.
    assert out["truth"]["sub_models"]["graph:gbdt"] > 0.55


def test_psi_of_score_and_features(trained: tuple[Path, dict[str, Any]]) -> None:
    psi = json.loads(Path(trained[1]["report_json"]).read_text())["psi"]
    assert psi["reference"] == "train"
    assert set(psi["score"]) == {"test", "oot"}
    assert all(value >= 0 for value in psi["score"].values())
    assert "tax_log_revenue_12m" in psi["features"]["oot"]
    assert "app_bureau_score" in psi["features"]["test"]


def test_truth_auc_with_interval(trained: tuple[Path, dict[str, Any]]) -> None:
    truth = trained[1]["truth"]
    low, high = truth["fused"]["auc_ci95"]
    assert low < truth["fused"]["auc"] < high
    assert truth["fused"]["auc"] > 0.55  # few matured bads in a small workspace: a weak but real signal
    assert truth["auc_gain_ci95"][0] <= truth["auc_gain"] <= truth["auc_gain_ci95"][1]


def test_model_is_registered_and_reloads(trained: tuple[Path, dict[str, Any]]) -> None:
    home, out = trained
    engine = make_engine(f"sqlite:///{home / 'riskloop.db'}")
    try:
        entry = SQLModelRegistry(engine).get(out["model_id"])
    finally:
        engine.dispose()
    assert (entry.name, entry.version, entry.path) == ("sme", 1, out["bundle"])
    assert entry.metrics["oot"]["fused_auc"] == out["summary"]["oot"]["fused_auc"]
    model = Ensemble.load(Path(out["bundle"]))
    assert "tax:gbdt" in model.sub_model_names


def test_the_metadata_says_why_settings_were_not_searched(trained: tuple[Path, dict[str, Any]]) -> None:
    _, out = trained
    assert out["meta"]["search"] == {"searched": False, "why": "no budget"}
