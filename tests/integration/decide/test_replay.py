"""Decisions of the trained workspace, stored through the intake, replay identically with ``riskloop replay``."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.service.applications import recorded_requests
from riskloop.service.intake import Intake, request_digest
from riskloop.service.runtime import live_decider
from riskloop.storage.decision_models import decisions
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.testing.fake_decision_ports import MemoryGraphChecks


def test_stored_workspace_decisions_replay_identically(workspace_copy: Path) -> None:
    settings = load_settings(workspace_copy)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    decider = live_decider(settings, engine, graph=MemoryGraphChecks())
    intake = Intake(decider, SQLDecisionStore(engine))
    for r, _ in recorded_requests(settings.warehouse, limit=120):
        intake.submit(
            key=r.application_id,
            request=r,
            digest=request_digest(r.to_dict()),
            render=lambda i, d: json.dumps({"id": i, **d.to_dict()}).encode(),
            actor="test",
        )
    with engine.connect() as conn:
        tiers = set(conn.execute(sa.select(decisions.c.tier)).scalars())
    engine.dispose()
    assert len(tiers) >= 4
    result = CliRunner().invoke(app, ["--home", str(workspace_copy), "replay", "--all", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["replayed"] == out["identical"] == 120


def test_replay_needs_a_target(workspace_copy: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(workspace_copy), "replay", "--json"])
    assert result.exit_code == 2
    assert "decision_ids" in result.stderr
