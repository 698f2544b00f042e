"""One small demo workspace shared by every decision test (built once even under pytest-xdist).

``riskloop demo`` leaves it ready to serve: model and strategy active, graph built, features published, API keys
of the demo roles; its JSON summary is kept as ``demo.json``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app

ENTERPRISES = 3000
SEED = 7


def _build(home: Path) -> None:
    args = ["--home", str(home), "demo", "--enterprises", str(ENTERPRISES), "--seed", str(SEED), "--json"]
    demo = CliRunner().invoke(app, args)
    assert demo.exit_code == 0, demo.output
    (home / "demo.json").write_text(demo.stdout)
    (home / "ready.json").write_text(json.dumps({"enterprises": ENTERPRISES, "seed": SEED}))


@pytest.fixture(scope="session")
def decision_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace (generated, ingested, trained, deployed, serving-ready); read-only."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # common to the run's workers only
    home = shared / "decision-workspace"
    with (shared / "decision-workspace.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "ready.json").is_file():
            shutil.rmtree(home, ignore_errors=True)
            _build(home)
    return home


@pytest.fixture
def workspace_copy(decision_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the workspace's database (tests that write use it); models and warehouse shared."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    (home / "models").symlink_to(decision_workspace / "models")
    (home / "warehouse").symlink_to(decision_workspace / "warehouse")
    (home / "universes").symlink_to(decision_workspace / "universes")
    (home / "secrets").symlink_to(decision_workspace / "secrets")  # the graph key
    return home
