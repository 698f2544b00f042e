"""Every command run before its prerequisite: one line (or one JSON object) on stderr naming what to run first.

Never a traceback, a SQL or Alembic text, or a silent success; and a command that needs a workspace leaves
nothing behind where there is none.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.testing.tables import credit_code, resident_id, row, write_table
from riskloop.workspace import Workspace

CODE, OTHER = credit_code(1), credit_code(2)
UNKNOWN_KEY = "key_0123456789abcdef"
FOREIGN = ("Traceback", "SELECT", "sqlalchemy", "sqlalche.me", "alembic", "OperationalError", "sqlite3", "psycopg.")

# Every command that needs something done first, with the least valid arguments. ``serve`` fails in its
# pre-start check (the port is never bound); ``backtest`` is given a candidate so only the workspace is missing.
NEEDS_A_WORKSPACE = {
    "train": ["train"],
    "graph build": ["graph", "build"],
    "graph expand": ["graph", "expand", CODE],
    "graph path": ["graph", "path", CODE, OTHER],
    "graph gangs": ["graph", "gangs"],
    "features publish": ["features", "publish"],
    "features show": ["features", "show", CODE],
    "keys list": ["keys", "list"],
    "keys revoke": ["keys", "revoke", UNKNOWN_KEY],
    "serve": ["serve", "--port", "1"],
    "replay": ["replay", "--all"],
    "backtest": ["backtest", "--candidate", "reference@1"],
}
INGEST = "riskloop ingest DIR"
FIRST_ON_AN_EMPTY_WORKSPACE = dict.fromkeys(NEEDS_A_WORKSPACE, INGEST) | {
    "keys list": "riskloop keys create",
    "keys revoke": "riskloop keys create",
}


def invoke(home: Path, *args: str, database_url: str | None = None) -> Result:
    options = ["--home", str(home)] + (["--database-url", database_url] if database_url else [])
    return CliRunner().invoke(app, [*options, *args])


def one_message(result: Result, json_mode: bool) -> str:
    """The one error message of a failed command, after checking its shape."""
    assert result.exit_code not in (0, None), result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    err = result.stderr
    assert not [text for text in FOREIGN if text in err], err
    if json_mode:
        assert err.endswith("\n")
        assert err.count("\n") == 1, err
        payload = json.loads(err)
        assert set(payload) == {"error", "message"}
        return str(payload["message"])
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


def first_command(message: str) -> str:
    """The command a message says to run first: what follows its first ``(run: ``."""
    assert "(run: " in message, message
    return message.split("(run: ", 1)[1]


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", list(NEEDS_A_WORKSPACE))
def test_no_workspace_names_the_first_command_and_creates_nothing(
    tmp_path: Path, command: str, json_mode: bool
) -> None:
    home = tmp_path / "nonexistent"
    result = invoke(home, *NEEDS_A_WORKSPACE[command], *(["--json"] if json_mode else []))
    message = one_message(result, json_mode)
    assert first_command(message).startswith(FIRST_ON_AN_EMPTY_WORKSPACE[command])
    assert result.exit_code == 3  # NotFoundError: something to run first
    assert not home.exists()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace that exists (its database migrated) and holds nothing else."""
    home = tmp_path_factory.mktemp("bare") / "home"
    Workspace.open(load_settings(home)).close()
    return home


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", list(NEEDS_A_WORKSPACE))
def test_an_empty_workspace_names_the_first_command(bare: Path, command: str, json_mode: bool) -> None:
    result = invoke(bare, *NEEDS_A_WORKSPACE[command], *(["--json"] if json_mode else []))
    message = one_message(result, json_mode)
    expected = "riskloop serve" if command == "replay" else FIRST_ON_AN_EMPTY_WORKSPACE[command]
    assert first_command(message).startswith(expected), message


def test_ingest_of_a_directory_without_tables_names_generate(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    message = one_message(invoke(tmp_path / "home", "ingest", str(tmp_path / "empty")), json_mode=False)
    assert first_command(message).startswith("riskloop generate")


# --- partly prepared workspaces ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three enterprises and their applications ingested; no loans, no graph, no features, no model."""
    base = tmp_path_factory.mktemp("ingested")
    data = base / "data"
    write_table(data, "enterprises", [row("enterprises", credit_code=credit_code(i)) for i in range(1, 4)])
    apps = [
        row("applications", application_id=f"A{i}", credit_code=credit_code(i), applicant_id=resident_id(i))
        for i in range(1, 4)
    ]
    write_table(data, "applications", apps)
    result = invoke(base / "home", "ingest", str(data), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["loaded"] == 6
    return base / "home"


def _next_stage(source: Path, target: Path, *args: str) -> Path:
    shutil.copytree(source, target)
    result = invoke(target, *args, "--json")
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def built(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ingested`` with its graph built."""
    return _next_stage(ingested, tmp_path_factory.mktemp("built") / "home", "graph", "build")


@pytest.fixture(scope="module")
def published(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``built`` with its features published."""
    return _next_stage(
        built, tmp_path_factory.mktemp("published") / "home", "features", "publish", "--as-of", "2025-01-01"
    )


@pytest.fixture(scope="module")
def stand_in_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that passes for a bundle in the pre-start check (a manifest), for checks past the model's."""
    folder = tmp_path_factory.mktemp("model") / "ensemble"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}")
    return folder


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["train"], "riskloop ingest DIR with those tables"),  # loans and repayments are missing
        (["graph", "expand", CODE], "riskloop graph build"),
        (["graph", "gangs"], "riskloop graph build"),
        (["features", "show", CODE], "riskloop features publish"),
        (["serve"], "riskloop train"),
        (["backtest", "--candidate", "reference@1"], "riskloop ingest DIR with those tables"),  # outcomes
        (["backtest", "--candidate", "reference@1", "--truth", "."], "riskloop train"),
        (["replay", "--all"], "riskloop serve"),
        (["keys", "list"], "riskloop keys create"),
    ],
)
def test_ingested_but_nothing_else(ingested: Path, args: list[str], first: str) -> None:
    message = one_message(invoke(ingested, *args), json_mode=False)
    assert first_command(message).startswith(first), message


