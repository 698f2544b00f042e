"""The fail-closed matrix: each dependency of a decision broken in turn → 0 approvals, the reason, /readyz, a log line.

Each case breaks one dependency of a private copy of the trained workspace, starts the API as ``riskloop serve``
builds it, decides a batch of recorded applications through the live pipeline, and asserts that none is
approved and every one carries the dependency's ``DATA_UNAVAILABLE_*`` reason, that ``/readyz`` is a 503
naming the dependency, that the log has one line saying why, and that ``riskloop serve`` refuses to start
where the dependency is a start-up prerequisite. The approvals per broken dependency are printed.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api.app import create_app
from riskloop.cli.main import app as cli
from riskloop.config import load_settings
from riskloop.service.runtime import Runtime
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

BATCH = 40
KEY_MISMATCH = "graph: key fingerprint does not match the build (restore secrets/graph.key or rebuild)"


@dataclass(frozen=True)
class Case:
    """One broken dependency: how to break it and what must be said."""

    reason: str  # the DATA_UNAVAILABLE_* code every decision carries
    check: str  # the /readyz check that fails
    says: str  # what its reason (and the log line) says
    refuses_start: bool  # riskloop serve refuses to start on it


def _own_secrets(home: Path) -> Path:
    """Replace the shared secrets folder by a private copy (the case may change the key)."""
    link = home / "secrets"
    shared = link.resolve()
    link.unlink()
    shutil.copytree(shared, link)
    return link / "graph.key"


def _sql(home: Path, statement: str) -> None:
    with sqlite3.connect(home / "riskloop.db") as db:
        db.execute(statement)


def _delete_key(home: Path, runtime: dict[str, object]) -> None:
    _own_secrets(home).unlink()


def _other_key(home: Path, runtime: dict[str, object]) -> None:
    _own_secrets(home).write_bytes(secrets.token_bytes(32))


def _empty_edges(home: Path, runtime: dict[str, object]) -> None:
    _sql(home, "DELETE FROM graph_edges")


def _age_features(home: Path, runtime: dict[str, object]) -> None:
    _sql(home, "UPDATE published_features SET published_at = '2024-01-01 00:00:00.000000'")


def _model_folder(home: Path, change: Callable[[Path], None] = lambda _: None) -> Path:
    """A private copy of the deployed bundle (the shared one stays intact), ``change``d, registered and made active
    with four eyes in the private database: serving follows it, and only an approved model is ever served."""
    with Workspace.open(load_settings(home)) as ws:
        deployed = ws.active_model()
        target = home / "own-model"
        shutil.copytree(deployed.path, target)
        change(target)
        registry, lifecycle = ws.model_registry(), ws.model_lifecycle()
        copy = registry.register(target, deployed.name, deployed.kind, {}, {}, [], registered_by="trainer")
        lifecycle.approve(copy, "approver")
        lifecycle.activate(copy, "approver")
    return target


def _corrupt_model(home: Path, runtime: dict[str, object]) -> None:
    folder = _model_folder(home)
    text = next(folder.glob("gbdt-*.txt"))
    text.write_bytes(text.read_bytes()[: text.stat().st_size // 3])  # truncated: its manifest digest no longer matches


def _malformed_model(home: Path, runtime: dict[str, object]) -> None:
    """A LightGBM text LightGBM's C library would abort the process on, with a manifest that matches it."""
    from riskloop.scoring.bundle import MANIFEST, sha256_bytes

    def malform(folder: Path) -> None:
        text = next(folder.glob("gbdt-*.txt"))
        text.write_text(text.read_text().replace("num_leaves=", "num_leaves=9", 1))
        manifest = json.loads((folder / MANIFEST).read_text())
        manifest["files"][text.name] = sha256_bytes(text.read_bytes())
        (folder / MANIFEST).write_text(json.dumps(manifest))

    _model_folder(home, malform)  # registered as changed: its digest matches, its text does not parse


def _unknown_strategy(home: Path, runtime: dict[str, object]) -> None:
    runtime["strategy"] = "nosuch@1"


def _unreadable_blacklist(home: Path, runtime: dict[str, object]) -> None:
    runtime["blacklist_file"] = str(home / "lists" / "blacklist.txt")  # configured, not there


