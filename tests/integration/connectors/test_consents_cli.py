"""``riskloop consents add|list|revoke`` and ``riskloop sources check``: one JSON object each with --json, errors
on stderr with a non-zero exit, and the source state a pull leaves."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

import riskloop.cli.commands  # noqa: F401 - registers every command
from riskloop.cli.main import app as cli
from riskloop.config import Settings
from riskloop.workspace import Workspace

CODE = "91420100000000001Y"
LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).isoformat()


def test_consents_are_added_listed_and_revoked_and_sources_checked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")).close()
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, ["--home", str(home), *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, err = run("consents", "add", "--subject", CODE, "--source", "pboc", "--purpose", "credit_assessment",
                         "--expires", LATER, "--evidence", "AUTH-1", "--json")  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    assert made["status"] == "active"
    assert made["recorded_by"].startswith("cli:")
    assert CODE not in out
    code, out, _ = run("consents", "list", "--subject", CODE.lower(), "--json")
    assert [c["consent_id"] for c in json.loads(out)["consents"]] == [made["consent_id"]]
    code, out, _ = run("consents", "revoke", made["consent_id"], "--json")
    assert json.loads(out)["status"] == "revoked"
    code, _, err = run("consents", "revoke", made["consent_id"], "--json")
    assert code == 1
    assert json.loads(err)["error"] == "ConflictError"
    code, _, err = run("consents", "add", "--subject", CODE, "--source", "pboc", "--purpose", "resale",
                       "--expires", LATER, "--evidence", "A", "--json")  # fmt: skip
    assert code == 2
    assert json.loads(err)["message"].startswith("purpose:")
    code, out, _ = run("sources", "check", "--json")
    assert code == 0
    state = json.loads(out)
    assert state["version"] == "1.0.0"
    assert state["sources"]["pboc"]["breaker"] == "closed"
    assert state["sources"]["pboc"]["configured"] is False


def test_commands_on_a_missing_workspace_say_what_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "none"), "sources", "check", "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stderr)["error"] == "NotFoundError"
