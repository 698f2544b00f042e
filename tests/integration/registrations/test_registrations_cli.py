"""``riskloop registrations screen FILE``: a generated log replayed in time order (in memory, or into the workspace's
stored state); an unreadable file, naive times and bad rows are clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.synth.firms import make_firms
from riskloop.synth.params import UniverseParams
from riskloop.synth.platform_registrations import registration_log
from riskloop.synth.registration import firm_text


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    params = UniverseParams(enterprises=1_500, seed=8)
    firms = make_firms(params, 0)
    table, _ = registration_log(params, 0, firms, firm_text(params, 0, firms))
    path = tmp_path_factory.mktemp("log") / "registrations.parquet"
    pq.write_table(table.slice(0, 400), path)
    return path


def _screen(home: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(app, ["--home", str(home), "registrations", "screen", *args, "--json"])
    body = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, body, result.stderr


def test_a_log_is_screened_in_memory_and_every_row_gets_a_verdict(tmp_path: Path, log: Path) -> None:
    verdicts = tmp_path / "verdicts.jsonl"
    code, body, _ = _screen(tmp_path / "home", str(log), "--verdicts", str(verdicts))
    assert code == 0
    assert body["registrations"] == body["screened"] == 400
    assert sum(body["outcomes"].values()) == 400  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in verdicts.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    assert {v["outcome"] for v in lines} <= {"accept", "step_up", "block"}
    assert not (tmp_path / "home").exists()  # an in-memory replay needs no workspace


def test_the_stored_state_carries_over_between_runs(tmp_path: Path, log: Path) -> None:
    home = tmp_path / "home"
    assert (
        CliRunner()
        .invoke(app, ["--home", str(home), "keys", "create", "--principal", "c", "--role", "channel"])
        .exit_code
        == 0
    )
    first = _screen(home, str(log), "--store")
    again = _screen(home, str(log), "--store")  # the same sign-ups once more: every identifier seen twice
    assert first[0] == again[0] == 0
    assert again[1]["outcomes"]["accept"] < first[1]["outcomes"]["accept"]  # type: ignore[index]


def test_bad_rows_are_reported_and_the_rest_screened(tmp_path: Path, log: Path) -> None:
    table = pq.read_table(log).slice(0, 5)
    phones = table["phone"].to_pylist()
    phones[2] = "not a phone"
    bad = tmp_path / "bad.parquet"
    pq.write_table(table.set_column(table.schema.get_field_index("phone"), "phone", pa.array(phones)), bad)
    code, body, _ = _screen(tmp_path / "home", str(bad))
    assert code == 0
    assert body["invalid"] == 1
    assert body["screened"] == 4
    assert body["errors"] == [{"row": 3, "field": "phone", "problem": body["errors"][0]["problem"]}]  # type: ignore[index]


def test_naive_times_and_missing_files_are_errors(tmp_path: Path, log: Path) -> None:
    table = pq.read_table(log).slice(0, 3)
    naive = table.set_column(1, "registered_at", table["registered_at"].cast(pa.timestamp("us")))
    csv = tmp_path / "naive.csv"
    pcsv.write_csv(naive, csv)
    code, _body, err = _screen(tmp_path / "home", str(csv))
    assert code != 0
    assert "registered_at" in err
    code, _, err = _screen(tmp_path / "home", str(tmp_path / "missing.parquet"))
    assert code != 0
    assert "no such file" in err
