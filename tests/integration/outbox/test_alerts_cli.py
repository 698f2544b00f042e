"""``riskloop alerts`` and ``riskloop outbox`` end to end: one JSON object each, errors on stderr, a real webhook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import Settings
from riskloop.testing.alerts import raised
from riskloop.testing.webhook_receiver import Receiver
from riskloop.workspace import Workspace

SECRET = "a-webhook-secret-of-32-bytes-000"


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"], env=env)
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, out, result.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    with Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")) as ws:
        ws.alerts().raise_many([raised(1, level="warning"), raised(2)], actor="job:monitor")
    return home


def key(home: Path, name: str, role: str) -> dict[str, str]:
    code, out, _ = run(home, "keys", "create", "--principal", name, "--role", role)
    assert code == 0
    return {"RISKLOOP_API_KEY": out["secret"]}


def test_an_officer_lists_shows_acks_acts_and_closes_from_the_cli(home: Path) -> None:
    paul = key(home, "paul", "post_loan_officer")
    code, listed, _ = run(home, "alerts", "list", "--level", "warning", env=paul)
    assert (code, listed["total"]) == (0, 1)
    alert_id = listed["alerts"][0]["alert_id"]
    code, shown, _ = run(home, "alerts", "show", alert_id, env=paul)
    assert shown["evidence"]["signals"][0]["name"] == "inflow_drop"
    assert run(home, "alerts", "ack", alert_id, "--comment", "called", env=paul)[1]["status"] == "acknowledged"
    code, acted, _ = run(home, "alerts", "act", alert_id, "--action", "request_review", "--reason", "r", env=paul)
    assert (code, acted["action"]["action"], acted["alert"]["status"]) == (0, "request_review", "actioned")
    assert run(home, "alerts", "close", alert_id, "--comment", "done", env=paul)[1]["status"] == "closed"
    code, _, err = run(home, "alerts", "close", alert_id, "--comment", "again", env=paul)
    assert (code, json.loads(err)["error"]) == (1, "ConflictError")
    code, _, err = run(home, "alerts", "ack", "alr_nope", "--comment", "x", env=paul)
    assert (code, json.loads(err)["message"]) == (3, "alert alr_nope does not exist")


def test_the_cli_needs_a_key_with_the_role(home: Path) -> None:
    code, _, err = run(home, "alerts", "list", env={"RISKLOOP_API_KEY": ""})
    assert code == 1
    assert "RISKLOOP_API_KEY" in json.loads(err)["message"]
    rita = key(home, "rita", "reviewer")
    code, _, err = run(home, "alerts", "list", env=rita)
    assert (code, json.loads(err)["error"]) == (1, "ForbiddenError")


def test_outbox_deliver_list_and_redeliver(home: Path) -> None:
    receiver = Receiver(SECRET.encode()).start()
    env = {"RISKLOOP_WEBHOOK_SECRET": SECRET, "RISKLOOP_WEBHOOKS": ""}
    try:
        code, listed, _ = run(home, "outbox", "list", env=env)
        assert (code, listed["counts"]) == (0, {"pending": 2, "sent": 0, "dead": 0})
        hook = f"post_loan.alert={receiver.url}"
        code, report, _ = run(home, "outbox", "deliver", "--once", "--webhook", hook, env=env)
        assert (code, report["delivered"], report["retried"], report["dead"]) == (0, 2, 0, 0)
        assert report["counts"] == {"pending": 0, "sent": 2, "dead": 0}
    finally:
        receiver.stop()
    assert len(receiver.applied) == 2
    assert receiver.bad_signatures == 0
    code, _, err = run(home, "outbox", "redeliver", env=env)
    assert (code, json.loads(err)["error"]) == (2, "ValidationError")
    assert run(home, "outbox", "redeliver", "--all", env=env)[1] == {"redelivered": []}
    code, _, err = run(home, "outbox", "deliver", "--webhook", "post_loan.alert=ftp://x", env=env)
    assert code == 2
    assert "--webhook" in json.loads(err)["message"]
