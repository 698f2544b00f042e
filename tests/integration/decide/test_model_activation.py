"""Only the approved, active model is served: a candidate is not (even after a restart), its trainer cannot approve
it, and a running server follows its activation and a rollback without a restart (issue 14, item 3)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api.app import create_app
from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

TTL = 2.2  # a little over the serving pipeline's re-read interval of the active model


def _models(home: Path, *args: str, key: str | None = None) -> tuple[int, dict[str, Any], str]:
    env = {"RISKLOOP_API_KEY": key} if key else {}
    result = CliRunner().invoke(app, ["--home", str(home), "models", *args, "--json"], env=env)
    return result.exit_code, json.loads(result.stdout) if result.exit_code == 0 else {}, result.stderr


def _candidate(home: Path) -> str:
    """A copy of the deployed bundle registered by the demo's analyst as a new version: a candidate."""
    with Workspace.open(load_settings(home)) as ws:
        deployed = ws.active_model()
        folder = home / "candidate"
        shutil.copytree(deployed.path, folder)
        return ws.model_registry().register(
            folder, deployed.name, deployed.kind, {}, {}, [], registered_by="demo-analyst"
        )


def _model_of_a_decision(client: TestClient, home: Path, n: int) -> str:
    request = workspace_requests(home, limit=n)[-1][0]
    decider = client.app.state.services.intake.decider  # type: ignore[attr-defined]
    return str(decider.decide(request).decision.versions.model)


def test_a_candidate_serves_only_once_approved_and_activated(decision_workspace: Path, workspace_copy: Path) -> None:
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())  # the keys are in the copied database
    with Workspace.open(load_settings(workspace_copy)) as ws:
        champion = ws.active_model()
    candidate = _candidate(workspace_copy)
    settings = load_settings(workspace_copy)
    with TestClient(create_app(settings, graph_name="workspace")) as client:  # started after it was registered
        assert _model_of_a_decision(client, workspace_copy, 1).startswith(Path(champion.path).name + ":")
        code, _, err = _models(workspace_copy, "activate", candidate, key=keys["approver"]["secret"])
        assert code != 0
        assert "approved" in err  # not approved yet: cannot be activated
        code, _, err = _models(workspace_copy, "approve", candidate, key=keys["analyst"]["secret"])
        assert code != 0
        assert "needs the role approver" in err
        code, listed, _ = _models(workspace_copy, "list")
        assert {m["model_id"]: m["status"] for m in listed["models"]}[candidate] == "registered"
        code, approved, err = _models(workspace_copy, "approve", candidate, key=keys["approver"]["secret"])
        assert (code, approved["status"], approved["by"]) == (0, "approved", "demo-approver"), err
        time.sleep(TTL)
        assert _model_of_a_decision(client, workspace_copy, 2).startswith(Path(champion.path).name + ":")
        code, active, err = _models(workspace_copy, "activate", candidate, key=keys["approver"]["secret"])
        assert (code, active["status"]) == (0, "active"), err
        time.sleep(TTL)
        assert _model_of_a_decision(client, workspace_copy, 3).startswith("candidate:")  # followed, no restart
        code, back, err = _models(workspace_copy, "activate", champion.model_id, key=keys["approver"]["secret"])
        assert (code, back["status"]) == (0, "active"), err  # a rollback: the retired champion again
        time.sleep(TTL)
        assert _model_of_a_decision(client, workspace_copy, 4).startswith(Path(champion.path).name + ":")


def test_a_restart_never_serves_an_unapproved_model(workspace_copy: Path) -> None:
    with Workspace.open(load_settings(workspace_copy)) as ws:
        champion = ws.active_model()
    _candidate(workspace_copy)  # newer than the champion, but only registered
    with TestClient(create_app(load_settings(workspace_copy), graph_name="workspace")) as client:
        assert _model_of_a_decision(client, workspace_copy, 1).startswith(Path(champion.path).name + ":")