def test_serve_lists_every_missing_step_in_order(ingested: Path, built: Path, published: Path) -> None:
    steps = ["riskloop train", "riskloop graph build", "riskloop features publish"]
    assert _runs(one_message(invoke(ingested, "serve"), json_mode=False)) == steps
    assert _runs(one_message(invoke(ingested, "serve", "--graph", "none"), json_mode=False)) == [steps[0], steps[2]]
    assert _runs(one_message(invoke(built, "serve"), json_mode=False)) == [steps[0], steps[2]]
    assert _runs(one_message(invoke(published, "serve"), json_mode=False)) == [steps[0]]


def _runs(message: str) -> list[str]:
    assert message.startswith("not ready to serve: ")
    return [part.split(")", 1)[0] for part in message.split("(run: ")[1:]]


def test_a_built_graph_is_enough_for_graph_queries(built: Path) -> None:
    assert invoke(built, "graph", "expand", CODE, "--json").exit_code == 0
    assert invoke(built, "graph", "gangs", "--json").exit_code == 0


def test_backtest_on_the_stored_graph_needs_one(ingested: Path, stand_in_model: Path) -> None:
    args = ["backtest", "--candidate", "reference@1", "--truth", ".", "--model", str(stand_in_model)]
    assert first_command(one_message(invoke(ingested, *args), json_mode=False)).startswith("riskloop graph build")


def test_published_features_are_shown_and_a_missing_one_named(published: Path) -> None:
    assert json.loads(invoke(published, "features", "show", CODE, "--json").stdout)["credit_code"] == CODE
    unknown = one_message(invoke(published, "features", "show", credit_code(9)), json_mode=False)
    assert credit_code(9) in unknown


