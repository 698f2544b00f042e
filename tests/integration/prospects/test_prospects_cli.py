"""``riskloop prospects`` on a SQLite workspace: the list of a day (Rich or JSON), exports, campaigns, roles, errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import Settings
from riskloop.testing.prospects import run_entry, sample_prospects, sample_run
from riskloop.workspace import Workspace

RANKED = sample_prospects(6)
DAY = "2026-06-30"


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    code, out, err = cli(home, *args, "--json", env=env)
    return code, json.loads(out) if out.strip() else None, err


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("prospects") / "home"
    with Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")) as ws:
        run = sample_run("R1", len(RANKED))
        ws.prospect_store().save_run(run, RANKED, run_entry(run))
    return home


@pytest.fixture(scope="module")
def keys(home: Path) -> dict[str, dict[str, str]]:
    out = {}
    for name, role in (("andy", "analyst"), ("otto", "auditor"), ("chan", "channel")):
        code, made, _ = run(home, "keys", "create", "--principal", name, "--role", role)
        assert code == 0
        out[name] = {"RISKLOOP_API_KEY": made["secret"]}
    return out


def test_the_list_of_a_day_as_json_and_as_a_chinese_table(home: Path, keys) -> None:
    code, page, _ = run(home, "prospects", "--as-of", DAY, "--top", "2", "--offset", "1", env=keys["otto"])
    assert code == 0
    assert [(p["rank"], p["name"]) for p in page["prospects"]] == [(2, RANKED[1].name), (3, RANKED[2].name)]
    assert (page["total"], page["screened_now"], page["run"]["run_id"]) == (6, False, "R1")
    wide = {**os.environ, **keys["andy"], "COLUMNS": "240"}  # a terminal the table fits, read when the CLI starts
    code, text = _process(home, wide, "prospects", "--as-of", DAY, "--industry", "C")
    assert code == 0
    assert "排名" in text
    assert "企业名称" in text
    assert "C 制造业" in text
    code, text = _process(home, wide, "prospects", "--as-of", DAY, "--lang", "en", "--top", "1")
    assert code == 0
    assert "Rank" in text
    assert "Manufacturing" in text


def _process(home: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """The CLI in a process of its own: its console takes the width the environment gives it."""
    done = subprocess.run([str(Path(sys.executable).parent / "riskloop"), "--home", str(home), *args],
                          env=env, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return done.returncode, done.stdout


def test_errors_go_to_stderr_with_a_non_zero_exit(home: Path, keys) -> None:
    # a day without a run is screened first; this workspace has no model to screen with, and says what to run
    code, out, err = run(home, "prospects", "--as-of", "2026-07-01", env=keys["andy"])
    assert (code, out) == (3, None)
    assert "(run: riskloop train)" in err
    code, _, err = run(home, "prospects", "--as-of", "2026-02-30", env=keys["andy"])
    assert code == 2
    assert "--as-of" in err
    code, out, err = run(home, "prospects", "--as-of", DAY, env=keys["chan"])
    assert code != 0
    assert out is None
    assert "analyst" in err
    assert RANKED[0].name not in err
    code, _, err = run(home, "prospects", "--as-of", DAY, env={"RISKLOOP_API_KEY": ""})
    assert code != 0
    assert "RISKLOOP_API_KEY" in err
    code, _, err = run(home, "prospects", "--as-of", DAY, "--lang", "fr", env=keys["andy"])
    assert code == 2
    assert "lang" in err


def test_exports_write_files_excel_opens(home: Path, keys, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    code, made, _ = run(home, "prospects", "export", "--as-of", DAY, "--out", str(out), "--top", "3", env=keys["andy"])
    assert code == 0
    assert (made["format"], made["run_id"], made["bytes"]) == ("csv", "R1", out.stat().st_size)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["排名", "统一社会信用代码", "企业名称"]
    assert [r[2] for r in rows[1:]] == [p.name for p in RANKED[:3]]
    book = tmp_path / "p.bin"
    code, _, _ = run(home, "prospects", "export", "--run-id", "R1", "--out", str(book), "--format", "xlsx",
                     "--lang", "en", env=keys["andy"])  # fmt: skip
    assert code == 0
    sheet = load_workbook(io.BytesIO(book.read_bytes()), read_only=True)["Prospects"]  # --format, whatever the name
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Rank"
    assert len(values) == 7
    code, _, err = run(home, "prospects", "export", "--as-of", DAY, "--out", str(tmp_path / "p.pdf"), env=keys["andy"])
    assert code == 2
    assert "--format" in err
    code, _, _ = run(home, "prospects", "export", "--as-of", DAY, "--out", str(out), env=keys["otto"])
    assert code != 0  # an auditor reads, never exports


def test_a_campaign_is_created_shown_and_followed(home: Path, keys, tmp_path: Path) -> None:
    code, made, _ = run(home, "prospects", "campaign", "create", "--as-of", DAY, "--name", "第三季度", "--top", "2",
                        env=keys["andy"])  # fmt: skip
    assert code == 0
    assert (made["members"], made["run_id"], made["created_by"]) == (2, "R1", "andy")
    listed = tmp_path / "codes.txt"
    listed.write_text(f"{RANKED[4].credit_code}\n\n{RANKED[5].credit_code}\n", encoding="utf-8")
    code, by_codes, _ = run(home, "prospects", "campaign", "create", "--run-id", "R1", "--name", "branch",
                            "--codes", str(listed), env=keys["andy"])  # fmt: skip
    assert (code, by_codes["members"]) == (0, 2)
    code, shown, _ = run(home, "prospects", "campaign", "show", made["campaign_id"], env=keys["otto"])
    assert (code, shown) == (0, made)
    code, conversion, _ = run(home, "prospects", "campaign", "conversion", made["campaign_id"], env=keys["otto"])
    assert code == 0
    assert (conversion["members"], conversion["applied"], conversion["conversion_rate"]) == (2, 0, 0.0)
    code, _, err = run(home, "prospects", "campaign", "create", "--run-id", "R1", "--name", "x", "--code",
                       "91420100000000999X", env=keys["andy"])  # fmt: skip
    assert code == 2
    assert "codes" in err
    code, _, err = run(home, "prospects", "campaign", "show", "CMP-none", env=keys["otto"])
    assert code == 3
