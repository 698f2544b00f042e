"""Decisions of the trained workspace, stored through the intake or recorded by the demo, replay identically with
``riskloop replay``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.service.intake import request_digest
from riskloop.testing.fake_decision_ports import MemoryGraphChecks
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace


def test_stored_workspace_decisions_replay_identically(workspace_copy: Path) -> None:
    with Workspace.open(load_settings(workspace_copy)) as ws:
        recorded = len(ws.decision_store().all())  # the demo's held-out decisions, as the demo channel's
        intake = ws.intake(ws.decider(graph=MemoryGraphChecks()))
        for r, _ in workspace_requests(workspace_copy, limit=120):
            intake.submit(
                key=r.application_id,
                request=r,
                digest=request_digest(r.to_dict()),
                render=lambda i, d: json.dumps({"id": i, **d.to_dict()}).encode(),
                actor="test",
            )
        tiers = {s.decision.tier.value for s in ws.decision_store().all()}
    assert len(tiers) >= 4
    assert recorded > 0
    result = CliRunner().invoke(app, ["--home", str(workspace_copy), "replay", "--all", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["replayed"] == out["identical"] == recorded + 120


def test_replay_needs_a_target(workspace_copy: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(workspace_copy), "replay", "--json"])
    assert result.exit_code == 2
    assert "decision_ids" in result.stderr