def test_serve_checks_the_strategy_before_starting(published: Path, stand_in_model: Path) -> None:
    model = ["--model", str(stand_in_model)]
    active = one_message(invoke(published, "serve", *model, "--strategy", "reference"), json_mode=False)
    assert "strategy reference: no active version" in active
    assert "/v1/strategies/reference/activations" in active
    unknown = one_message(invoke(published, "serve", *model, "--challenger", "nope@1"), json_mode=False)
    unregistered = f"model {stand_in_model}: not registered, so never approved (run: riskloop train)"
    assert unknown == f"not ready to serve: {unregistered}; strategy nope@1: not found"  # only approved models serve


def test_serve_as_a_process_exits_before_starting_a_worker(ingested: Path) -> None:
    riskloop = Path(sys.executable).parent / "riskloop"
    done = subprocess.run(
        [str(riskloop), "--home", str(ingested), "serve", "--port", "1", "--json"],
        capture_output=True, text=True, timeout=120, check=False, env=os.environ.copy(),
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stdout == ""
    assert json.loads(done.stderr)["message"].startswith("not ready to serve: no model")


# --- the environment: a --home that is a file, an unreachable database, unknown names ---------------------------

EVERY_COMMAND = {
    **NEEDS_A_WORKSPACE,
    "generate": ["generate", "--enterprises", "10"],
    "ingest": ["ingest", "DATA"],
    "train --csv": ["train", "--csv", "t.csv", "--target", "y"],
    "keys create": ["keys", "create", "--principal", "p", "--role", "channel"],
    "demo": ["demo", "--enterprises", "10"],
}


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", list(EVERY_COMMAND))
def test_a_home_that_is_a_file(tmp_path: Path, command: str, json_mode: bool) -> None:
    home = tmp_path / "file"
    home.write_text("not a directory")
    result = invoke(home, *EVERY_COMMAND[command], *(["--json"] if json_mode else []))
    assert one_message(result, json_mode) == f"home: {home} exists and is not a directory"
    assert result.exit_code == 2
    below = one_message(invoke(home / "below", *EVERY_COMMAND[command]), json_mode=False)
    assert below.endswith(f"{home} is a file, not a directory")


@pytest.mark.parametrize("command", [c for c in EVERY_COMMAND if c != "generate"])  # generate opens no database
def test_an_unreachable_database(tmp_path: Path, command: str) -> None:
    (tmp_path / "t.csv").write_text("x,y\n1,0\n")
    write_table(tmp_path / "data", "enterprises", [row("enterprises")])
    closed = "postgresql+psycopg://riskloop:secret@127.0.0.1:1/riskloop"
    inputs = {"t.csv": str(tmp_path / "t.csv"), "DATA": str(tmp_path / "data")}
    args = [inputs.get(a, a) for a in EVERY_COMMAND[command]]
    message = one_message(invoke(tmp_path / "home", *args, database_url=closed), json_mode=False)
    assert message.startswith("database postgresql+psycopg://riskloop:***@127.0.0.1:1/riskloop: cannot connect: ")
    assert "secret" not in message


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (
            ["features", "publish", "--engine", "sparkle"],
            "feature engine: unknown name 'sparkle'; valid: duckdb, spark",
        ),
        (["serve", "--graph", "memory"], "graph checks: unknown name 'memory'; valid: workspace, none"),
        (["backtest", "--candidate", "reference@1", "--graph", "memory"], "graph checks: unknown name 'memory'"),
    ],
)
def test_unknown_names_list_the_valid_ones(ingested: Path, args: list[str], names: str) -> None:
    assert one_message(invoke(ingested, *args), json_mode=False).startswith(names)


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_no_workspace_and_stays_empty(tmp_path: Path, postgres_url: str) -> None:
    result = invoke(tmp_path / "home", "graph", "gangs", "--json", database_url=postgres_url)
    message = one_message(result, json_mode=True)
    assert message.startswith("no workspace at postgresql+psycopg://")
    assert first_command(message).startswith(INGEST)
    assert not Workspace.exists(load_settings(tmp_path / "home", postgres_url))  # nothing migrated
    assert not (tmp_path / "home").exists()
