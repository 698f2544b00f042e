"""``riskloop backtest`` on the trained workspace: candidate vs champion on ground truth, without writes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.rules.loaders import reference_strategy


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_stricter_candidate_approves_a_subset_and_writes_nothing(workspace_copy: Path, tmp_path: Path) -> None:
    stricter = reference_strategy().content.replace('"score_i0": ">= 600"', '"score_i0": ">= 640"')
    assert stricter != reference_strategy().content
    candidate = tmp_path / "stricter.json"
    candidate.write_text(stricter)
    truth = next((workspace_copy / "universes").glob("*/truth"))
    built = CliRunner().invoke(app, ["--home", str(workspace_copy), "graph", "build", "--json"])
    assert built.exit_code == 0, built.output
    db = workspace_copy / "riskloop.db"
    before = _digest(db)
    args = ["--home", str(workspace_copy), "backtest", "--candidate-file", str(candidate), "--truth", str(truth)]
    result = CliRunner().invoke(app, [*args, "--since", "2025-12-01", "--graph", "workspace", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert _digest(db) == before  # no side effects on live data
    champion, cand = out["champion"], out["candidate"]
    assert champion["strategy"] == "reference@1"
    assert out["applications"] == out["with_outcome"] > 100
    for side in (champion, cand):
        assert sum(t["count"] for t in side["by_tier"].values()) == out["applications"]
        assert 0 <= side["straight_through_rate"] <= 1
    assert cand["by_tier"]["auto_approve"]["count"] < champion["by_tier"]["auto_approve"]["count"]
    assert cand["approval_rate"] <= champion["approval_rate"]
    assert out["swap"]["swap_in"]["count"] == 0
    moves = {(m["champion"], m["candidate"]) for m in out["swap"]["tier_moves"]}
    assert ("auto_approve", "suggest_approve") in moves
    # ground truth: the worst tier holds more bads than auto-approval
    assert champion["by_tier"]["auto_reject"]["bad_rate"] > (champion["bad_rate_auto_approved"] or 0.0)


def test_backtest_needs_exactly_one_candidate(workspace_copy: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(workspace_copy), "backtest", "--json"])
    assert result.exit_code == 2
    assert "candidate" in result.stderr
