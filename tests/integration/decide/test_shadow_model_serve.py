"""A real registered bundle in shadow on the demo's workspace: every application decided twice, the copy's decisions
stored under its own version and agreeing tier for tier; a bundle changed after registration is left out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api.app import create_app
from riskloop.api.schemas import ApplicationIn
from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.service.runtime import Runtime
from riskloop.storage.decision_models import decisions
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

N = 12


def _candidate(home: Path) -> tuple[str, str]:
    """A copy of the active bundle registered as a candidate: the same model under another folder and id."""
    with Workspace.open(load_settings(home)) as ws:
        deployed = ws.active_model()
        folder = home / "candidate"
        shutil.copytree(deployed.path, folder)
        model_id = ws.model_registry().register(
            folder, deployed.name, deployed.kind, {}, {}, [], registered_by="demo-analyst"
        )
        return model_id, ws.model_registry().get(model_id).served_version


def _post(client: TestClient, home: Path, secret: str) -> list[dict[str, Any]]:
    out = []
    for request, _ in workspace_requests(home, limit=N):
        body = ApplicationIn.from_request(request).model_dump(mode="json", exclude_none=True)
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": request.application_id}
        r = client.post("/v1/applications", json=body, headers=headers)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def _stored(home: Path) -> list[dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{home / 'riskloop.db'}")
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(decisions))]
    finally:
        engine.dispose()


def _shadow_line(client: TestClient) -> dict[str, Any]:
    ready = client.get("/readyz")
    return next(c for c in ready.json()["checks"] if c["name"] == "shadow model")


def test_a_copy_of_the_champion_in_shadow_agrees_on_every_application(
    decision_workspace: Path, workspace_copy: Path
) -> None:
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    model_id, version = _candidate(workspace_copy)
    runtime = Runtime(shadow_model=model_id)
    with TestClient(create_app(load_settings(workspace_copy), graph_name="workspace", runtime=runtime)) as client:
        answered = _post(client, workspace_copy, keys["channel"]["secret"])
        line = _shadow_line(client)
    assert all(not a["versions"]["model"].startswith("candidate:") for a in answered)  # the champion answers
    reason = f"{model_id} loaded ({version}): {N} decided, 0 failed"
    assert line == {"name": "shadow model", "ok": True, "reason": reason}
    rows = _stored(workspace_copy)
    posted = {a["application_id"] for a in answered}  # the workspace holds the demo's recorded decisions too
    champions = {r["application_id"]: r for r in rows if r["role"] == "champion" and r["application_id"] in posted}
    shadows = {r["application_id"]: r for r in rows if r["role"] == "shadow"}
    assert set(shadows) == set(champions)
    assert len(shadows) == N
    for app_id, shadow in shadows.items():
        assert json.loads(shadow["decision"])["versions"]["model"] == version
        assert (shadow["tier"], shadow["pd"]) == (champions[app_id]["tier"], champions[app_id]["pd"])  # same model
    result = CliRunner().invoke(app, ["--home", str(workspace_copy), "models", "shadow", model_id, "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["pairs"], out["agreement"]["rate"], out["swap_in"]["count"], out["swap_out"]["count"]) == (N, 1.0, 0, 0)
    assert out["pd"]["champion_mean"] == out["pd"]["shadow_mean"]


def test_a_bundle_changed_after_registration_is_left_out_and_said_so(
    decision_workspace: Path, workspace_copy: Path
) -> None:
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    model_id, _ = _candidate(workspace_copy)
    manifest = workspace_copy / "candidate" / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")
    runtime = Runtime(shadow_model=model_id)
    with TestClient(create_app(load_settings(workspace_copy), graph_name="workspace", runtime=runtime)) as client:
        _post(client, workspace_copy, keys["channel"]["secret"])
        line = _shadow_line(client)
        ready = client.get("/readyz").status_code
    assert line["ok"]  # informational: the champion decides as before
    assert ready == 200
    assert line["reason"].startswith(f"{model_id} not loaded, no shadow decisions: ")
    assert "does not match the registered" in line["reason"]
    assert {r["role"] for r in _stored(workspace_copy)} == {"champion"}
