"""``riskloop lists`` end to end on a SQLite workspace: loads naming bad rows, removal, reveal, gangs, decisions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import Settings
from riskloop.domain.clock import FixedClock, SystemClock
from riskloop.domain.decision import Tier
from riskloop.testing.decider import CODE, IDENTITY, make_decider, request
from riskloop.workspace import Workspace

PHONE = IDENTITY["phone"]


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"], env=env)
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, out, result.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")).close()
    return home


def key(home: Path, name: str, role: str) -> dict[str, str]:
    code, out, _ = run(home, "keys", "create", "--principal", name, "--role", role)
    assert code == 0
    return {"RISKLOOP_API_KEY": out["secret"]}


def decide(home: Path) -> tuple[Tier, list[str]]:
    with Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")) as ws:
        after = FixedClock(SystemClock().now() + dt.timedelta(minutes=1))  # the CLI lists from the system time
        decision = make_decider(lists=ws.list_screen(), clock=after).decide(request()).decision
    return decision.tier, [r.code for r in decision.reasons]


def test_a_load_with_a_bad_row_is_refused_then_quarantined_and_decisions_see_it(home: Path, tmp_path: Path):
    kim = key(home, "kim", "list_keeper")
    csv = tmp_path / "grey.csv"
    csv.write_text(f"identifier_kind,value,reason\nphone,{PHONE},watch\ndevice_id,,gone\n", encoding="utf-8")
    code, refused, _ = run(home, "lists", "load", str(csv), "--kind", "grey", env=kim)
    assert code == 1
    assert refused["status"] == "refused"
    assert refused["problems"] == [{"file": "grey.csv", "row": 3, "field": "value", "reason": "missing"}]
    assert decide(home)[0] is Tier.AUTO_APPROVE
    code, loaded, _ = run(home, "lists", "load", str(csv), "--kind", "grey", "--quarantine", env=kim)
    assert (code, loaded["stored"], loaded["quarantined"]) == (0, 1, 1)
    assert decide(home) == (Tier.MANUAL_REVIEW, ["LIST_GREY"])


def test_the_legacy_blacklist_file_loads_as_a_version_and_removal_end_dates(home: Path, tmp_path: Path):
    kim = key(home, "kim", "list_keeper")
    legacy = tmp_path / "blacklist.txt"
    legacy.write_text(f"# the old file\n{CODE}\n", encoding="utf-8")
    assert run(home, "lists", "load", str(legacy), "--kind", "black", env=kim)[0] == 0
    tier, codes = decide(home)
    assert tier is Tier.AUTO_REJECT
    assert "BLACKLIST" in codes
    [entry] = run(home, "lists", "show", "--kind", "black", env=kim)[1]["entries"]
    code, ended, _ = run(home, "lists", "remove", entry["entry_id"], "--reason", "cleared", env=kim)
    assert (code, ended["ended_by"]) == (0, "kim")
    assert run(home, "lists", "show", env=kim)[1]["entries"] == []
    assert len(run(home, "lists", "show", "--ended", env=kim)[1]["entries"]) == 1
    assert [v["action"] for v in run(home, "lists", "versions", env=kim)[1]["versions"]] == ["list.load", "list.end"]


def test_a_reviewer_confirms_a_gang_and_only_allowed_roles_reveal(home: Path):
    rita, cat = key(home, "rita", "reviewer"), key(home, "cat", "analyst")
    args = ("lists", "confirm-gang", "G-7", "--credit-code", CODE, "--identifier", f"phone={PHONE}",
            "--evidence", "case://7")  # fmt: skip
    code, _, err = run(home, *args, env=cat)
    assert code != 0
    assert "reviewer" in err
    code, confirmed, _ = run(home, *args, env=rita)
    assert code == 0
    assert len(confirmed["entries"]) == 2
    assert decide(home)[0] is Tier.AUTO_REJECT
    code, _, err = run(home, "lists", "show", "--reveal", env=cat)
    assert code != 0
    assert "values whole" in err
    shown = run(home, "lists", "show", env=cat)[1]["entries"]
    assert PHONE not in json.dumps(shown)
