"""The ``riskloop ingest`` command: one JSON object with --json, a table otherwise, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from riskloop.cli.main import app


def _args(tmp_path, *rest):
    return ["--home", str(tmp_path / "home"), "--database-url", f"sqlite:///{tmp_path / 'cli.db'}", "ingest", *rest]


def test_json_prints_one_object_with_per_table_counts(tmp_path, sample, source):
    sample.write(source, "invoices", sample.invoices(3))
    result = CliRunner().invoke(app, _args(tmp_path, str(source), "--json", "--as-of", "2025-01-01"))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["tables"]["invoices"] == {
        "rows_read": 3,
        "loaded": 3,
        "already_present": 0,
        "quarantined": 0,
        "store": "warehouse",
        "files": [str(source / "invoices.parquet")],
        "encodings": [],
    }
    assert payload["run_id"]
    assert payload["as_of"] == "2025-01-01"


def test_human_output_is_a_table(tmp_path, sample, source):
    sample.write(source, "invoices", sample.invoices(3))
    result = CliRunner().invoke(app, _args(tmp_path, str(source)))
    assert result.exit_code == 0, result.output
    assert "invoices" in result.stdout
    assert "total" in result.stdout
    assert "Traceback" not in result.output


def test_bad_directory_exits_non_zero_with_a_message_and_no_traceback(tmp_path):
    missing = tmp_path / "nope"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "riskloop"), *_args(tmp_path, str(missing))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 4
    assert "does not exist or is not a directory" in " ".join(proc.stderr.split())  # Rich wraps lines
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_bad_as_of_is_a_validation_error(tmp_path, sample, source):
    sample.write(source, "invoices", sample.invoices(1))
    result = CliRunner().invoke(app, _args(tmp_path, str(source), "--json", "--as-of", "yesterday"))
    assert result.exit_code == 2
    assert json.loads(result.stderr)["message"] == "--as-of: 'yesterday' is not a date (YYYY-MM-DD)"


def test_mapping_reads_a_bank_export_and_a_bad_mapping_names_its_key(tmp_path, sample, source):
    from bank_exports import write_xlsx

    from riskloop.ingest.mapping import GENERATOR_ZH, generator_mapping

    write_xlsx(source / "发票明细.xlsx", "invoices", sample.invoices(3), generator_mapping())
    shipped = Path(__file__).parents[3] / "src" / "riskloop" / "ingest" / "mappings" / GENERATOR_ZH
    args = _args(tmp_path, str(source), "--json", "--as-of", "2025-01-01", "--mapping", str(shipped))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"]["invoices"]["loaded"] == 3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "riskloop.ingest.mapping", "version": 1, "tables": {"bills": {}}}))
    result = CliRunner().invoke(app, _args(tmp_path, str(source), "--json", "--mapping", str(bad)))
    assert result.exit_code != 0
    error = json.loads(result.stderr)
    assert error["error"] == "ConfigError"
    assert error["message"].startswith(f"mapping {bad}: tables.bills: not a contract table; valid: ")
