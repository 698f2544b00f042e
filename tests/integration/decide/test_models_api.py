"""/v1/models and /v1/models/monitoring on the demo's workspace: roles, figures of stored decisions, no side effect."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.api.schemas import ApplicationIn
from riskloop.config import load_settings
from riskloop.testing.recorded import workspace_requests


def _bearer(keys: dict[str, dict[str, str]], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[role]['secret']}"}


def _alerts(home: Path) -> int:
    with sqlite3.connect(home / "riskloop.db") as db:
        return int(db.execute("SELECT count(*) FROM alerts").fetchone()[0])


def test_models_and_their_monitoring_are_read_by_analysts_and_change_nothing(
    decision_workspace: Path, workspace_copy: Path
) -> None:
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    bodies = [ApplicationIn.from_request(r).model_dump(mode="json", exclude_none=True)
              for r, _ in workspace_requests(workspace_copy, limit=30)]  # fmt: skip
    with TestClient(create_app(load_settings(workspace_copy), graph_name="workspace")) as client:
        for body in bodies:  # decisions stored through the API, as a channel posts them
            headers = {**_bearer(keys, "channel"), "Idempotency-Key": str(body["application_id"])}
            posted = client.post("/v1/applications", json=body, headers=headers)
            assert posted.status_code == 201, posted.text
        models = client.get("/v1/models", headers=_bearer(keys, "analyst"))
        assert models.status_code == 200, models.text
        active = [m for m in models.json()["models"] if m["status"] == "active" and m["name"] == "demo"]
        assert len(active) == 1
        assert active[0]["registered_by"] != active[0]["approved_by"]  # four eyes
        assert client.get("/v1/models", headers=_bearer(keys, "channel")).status_code == 403

        before = _alerts(workspace_copy)
        today = dt.datetime.now(dt.UTC).date().isoformat()
        url = f"/v1/models/monitoring?as_of={today}&window_days=2"
        report = client.get(url, headers=_bearer(keys, "auditor"))
        assert report.status_code == 200, report.text
        out = report.json()
        assert out["model"] == active[0]["model_id"]
        assert out["as_of"] == today
        assert out["stability"]["decisions"] == len(bodies)  # the decisions just stored, scored by that model
        assert _alerts(workspace_copy) == before  # a GET grades nothing and raises nothing
        bad = client.get(f"/v1/models/monitoring?as_of={today}&horizon=5", headers=_bearer(keys, "analyst"))
        assert bad.status_code == 422
        assert "horizon" in bad.text
        assert client.get(url, headers=_bearer(keys, "reviewer")).status_code == 403
        assert client.get("/v1/models/monitoring?as_of=2026-13-01", headers=_bearer(keys, "analyst")).status_code == 422
