"""``riskloop behaviour`` on the demo's workspace: train, four-eyes approval by API key, calibrate to a draft."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.workspace import Workspace


def _home(decision_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the database and models (training writes both); warehouse and keys shared."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    shutil.copytree(decision_workspace / "models", home / "models")
    for shared in ("warehouse", "universes", "secrets"):
        (home / shared).symlink_to(decision_workspace / shared)
    return home


def _run(home: Path, *args: str, key: str | None = None) -> tuple[int, dict[str, Any], str]:
    env = {"RISKLOOP_API_KEY": key} if key else {}
    result = CliRunner().invoke(app, ["--home", str(home), "behaviour", *args, "--json"], env=env)
    body = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, body, result.stderr


def test_train_approve_activate_and_calibrate_a_draft(decision_workspace: Path, tmp_path: Path) -> None:
    home = _home(decision_workspace, tmp_path)
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    code, trained, err = _run(home, "train", "--to", "2026-06-30", "--seed", "3")
    assert code == 0, err
    mid = trained["model_id"]
    assert mid.startswith("behaviour-v")
    assert trained["window"]["observed_on"] == "2026-06-30"
    assert trained["window"]["snapshots_to"] <= "2025-12-31"  # windows of 6 months matured by --to
    assert 0 < trained["bads"] < trained["rows"]

    code, _, err = _run(home, "activate", mid)  # no key: nobody to be the second pair of eyes
    assert code != 0
    assert "api_key" in json.loads(err)["message"]
    code, _, err = _run(home, "activate", mid, key=keys["approver"]["secret"])  # not approved yet
    assert code != 0
    code, approved, err = _run(home, "approve", mid, key=keys["approver"]["secret"])
    assert code == 0, err
    assert (approved["status"], approved["by"]) == ("approved", "demo-approver")
    code, active, err = _run(home, "activate", mid, key=keys["approver"]["secret"])
    assert code == 0, err
    assert active["status"] == "active"
    with Workspace.open(load_settings(home), migrate=False) as ws:
        model = ws.behaviour_model()
        assert model is not None
        assert model.version.startswith(f"{mid}:")
        assert ws.model_registry().get(mid).registered_by.startswith("cli:")

    code, proposal, err = _run(
        home, "calibrate", "--to", "2026-06-30", "--budget", "warning=20", key=keys["analyst"]["secret"]
    )
    assert code == 0, err
    assert proposal["status"] == "draft"
    assert set(proposal["cutoffs"]) == {"warning", "attention", "notice"}
    assert proposal["training"]["budgets"]["warning"] == 20.0
    with Workspace.open(load_settings(home), migrate=False) as ws:
        content = ws.strategy_repository().content("warning-reference", proposal["version"])
    assert content is not None
    kept = [level for level, cut in proposal["cutoffs"].items() if cut is not None]
    assert content.count("'behaviour_pd'") == len(kept)  # one rule per level that got a cut-off


def test_bad_budgets_are_refused_naming_the_option(decision_workspace: Path, tmp_path: Path) -> None:
    home = _home(decision_workspace, tmp_path)
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    code, _, err = _run(home, "calibrate", "--to", "2026-06-30", "--budget", "alarm=3", key=keys["analyst"]["secret"])
    assert code != 0
    assert "--budget" in json.loads(err)["message"]
