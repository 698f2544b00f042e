"""``riskloop backtest`` on the trained workspace: candidate vs champion on ground truth, without writes."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.rules.loaders import reference_strategy
from riskloop.testing.pii import database_texts


def _tables(db: Path) -> dict[str, str]:
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        return database_texts(engine)
    finally:
        engine.dispose()


def _audit(db: Path) -> list[tuple[str, str, str]]:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT actor, action, entity FROM audit_log ORDER BY audit_id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_a_stricter_candidate_approves_a_subset_and_writes_nothing(workspace_copy: Path, tmp_path: Path) -> None:
    shipped = reference_strategy().content
    stricter = shipped.replace('"score_i0": ">= 525"', '"score_i0": ">= 640"')  # reference@2's auto-approve cut
    assert stricter != shipped
    candidate = tmp_path / "stricter.json"
    candidate.write_text(stricter)
    truth = next((workspace_copy / "universes").glob("*/truth"))
    built = CliRunner().invoke(app, ["--home", str(workspace_copy), "graph", "build", "--json"])
    assert built.exit_code == 0, built.output
    db = workspace_copy / "riskloop.db"
    before, audited = _tables(db), _audit(db)
    args = ["--home", str(workspace_copy), "backtest", "--candidate-file", str(candidate), "--truth", str(truth)]
    result = CliRunner().invoke(app, [*args, "--since", "2025-12-01", "--graph", "workspace", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    after = _tables(db)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    # no side effects on live data but the audit of the applicants' identifiers it opened to decide them as posted:
    # resident IDs, phones, addresses, e-mails and accounts, one opening each
    assert _audit(db)[len(audited) :] == [("cli:backtest", "pii.reveal", "vault")] * 5
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
