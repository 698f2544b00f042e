"""Re-ingesting is idempotent; a changed row under a loaded key is a conflict."""

from __future__ import annotations


def test_ingesting_twice_reports_everything_already_present(harness, sample, source):
    sample.write(source, "enterprises", sample.enterprises(4), "csv")
    sample.write(source, "invoices", sample.invoices(6))
    first = harness.run()
    second = harness.run()
    assert first.tables["invoices"].counts() == {"rows_read": 6, "loaded": 6, "already_present": 0, "quarantined": 0}
    assert second.tables["invoices"].counts() == {"rows_read": 6, "loaded": 0, "already_present": 6, "quarantined": 0}
    assert second.tables["enterprises"].counts() == {
        "rows_read": 4,
        "loaded": 0,
        "already_present": 4,
        "quarantined": 0,
    }
    assert len(harness.loaded("invoices", "invoice_no")) == 6
    assert len(harness.loaded("enterprises", "credit_code")) == 4
    assert len(harness.sql_rows("enterprises")) == 4


def test_partly_new_input_loads_only_the_new_rows(harness, sample, source):
    rows = sample.invoices(6)
    sample.write(source, "invoices", rows[:4])
    harness.run()
    sample.write(source, "invoices", rows[2:])
    result = harness.run()
    assert result.tables["invoices"].counts() == {"rows_read": 4, "loaded": 2, "already_present": 2, "quarantined": 0}
    assert harness.loaded("invoices", "invoice_no") == rows


def test_changed_content_under_a_loaded_key_is_a_conflict(harness, sample, source, reasons):
    rows = sample.invoices(3)
    sample.write(source, "invoices", rows)
    harness.run()
    changed = [rows[0], rows[1] | {"amount_cents": 1, "status": "void"}, rows[2]]
    sample.write(source, "invoices", changed)
    result = harness.run()
    assert result.tables["invoices"].counts() == {"rows_read": 3, "loaded": 0, "already_present": 2, "quarantined": 1}
    assert reasons(harness.quarantine(result.run_id)) == [
        (
            2,
            "amount_cents, status",
            "conflicts with the row already loaded for key invoice_no=INV00000001: differs in amount_cents, status",
        )
    ]
    assert harness.loaded("invoices", "invoice_no") == rows  # the loaded row is unchanged


def test_conflict_on_a_sql_table_leaves_the_database_row(harness, sample, source):
    rows = sample.enterprises(2)
    sample.write(source, "enterprises", rows)
    harness.run()
    sample.write(source, "enterprises", [rows[0] | {"status": "revoked"}])
    result = harness.run()
    assert result.tables["enterprises"].quarantined == 1
    assert sorted(r["status"] for r in harness.sql_rows("enterprises")) == ["active", "active"]
