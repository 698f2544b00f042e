"""File-level behaviour: encodings, truncated files, layouts, unknown names, batching, run records."""

from __future__ import annotations

import json

import pytest

from riskloop.errors import IngestError


def test_gbk_encoded_csv_is_detected_and_decoded(harness, sample, source):
    rows = sample.enterprises(3)
    sample.write(source, "enterprises", rows, "csv", encoding="gbk")
    result = harness.run()
    assert result.tables["enterprises"].encodings == ["gb18030"]
    assert harness.loaded("enterprises", "credit_code") == harness.dated(rows)  # 武汉测试企业… decoded exactly


def test_utf8_with_bom_csv(harness, sample, source):
    rows = sample.invoices(2)
    sample.write(source, "invoices", rows, "csv", encoding="utf-8-sig")
    result = harness.run()
    assert result.tables["invoices"].encodings == ["utf-8-sig"]
    assert harness.loaded("invoices", "invoice_no") == rows


def test_truncated_parquet_is_a_clear_error_and_nothing_loads(harness, sample, source):
    sample.write(source, "enterprises", sample.enterprises(3))
    path = sample.write(source, "invoices", sample.invoices(50))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(IngestError, match=r"invoices.parquet: Parquet file is truncated or corrupt"):
        harness.run()
    assert harness.loaded("enterprises", "credit_code") == []  # checked before anything is written


def test_truncated_csv_quarantines_the_cut_row(harness, sample, source, reasons):
    rows = sample.invoices(4)
    path = sample.write(source, "invoices", rows, "csv")
    path.write_text(path.read_text()[:-30])  # cuts the last line mid-row, no final newline
    result = harness.run()
    assert result.tables["invoices"].counts() == {"rows_read": 4, "loaded": 3, "already_present": 0, "quarantined": 1}
    [(row, field, reason)] = reasons(harness.quarantine())
    assert (row, field) == (4, None)
    assert reason.startswith("wrong field count: expected 8 fields, got ")
    assert harness.loaded("invoices", "invoice_no") == rows[:3]


def test_truncated_jsonl_quarantines_the_cut_line(harness, sample, source, reasons):
    rows = sample.applications(3)
    path = sample.write(source, "applications", rows, "jsonl")
    path.write_text(path.read_text()[:-40])
    harness.run()
    [(row, field, reason)] = reasons(harness.quarantine())
    assert (row, field) == (3, None)
    assert reason.startswith("malformed JSON line: ")
    assert harness.loaded("applications", "application_id") == rows[:2]


def test_jsonl_rows_of_every_kind_load_exactly(harness, sample, source):
    rows = sample.applications(4)
    sample.write(source, "applications", rows, "jsonl")
    harness.run()
    assert harness.loaded("applications", "application_id") == rows
    assert len(harness.sql_rows("applications")) == 4


def test_malformed_row_numbers_survive_batching(harness, sample, source, reasons):
    rows = sample.invoices(10)
    path = sample.write(source, "invoices", rows, "csv")
    lines = path.read_text().splitlines()
    lines[4] = "INV-broken,1,2"  # data row 4
    lines[8] = lines[8].replace("normal", "lost")  # data row 8
    path.write_text("\n".join(lines) + "\n")
    harness.run(batch_rows=3)
    got = reasons(harness.quarantine())
    assert [(r, f) for r, f, _ in got] == [(4, None), (8, "status")]
    assert harness.loaded("invoices", "invoice_no") == [r for i, r in enumerate(rows) if i not in (3, 7)]


def test_universe_layout_and_unknown_files(harness, sample, source):
    tables = source / "tables"
    sample.write(tables / "invoices", "invoices", sample.invoices(3), stem="part-00000")
    sample.write(tables / "invoices", "invoices", sample.invoices(5)[3:], stem="part-00001")
    (source / "truth").mkdir()
    (source / "manifest.json").write_text("{}")
    (tables / "invoice.csv").write_text("a\n1\n")
    result = harness.run()
    assert result.tables["invoices"].loaded == 5
    [warning] = result.warnings
    assert warning.startswith(
        "ignored invoice.csv: not a table file; valid table names: abnormal_operations, account_transactions,"
    )


def test_no_table_files_is_an_error(harness, source):
    (source / "notes.txt").write_text("hello")
    expected = r"no table files in .*valid table names: abnormal_operations, account_transactions"
    with pytest.raises(IngestError, match=expected):
        harness.run()


def test_run_is_recorded_with_counts_and_quarantine_files(harness, sample, source):
    rows = sample.invoices(3)
    rows[1]["tax_cents"] = -1
    sample.write(source, "invoices", rows)
    result = harness.run()
    [run] = harness.sql_rows("ingest_runs")
    assert (run["run_id"], run["status"], run["rows_loaded"], run["rows_quarantined"]) == (
        result.run_id,
        "succeeded",
        2,
        1,
    )
    assert str(run["started_at"]).startswith("2025-01-15 12:00:00")
    assert json.loads(run["table_counts"])["invoices"]["quarantined"] == 1
    [line] = (result.quarantine_dir / "invoices.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["field"] == "tax_cents"
    raw = harness.open_raw(record["raw"])  # sealed at rest (it may hold personal columns)
    assert raw["invoice_no"] == "INV00000001"
    [db_record] = harness.quarantine(result.run_id)
    assert db_record["raw"] == record["raw"]


def test_failed_run_is_recorded(harness, sample, source):
    rows = [{k: v for k, v in r.items() if k != "status"} for r in sample.invoices(1)]
    sample.write(source, "invoices", rows, "csv")
    with pytest.raises(IngestError):
        harness.run()
    [run] = harness.sql_rows("ingest_runs")
    assert run["status"] == "failed"
    assert "missing columns status" in run["error"]
