"""A model trained with the graph source (``riskloop train --graph``) is served on the workspace's graph checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.modeling.ensemble import Ensemble
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.service.intake import request_digest
from riskloop.service.runtime import Runtime
from riskloop.testing.clock import SteppingClock
from riskloop.testing.fake_decision_ports import KilledSource
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

N = 40
MODEL = "graphed"


@pytest.fixture(scope="module")
def graph_trained(decision_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the decision workspace with a model trained with ``--graph``: (home, bundle)."""
    home = tmp_path_factory.mktemp("graph-model") / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    for shared in ("warehouse", "universes", "secrets"):
        (home / shared).symlink_to(decision_workspace / shared)
    (home / "models").mkdir()  # written to: the shared workspace's models stay as they are
    result = CliRunner().invoke(
        app, ["--home", str(home), "train", "--graph", "--folds", "2", "--name", MODEL, "--json"]
    )
    assert result.exit_code == 0, result.stderr
    return home, Path(json.loads(result.stdout)["bundle"])


def live_requests(home: Path) -> list:
    """Recorded applications as new arrivals (ids the graph has not seen)."""
    rows = workspace_requests(home)[-N:]
    return [dataclasses.replace(r, application_id=f"LIVE-{i:04d}") for i, (r, _) in enumerate(rows)]


def test_a_graph_trained_model_is_scored_and_its_decisions_replay(graph_trained: tuple[Path, Path]) -> None:
    home, bundle = graph_trained
    graph_features = next(s for s in Ensemble.load(bundle).sources if s.name == "graph").features
    clock = SteppingClock(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC))
    ws = Workspace.open(load_settings(home), clock=clock)
    checks = ws.graph_checks("workspace", shared=True)
    assert isinstance(checks, WorkspaceGraphChecks)
    try:
        decider = ws.decider(Runtime(model=str(bundle)), graph=checks)
        store = ws.decision_store()
        intake = ws.intake(decider)
        for r in live_requests(home):
            clock.advance(minutes=3)
            intake.submit(
                key=r.application_id,
                request=r,
                digest=request_digest(r.to_dict()),
                render=lambda i, d: json.dumps({"id": i, **d.to_dict()}).encode(),
                actor="test",
            )
        stored = [s for s in store.all() if s.owner == "test"]  # not the demo's recorded decisions
    finally:
        checks.close()
        ws.close()
    decisions = [s.decision for s in stored]
    for s in stored:
        assert set(graph_features) <= set(s.inputs["graph"]["features"])  # the stored inputs carry them
    assert len(decisions) == N
    for d in decisions:
        assert d.pd is not None, d.trace[-1]
        assert "DATA_UNAVAILABLE_MODEL" not in [r.code for r in d.reasons]
        assert d.versions.model.startswith(f"{MODEL}-v1:")
    assert len({d.tier for d in decisions}) >= 2
    # replayed with the model they were decided with (the workspace's active model is the demo's)
    ids = [s.decision_id for s in stored]
    result = CliRunner().invoke(app, ["--home", str(home), "replay", *ids, "--model", str(bundle), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["replayed"] == out["identical"] == N


def test_a_killed_graph_source_with_a_graph_trained_model_never_approves(graph_trained: tuple[Path, Path]) -> None:
    home, bundle = graph_trained
    with Workspace.open(load_settings(home)) as ws:
        decider = ws.decider(Runtime(model=str(bundle)), graph=KilledSource("graph"))
        decisions = [decider.decide(r).decision for r in live_requests(home)]
    assert all(d.pd is not None for d in decisions)  # scored with the graph source missing
    assert not any(d.tier.approves for d in decisions)
    assert all("DATA_UNAVAILABLE_GRAPH" in [r.code for r in d.reasons] for d in decisions if d.tier.needs_human)
