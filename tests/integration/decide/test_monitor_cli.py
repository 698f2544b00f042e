"""``riskloop monitor`` on the demo's workspace: one JSON object, idempotent re-runs, past days, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from riskloop.cli.main import app


def _home(decision_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the database and warehouse (monitoring writes both); models and truth shared."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    shutil.copytree(decision_workspace / "warehouse", home / "warehouse")
    shutil.copytree(decision_workspace / "secrets", home / "secrets")
    for shared in ("models", "universes"):
        (home / shared).symlink_to(decision_workspace / shared)
    return home


def _monitor(home: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(app, ["--home", str(home), "monitor", *args, "--json"])
    body = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, body, result.stderr


def test_monitoring_the_book_again_raises_nothing_new_and_past_days_are_accepted(
    decision_workspace: Path, tmp_path: Path
) -> None:
    demo = json.loads((decision_workspace / "demo.json").read_text())
    home, last = _home(decision_workspace, tmp_path), demo["monitoring"]["runs"][-1]

    code, again, _ = _monitor(home, "--as-of", last)
    assert code == 0
    [run] = again["runs"]
    assert run["as_of"] == last
    assert run["policy"] == demo["monitoring"]["policy"]
    assert run["alerts"]["raised"] == run["alerts"]["upgraded"] == 0  # the demo raised them already
    assert run["alerts"]["unchanged"] == run["direct_alerts"] + run["propagated_alerts"] > 0
    assert "propagated from" in run["propagation"]

    code, past, _ = _monitor(home, "--as-of", demo["monitoring"]["runs"][0][:8] + "15")  # mid-month, already folded
    assert code == 0
    assert past["runs"][0]["loans"] > 0


def test_bad_days_are_refused_naming_the_option(decision_workspace: Path, tmp_path: Path) -> None:
    home = _home(decision_workspace, tmp_path)
    code, _, err = _monitor(home, "--as-of", "2026-13-01")
    assert code != 0
    assert "--as-of" in json.loads(err)["message"]
    code, _, err = _monitor(home)
    assert code != 0
    assert "--as-of" in json.loads(err)["message"]
    code, _, err = _monitor(home, "--from", "2026-06-30", "--to", "2026-01-31")
    assert code != 0
    assert "--to" in json.loads(err)["message"]
