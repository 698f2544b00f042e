"""``riskloop train --csv/--parquet``: cross-validated figures as one JSON object, files written, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.storage.engine import make_engine
from riskloop.storage.model_registry import SQLModelRegistry


def _table(rows: int = 2500, seed: int = 0, intercept: float = -2.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2, noise = rng.normal(size=rows), rng.normal(size=rows), rng.normal(size=rows)
    sector = rng.choice(["retail", "farm", "tech"], size=rows)
    z = 1.2 * x1 - 0.8 * x2 + (sector == "farm") * 0.7 + intercept
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(int)
    x1[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame({"loan_id": [f"L{i:05d}" for i in range(rows)], "x1": x1, "x2": x2, "noise": noise,
                         "sector": sector, "y": y})  # fmt: skip


def _invoke(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "train", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("table")
    _table(rows=3000, intercept=-0.5).to_csv(tmp / "small.csv", index=False)
    # A small budget: the search runs (its first, untuned trial always does) and stops on the budget. The table
    # has enough bads to be searched (train_budget.SEARCH_MIN_BADS).
    code, out, err = _invoke(tmp, "--csv", str(tmp / "small.csv"), "--target", "y", "--drop", "loan_id", "--json",
                             "--folds", "3", "--budget-minutes", "0.3")  # fmt: skip
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1  # one JSON object, nothing else on stdout
    return tmp, json.loads(out)


def test_json_has_cross_validated_figures(trained: tuple[Path, dict[str, object]]) -> None:
    _, out = trained
    assert isinstance(out["cv_auc"], float)
    assert out["cv_auc"] > 0.7
    assert 0.2 < out["cv_ks"] < 1
    assert out["rows"] == 3000
    assert out["bads"] >= 1000  # type: ignore[operator]
    assert out["search"]["searched"] is True  # type: ignore[index]
    assert 0.05 < out["bad_rate"] < 0.5  # type: ignore[operator]
    assert len(out["cv_fold_auc"]) == 3  # type: ignore[arg-type]
    assert set(out["cv_sub_models"]) == {"all:scorecard", "all:gbdt", "all:catboost"}  # type: ignore[arg-type]
    assert out["learners"] == ["scorecard", "gbdt", "catboost"]
    assert out["categorical"] == {"sector": 3}
    assert out["dropped"] == ["loan_id"]
    assert out["types"] == {"numeric": 3, "categorical": 1, "dropped": 1}
    assert out["unparseable"] == {}


def test_tree_settings_are_searched_within_the_budget(trained: tuple[Path, dict[str, object]]) -> None:
    _, out = trained
    tuning = out["tuning"]
    assert isinstance(tuning, dict)
    assert set(tuning) == {"all:gbdt", "all:catboost"}
    for summary in tuning.values():
        assert summary["trials"] >= 1
        assert 0.5 < summary["best_auc"] <= 1
        assert "rounds" in summary["chosen"]
    report = json.loads(Path(str(out["report_json"])).read_text())
    history = report["tuning"]["all:gbdt"]["trials"]
    assert history[0]["number"] == 0  # the untuned settings come first
    assert report["tuning"]["all:gbdt"]["best_auc"] == max(t["auc"] for t in history)
    assert report["preparation"]["types"] == {"numeric": 3, "categorical": 1, "dropped": 1}
    # The budget (0.3 min) is the whole run's: each of the 3 cross-validation fits and the final fit had its window.
    budget = out["budget"]
    assert isinstance(budget, dict)
    assert budget["budget_seconds"] == 18.0
    assert len(budget["search_windows"]) == len(budget["fit_seconds"]) == 4
    assert budget["over_budget_seconds"] == pytest.approx(max(0.0, float(out["seconds"]) - 18.0), abs=0.11)  # type: ignore[arg-type]
    assert report["budget"]["search_windows"] == budget["search_windows"]
    html = Path(str(out["report_html"])).read_text()
    assert "Time budget (search window of each ensemble fit)" in html
    assert "Settings search (nested" in html
    assert "Table preparation" in html


def test_the_bundle_replays_the_preparation_on_the_raw_table(trained: tuple[Path, dict[str, object]]) -> None:
    from riskloop.modeling.ensemble import Ensemble
    from riskloop.modeling.metrics import auc
    from riskloop.modeling.table_prep import TablePrep

    tmp, out = trained
    bundle = Path(str(out["bundle"]))
    assert (bundle / "table_prep.json").is_file()
    assert (bundle / "catboost-all.txt").read_text().startswith("tree\n")
    model = Ensemble.load(bundle)
    assert model.prep is not None
    raw = pd.read_csv(tmp / "small.csv")
    scores = model.predict(TablePrep.from_dict(model.prep).transform(raw))
    report = json.loads(Path(str(out["report_json"])).read_text())
    # The raw table, prepared by the bundle's own record, scores exactly as the fitted model did at training.
    assert auc(raw["y"], scores.pd) == pytest.approx(report["splits"]["fit"]["models"]["fused"]["auc"], abs=1e-12)


def test_bundle_report_and_registry_entry_written(trained: tuple[Path, dict[str, object]]) -> None:
    tmp, out = trained
    bundle = Path(str(out["bundle"]))
    assert bundle == tmp / "home" / "models" / "small-v1"
    assert (bundle / "manifest.json").is_file()
    report = json.loads(Path(str(out["report_json"])).read_text())
    assert set(report["splits"]) == {"cv", "fit"}
    assert report["splits"]["cv"]["models"]["fused"]["auc"] == pytest.approx(out["cv_auc"], abs=1e-9)
    assert "<svg" in Path(str(out["report_html"])).read_text()
    engine = make_engine(f"sqlite:///{tmp / 'home' / 'riskloop.db'}")
    try:
        entry = SQLModelRegistry(engine).get(str(out["model_id"]))
    finally:
        engine.dispose()
    assert (entry.name, entry.version, entry.kind) == ("small", 1, "fused-ensemble")


def test_parquet_and_human_output(tmp_path: Path) -> None:
    _table(800, seed=1).drop(columns="loan_id").to_parquet(tmp_path / "t.parquet")
    code, out, err = _invoke(
        tmp_path, "--parquet", str(tmp_path / "t.parquet"), "--target", "y", "--folds", "2", "--budget-minutes", "0.1"
    )
    assert code == 0, err
    assert "fused" in out
    assert "report" in out
    # 162 bads: too few to tell settings apart, so the budget does not start a search, and the output says why.
    assert "trials" not in out
    assert "settings not searched: 162 bads, fewer than 1000" in out
    assert "learners: scorecard, gbdt, catboost" in out


def test_bad_target_exits_2_naming_the_column(tmp_path: Path) -> None:
    frame = _table(50).assign(y=["0", "1", "2", "yes", "0"] * 10)
    frame.to_csv(tmp_path / "bad.csv", index=False)
    code, out, err = _invoke(tmp_path, "--csv", str(tmp_path / "bad.csv"), "--target", "y")
    assert code == 2
    assert out == ""
    assert "y: target must be 0/1" in err
    assert "2, yes" in err
    assert "Traceback" not in err


def test_missing_target_lists_columns(tmp_path: Path) -> None:
    _table(50).to_csv(tmp_path / "t.csv", index=False)
    code, _, err = _invoke(tmp_path, "--csv", str(tmp_path / "t.csv"), "--target", "default_flag", "--json")
    assert code == 2
    message = json.loads(err)["message"]
    assert "no column 'default_flag'" in message
    assert "loan_id, x1, x2, noise, sector, y" in message


def test_rejected_categoricals_are_named(tmp_path: Path) -> None:
    _table(50).to_csv(tmp_path / "t.csv", index=False)
    code, _, err = _invoke(tmp_path, "--csv", str(tmp_path / "t.csv"), "--target", "y", "--reject-categorical")
    assert code == 2
    assert "non-numeric columns sector" in err


def test_an_identifier_column_is_left_out_and_reported(tmp_path: Path) -> None:
    _table(300).to_csv(tmp_path / "t.csv", index=False)
    code, out, err = _invoke(
        tmp_path, "--csv", str(tmp_path / "t.csv"), "--target", "y", "--folds", "2", "--budget-minutes", "0", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["dropped"] == ["loan_id"]
    assert result["types"]["identifier"] == 1
    assert result["tuning"] == {}  # no budget, no search
    assert result["search"] == {"searched": False, "why": "no budget"}


def test_a_negative_budget_is_refused(tmp_path: Path) -> None:
    _table(50).to_csv(tmp_path / "t.csv", index=False)
    code, out, err = _invoke(tmp_path, "--csv", str(tmp_path / "t.csv"), "--target", "y", "--budget-minutes", "-1")
    assert code == 2
    assert out == ""
    assert "--budget-minutes: -1: must be 0 (no search) or a positive number" in err


def test_unsafe_model_name_is_refused(tmp_path: Path) -> None:
    _table(300).drop(columns="loan_id").to_csv(tmp_path / "t.csv", index=False)
    code, _, err = _invoke(
        tmp_path, "--csv", str(tmp_path / "t.csv"), "--target", "y", "--name", "../x", "--folds", "2",
        "--budget-minutes", "0",
    )  # fmt: skip
    assert code == 2
    assert "name: '../x'" in err


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--reject-inference", "bogus"), "use one of none, fuzzy, parcel"),
        (("--reject-inference", "fuzzy"), "workspace"),
    ],
)
def test_reject_inference_option_is_checked(tmp_path: Path, args: tuple[str, ...], problem: str) -> None:
    _table(200).to_csv(tmp_path / "t.csv", index=False)
    code, _, err = _invoke(tmp_path, "--csv", str(tmp_path / "t.csv"), "--target", "y", "--json", *args)
    assert code != 0
    assert "--reject-inference" in err
    assert problem in err


def _score(tmp: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--home", str(tmp / "home"), "models", "score", *args])
    return result.exit_code, result.stdout, result.stderr


def test_models_score_replays_the_preparation_on_a_raw_table(trained: tuple[Path, dict[str, object]]) -> None:
    from riskloop.modeling.metrics import auc

    tmp, out = trained
    raw = pd.read_csv(tmp / "small.csv")
    raw["x2"] = raw["x2"].astype(object)
    raw.loc[:9, "x2"] = "n/a?"  # unreadable values are read as missing and counted, never a failure
    raw.loc[:4, "sector"] = "mining"  # a level the model never saw
    raw.drop(columns="y").to_csv(tmp / "new.csv", index=False)  # a table to score has no target
    code, stdout, err = _score(tmp, str(out["model_id"]), "--csv", str(tmp / "new.csv"), "--out",
                               str(tmp / "scores.csv"), "--json")  # fmt: skip
    assert code == 0, err
    result = json.loads(stdout)
    assert result["rows"] == 3000
    assert result["unparseable"] == {"x2": 10}
    assert result["unseen"] == {"sector": 5}
    scores = pd.read_csv(tmp / "scores.csv")
    assert list(scores.columns) == ["row", "pd", "points", "reasons"]  # the input's columns (loan_id) stay out
    assert scores["reasons"].str.len().gt(0).all()
    report = json.loads(Path(str(out["report_json"])).read_text())
    fit_auc = report["splits"]["fit"]["models"]["fused"]["auc"]
    assert auc(raw["y"].iloc[10:], scores["pd"].iloc[10:]) == pytest.approx(fit_auc, abs=0.01)
    # Never over a file: the scores already written stay as they are.
    code, _, err = _score(tmp, str(out["model_id"]), "--csv", str(tmp / "new.csv"), "--out", str(tmp / "scores.csv"))
    assert code == 2
    assert "exists" in err


def test_models_score_refuses_unknown_models_and_missing_files(trained: tuple[Path, dict[str, object]]) -> None:
    tmp, out = trained
    code, _, err = _score(tmp, "nope-v9", "--csv", str(tmp / "small.csv"), "--out", str(tmp / "x.csv"))
    assert code != 0
    assert "nope-v9" in err
    assert "Traceback" not in err
    code, _, err = _score(tmp, str(out["model_id"]), "--csv", str(tmp / "absent.csv"), "--out", str(tmp / "x.csv"))
    assert code == 2
    assert "--csv" in err
    assert "no such file" in err
