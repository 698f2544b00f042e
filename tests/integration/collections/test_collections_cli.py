"""``riskloop collections`` end to end on a SQLite workspace: one JSON object each, errors on stderr."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import Settings
from riskloop.domain.collection import THREAT
from riskloop.testing.collections import FixedChooser, PhraseChecker
from riskloop.workspace import Workspace

AT = dt.datetime(2026, 7, 1, 11, 0, tzinfo=dt.UTC)


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"], env=env)
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, out, result.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A workspace with three planned cases and one checked call that opened a QA case."""
    home = tmp_path / "home"
    with Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")) as ws:
        desk = ws.collections()
        chooser = FixedChooser({"wechat@evening": 0.7, "agent_call@morning": 0.3})
        desk.plan([("c1", 1), ("c2", 1), ("c3", 2)], ["c1", "c2", "c3"], chooser, seed=5)
        desk.check(None, PhraseChecker({"不还钱": THREAT}), "call-1", AT, [(1, "agent", "不还钱就起诉你全家")])
    return home


def key(home: Path, name: str, role: str) -> dict[str, str]:
    code, out, _ = run(home, "keys", "create", "--principal", name, "--role", role)
    assert code == 0
    return {"RISKLOOP_API_KEY": out["secret"]}


def test_a_collector_lists_and_records_and_a_lead_closes_a_qa_case(home: Path) -> None:
    carl, lena = key(home, "carl", "collector"), key(home, "lena", "collection_lead")
    code, listed, _ = run(home, "collections", "cases", "--limit", "2", env=carl)
    assert (code, [c["case_id"] for c in listed["cases"]], listed["next_after"]) == (0, ["c1", "c2"], "c2")
    assert listed["cases"][0]["next_best_action"]["arm"] == "wechat@evening"
    outcome = ("--paid", "120000", "--promise", "--cured", "--days-to-cure", "3", "--agent", "A-9", "--as", "carl")
    code, done, _ = run(home, "collections", "record", "c1", "--arm", "agent_call@morning", *outcome, env=carl)
    assert code == 0
    assert (done["propensity"], done["followed_plan"], done["amount_paid_cents"]) == (0.3, False, 120_000)
    assert (done["cured"], done["days_to_cure"], done["recorded_by"]) == (True, 3, "carl")
    code, acted, _ = run(home, "collections", "cases", "--status", "acted", env=lena)
    assert [c["case_id"] for c in acted["cases"]] == ["c1"]
    assert run(home, "collections", "case", "c1", env=carl)[1]["actions"][0]["action_id"] == done["action_id"]
    code, qa, _ = run(home, "collections", "qa-cases", env=lena)
    assert (code, [c["call_id"] for c in qa["qa_cases"]]) == (0, ["call-1"])
    assert run(home, "collections", "findings", "call-1", env=carl)[1]["findings"][0]["issue_type"] == THREAT
    qa_id = qa["qa_cases"][0]["qa_case_id"]
    code, closed, _ = run(home, "collections", "qa-close", qa_id, "--resolution", "dismissed", env=lena)
    assert (code, closed["status"], closed["closed_by"]) == (0, "closed", "lena")
    assert run(home, "collections", "qa-cases", "--status", "all", env=lena)[1]["qa_cases"][0]["resolution"] == (
        "dismissed"
    )


def test_errors_go_to_stderr_with_a_non_zero_exit(home: Path) -> None:
    carl = key(home, "carl", "collector")
    code, out, err = run(home, "collections", "record", "c2", "--days-to-cure", "3", env=carl)
    assert (code, out, json.loads(err)["message"]) == (2, None, "days_to_cure: only a cured case has days to cure "
                                                             "(set cured, or leave it out)")  # fmt: skip
    code, _, err = run(home, "collections", "record", "c9", env=carl)
    assert (code, json.loads(err)["error"]) == (3, "NotFoundError")
    code, _, err = run(home, "collections", "record", "c2", "--as", "lena", env=carl)  # acting as someone else
    assert (code, json.loads(err)["error"]) == (1, "ForbiddenError")
    code, _, err = run(home, "collections", "qa-cases", env=carl)  # a collector never sees the lead's queue
    assert (code, json.loads(err)["error"]) == (1, "ForbiddenError")
    code, _, err = run(home, "collections", "cases", "--status", "done", env=carl)
    assert (code, json.loads(err)["message"]) == (2, "--status: one of open, acted, superseded, all")
    code, _, err = run(home, "collections", "cases", env={"RISKLOOP_API_KEY": ""})
    assert (code, json.loads(err)["error"]) == (1, "UnauthenticatedError")
    assert run(home, "collections", "cases", env=carl)[1]["cases"][0]["case_id"] == "c1"  # nothing was recorded