def _drop_profiles(home: Path, runtime: dict[str, object]) -> None:
    _sql(home, "DELETE FROM enterprises")


CASES: dict[str, tuple[Callable[[Path, dict[str, object]], None], Case]] = {
    "graph key deleted": (_delete_key, Case("DATA_UNAVAILABLE_GRAPH", "graph", "graph key", True)),
    "graph key replaced": (_other_key, Case("DATA_UNAVAILABLE_GRAPH", "graph", KEY_MISMATCH[7:], True)),
    "edges emptied": (_empty_edges, Case("DATA_UNAVAILABLE_GRAPH", "graph", "has no edges", True)),
    "features aged": (_age_features, Case("DATA_UNAVAILABLE_FEATURES", "features", "stale", False)),
    "model file corrupted": (_corrupt_model, Case("DATA_UNAVAILABLE_MODEL", "model", "sha256", True)),
    "model text malformed": (_malformed_model, Case("DATA_UNAVAILABLE_MODEL", "model", "gbdt-", True)),
    "strategy unknown": (_unknown_strategy, Case("DATA_UNAVAILABLE_RULES", "strategy", "nosuch@1", True)),
    "profiles dropped": (_drop_profiles, Case("DATA_UNAVAILABLE_PROFILE", "profiles", "no enterprises", True)),
    "blacklist unreadable": (_unreadable_blacklist, Case("DATA_UNAVAILABLE_PROFILE", "lists", "cannot be read", True)),
}


def test_an_intact_workspace_approves_some(workspace_copy: Path) -> None:
    """The control: the same batch on the intact workspace is approved in part, and /readyz is 200."""
    with TestClient(create_app(load_settings(workspace_copy), graph_name="workspace")) as client:
        assert client.get("/readyz").status_code == 200, client.get("/readyz").text
        decider = client.app.state.services.intake.decider  # type: ignore[attr-defined]
        outcomes = [decider.decide(r) for r, _ in workspace_requests(workspace_copy, limit=BATCH)]
    approved = sum(o.decision.tier.approves for o in outcomes)
    print(f"\nfail-closed matrix: intact workspace: {approved} of {BATCH} approved")
    assert approved > 0


@pytest.mark.parametrize("name", list(CASES))
def test_a_broken_dependency_approves_nothing(
    workspace_copy: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    breaker, case = CASES[name]
    requests = [r for r, _ in workspace_requests(workspace_copy, limit=BATCH)]
    options: dict[str, object] = {}
    breaker(workspace_copy, options)
    monkeypatch.delenv("RISKLOOP_GRAPH_KEY_FILE", raising=False)
    caplog.set_level(logging.WARNING, logger="riskloop.service.fail_closed")
    runtime = Runtime(**options)  # type: ignore[arg-type]
    with TestClient(create_app(load_settings(workspace_copy), runtime=runtime, graph_name="workspace")) as client:
        ready = client.get("/readyz")
        decider = client.app.state.services.intake.decider  # type: ignore[attr-defined]
        outcomes = [decider.decide(r) for r in requests]
    approved = sum(o.decision.tier.approves for o in outcomes)
    print(f"\nfail-closed matrix: {name}: {approved} of {len(outcomes)} approved")
    assert approved == 0
    assert all(case.reason in [r.code for r in o.decision.reasons] for o in outcomes), name
    assert ready.status_code == 503
    failed = {c["name"]: c["reason"] for c in ready.json()["checks"] if not c["ok"]}
    assert case.check in failed, ready.json()
    assert case.says in failed[case.check]
    lines = [r.getMessage() for r in caplog.records if r.name == "riskloop.service.fail_closed"]
    assert [line for line in lines if line.startswith(f"dependency unavailable: {case.check}: ")], lines
    assert len(lines) == len(set(lines))  # one line per condition, not one per decision
    if case.refuses_start:  # checked before any worker starts: nothing is served
        serve = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
        result = CliRunner().invoke(cli, ["--home", str(workspace_copy), "serve", *serve], env=dict(os.environ))
        assert result.exit_code != 0, result.output
        assert case.says in result.output, result.output
