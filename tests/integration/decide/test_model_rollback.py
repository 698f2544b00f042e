"""A rollback restores the previous model's decisions byte for byte: the stored decisions replay identically under
the rolled-back champion, and differ while the challenger is active (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.workspace import Workspace

APPROVER = "demo-approver"


def _cli(home: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"])
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.stdout)


def _replay(home: Path) -> tuple[int, dict]:
    """Replay every stored decision with the active model: exit 0 when all are identical, 1 when some differ."""
    result = CliRunner().invoke(app, ["--home", str(home), "replay", "--all", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_rollback_replays_every_stored_decision_identically(workspace_copy: Path) -> None:
    settings = load_settings(workspace_copy)
    with Workspace.open(settings, create=False) as ws:
        champion = ws.active_model()
    code, first = _replay(workspace_copy)
    assert code == 0
    assert first["replayed"] > 100
    assert first["different"] == []  # decided by the champion: identical
    challenger = _cli(workspace_copy, "retrain", "--as-of", champion.training_window["observed_on"])["model_id"]
    with Workspace.open(settings, create=False) as ws:
        lifecycle = ws.model_lifecycle()
        lifecycle.approve(challenger, APPROVER)
        lifecycle.activate(challenger, APPROVER)
        assert ws.active_model().model_id == challenger
    code, under_challenger = _replay(workspace_copy)
    assert code == 1
    assert under_challenger["replayed"] == first["replayed"]
    changed = {field for d in under_challenger["different"] for field in d["differences"]}
    assert len(under_challenger["different"]) == first["replayed"]  # every decision records its model
    assert {"versions", "pd", "score"} <= changed
    with Workspace.open(settings, create=False) as ws:
        back = ws.model_lifecycle().activate(champion.model_id, APPROVER)  # the retired champion: a rollback
        assert (back.status, ws.active_model().model_id) == ("active", champion.model_id)
        assert ws.model_registry().get(challenger).status == "retired"
    code, rolled_back = _replay(workspace_copy)
    assert code == 0
    assert rolled_back == first  # byte for byte: every field of every decision as stored
