"""A retrained challenger on the demo workspace: same recipe, never served unapproved; its backtest against the
champion writes nothing and reads nothing dated after each application's day; the loop proposes it once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.errors import ForbiddenError
from riskloop.io.warehouse import Warehouse
from riskloop.scoring.bundle import load_serving
from riskloop.service.model_backtest import ModelBacktestOptions
from riskloop.testing.pii import database_texts
from riskloop.workspace import Workspace


def _cli(home: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _texts(home: Path) -> dict[str, str]:
    engine = sa.create_engine(f"sqlite:///{home / 'riskloop.db'}")
    try:
        return {k: v for k, v in database_texts(engine).items() if k != "audit_log"}
    finally:
        engine.dispose()


def _cut(source: Warehouse, before: dt.date, root: Path) -> Warehouse:
    """A copy of the warehouse holding only what was known before ``before`` (each table by its record date)."""
    target = Warehouse(root)
    con = source.connect(before=before)
    try:
        for name in source.tables():
            target.append(name, con.sql(f"SELECT * FROM {name}").to_arrow_table())
    finally:
        con.close()
    return target


@pytest.fixture(scope="module")
def retrained(decision_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One challenger retrained on a private copy of the workspace, shared by the tests that only read it after."""
    home = tmp_path_factory.mktemp("challenger") / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    for shared in ("models", "warehouse", "universes", "secrets"):
        (home / shared).symlink_to(decision_workspace / shared)
    with Workspace.open(load_settings(home), create=False) as ws:
        champion = ws.active_model()
    return home, {**_cli(home, "retrain", "--as-of", champion.training_window["observed_on"]), "active": champion}


def _application_days(home: Path, since: dt.date, count: int) -> list[dt.date]:
    applied = pq.read_table(home / "warehouse" / "applications", columns=["applied_at"]).column(0).to_pylist()
    days = sorted({t.date() for t in applied if t.date() >= since})
    step = max(len(days) // count, 1)
    return days[::step][:count]


def test_a_retrained_challenger_keeps_the_recipe_and_is_not_served_until_another_person_approves(retrained):
    home, trained = retrained
    settings = load_settings(home)
    champion = trained["active"]
    observed = champion.training_window["observed_on"]
    assert trained["reused"] is False
    assert trained["champion"] == champion.model_id
    again = _cli(home, "retrain", "--as-of", observed)
    assert (again["model_id"], again["reused"]) == (trained["model_id"], True)  # a re-run trains nothing twice
    with Workspace.open(settings, create=False) as ws:
        assert ws.active_model().model_id == champion.model_id  # still served: the challenger is a candidate
        challenger = ws.model_registry().get(trained["model_id"])
        assert challenger.status == "registered"
        assert challenger.name == champion.name
        assert challenger.training_window["observed_on"] == observed
        with pytest.raises(ForbiddenError, match="never its author"):
            ws.model_lifecycle().approve(challenger.model_id, challenger.registered_by)
    old, new = load_serving(Path(champion.path)), load_serving(Path(challenger.path))
    assert new.config == old.config  # sub-model kinds, calibration, GBDT settings, direct inputs, folds, seed
    assert [s.name for s in new.sources] == [s.name for s in old.sources]


def test_the_model_backtest_writes_nothing_and_reads_nothing_dated_after_each_application_day(retrained, tmp_path):
    home, trained = retrained
    settings = load_settings(home)
    champion = trained["active"]
    truth = next((home / "universes").glob("*/truth"))
    before = _texts(home)
    start = dt.date.fromisoformat(champion.training_window["oot_from"])
    days = _application_days(home, start, 3)
    assert len(days) == 3
    with Workspace.open(settings, migrate=False, create=False) as ws:
        for day in days:
            end = day + dt.timedelta(days=1)
            options = ModelBacktestOptions(
                champion.model_id, trained["model_id"], "reference", day, end, truth=truth, detail=True
            )
            full = ws.model_backtest(options)
            known = ws.model_backtest(options, warehouse=_cut(ws.warehouse, end, tmp_path / f"cut-{day}"))
            assert full["applications"] >= 1
            assert full["graph"]["builds"] == 1
            # the records dated after the day change nothing: not the features, the profiles, nor the graph
            assert full == known
    assert _texts(home) == before  # no table written but the audit of the identifiers opened


def test_the_backtest_compares_both_models_on_ground_truth(retrained):
    home, trained = retrained
    champion = trained["active"]
    truth = next((home / "universes").glob("*/truth"))
    start = dt.date.fromisoformat(champion.training_window["oot_from"])
    until = (start + dt.timedelta(days=62)).isoformat()
    args = ["models", "backtest", trained["model_id"], "--since", start.isoformat(), "--until", until]
    out = _cli(home, *args, "--truth", str(truth), "--detail")
    cases = out["cases"]
    assert out["applications"] == len(cases) == out["with_outcome"] > 30
    assert out["champion"]["model"] == champion.model_id
    for side in ("champion", "candidate"):
        approved = [c for c in cases if _approves(c[side])]
        assert out[side]["approval_rate"] == pytest.approx(len(approved) / len(cases))
    swapped_in = [c for c in cases if _approves(c["candidate"]) and not _approves(c["champion"])]
    assert out["swap"]["swap_in"]["count"] == len(swapped_in)
    ranking = out["discrimination"]
    assert ranking["rows"] == sum(c["champion"]["pd"] is not None and c["candidate"]["pd"] is not None for c in cases)
    gain = ranking["gain"]
    assert gain["gain"] == pytest.approx(ranking["candidate_auc"] - ranking["champion_auc"])
    assert gain["low"] <= gain["gain"] <= gain["high"]
    assert out["writes"] == 0


def _approves(decision: dict) -> bool:
    return decision["tier"] in ("auto_approve", "suggest_approve")  # the tiers that approve without a reviewer


def test_the_loop_proposes_the_challenger_once_and_stops_at_the_approval(workspace_copy):
    settings = load_settings(workspace_copy)
    with Workspace.open(settings, create=False) as ws:
        day = ws.active_model().training_window["observed_on"]
    quiet = _cli(workspace_copy, "loop", "--as-of", day)
    assert quiet["ran"] == ["outcomes", "monitor", "collection", "retrain"]
    collection = quiet["steps"]["collection"]["result"]  # the demo's policy saw every logged round: none is due
    assert (collection["trained"], collection["new_rounds"]) == (False, 0)
    assert quiet["state"] == "no retraining needed"  # a fresh champion and nothing crossed
    forced = _cli(workspace_copy, "loop", "--as-of", day, "--force")
    assert forced["state"] == "awaiting approval"
    assert forced["ran"] == ["retrain", "backtest", "propose"]
    proposal = forced["steps"]["propose"]["result"]
    assert proposal["challenger"] == forced["steps"]["retrain"]["result"]["model_id"]
    assert forced["steps"]["backtest"]["result"]["writes"] == 0
    again = _cli(workspace_copy, "loop", "--as-of", day, "--force")
    assert again["ran"] == []
    assert again["steps"] == forced["steps"]
    status = _cli(workspace_copy, "loop", "--as-of", day, "--status")
    assert status["state"] == "awaiting approval"
    with Workspace.open(settings, create=False) as ws:
        challenger = ws.model_registry().get(proposal["challenger"])
        assert (challenger.status, challenger.registered_by) == ("registered", "riskloop-loop")
        with pytest.raises(ForbiddenError):
            ws.model_lifecycle().approve(challenger.model_id, "riskloop-loop")
