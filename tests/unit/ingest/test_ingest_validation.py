"""Each class of bad input: which rows are quarantined, with which field and reason; every valid row loads."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.errors import IngestError


def test_wrong_types_quarantine_the_row_and_name_the_field(harness, sample, source, reasons):
    rows = sample.enterprises(5)
    sample.write(source, "enterprises", rows, "csv")
    text = (source / "enterprises.csv").read_text().splitlines()
    text[2] = text[2].replace(",10000001,", ",12.5万,")  # row 2: money is not a number
    text[4] = text[4].replace("2015-01-04", "2015-02-30")  # row 4: not a calendar date
    (source / "enterprises.csv").write_text("\n".join(text) + "\n")

    result = harness.run()

    assert result.tables["enterprises"].counts() == {
        "rows_read": 5,
        "loaded": 3,
        "already_present": 0,
        "quarantined": 2,
    }
    assert reasons(harness.quarantine()) == [
        (2, "registered_capital_cents", "registered_capital_cents: not a whole number of cents (got '12.5万')"),
        (4, "established_date", "established_date: not a date (YYYY-MM-DD) (got '2015-02-30')"),
    ]
    loaded = harness.loaded("enterprises", "credit_code")
    assert loaded == harness.dated([rows[0], rows[2], rows[4]])
    assert sorted(r["credit_code"] for r in harness.sql_rows("enterprises")) == [
        rows[i]["credit_code"] for i in (0, 2, 4)
    ]


def test_missing_columns_are_an_error_naming_table_file_and_columns(harness, sample, source):
    rows = [{k: v for k, v in r.items() if k not in ("status", "phone")} for r in sample.enterprises(2)]
    sample.write(source, "enterprises", rows, "csv")
    with pytest.raises(IngestError, match=r"table enterprises, file .*enterprises.csv: missing columns phone, status"):
        harness.run()


def test_unknown_columns_are_an_error_naming_them(harness, sample, source):
    rows = [r | {"vip": "yes"} for r in sample.invoices(2)]
    sample.write(source, "invoices", rows, "jsonl")
    with pytest.raises(IngestError, match=r"table invoices, file .*invoices.jsonl: unknown columns vip"):
        harness.run()


def test_malformed_credit_codes_and_resident_ids(harness, sample, source, reasons):
    rows = sample.enterprises(6)
    code = rows[1]["credit_code"]
    rows[1]["credit_code"] = code[:17] + ("0" if code[17] != "0" else "1")  # bad check digit
    rows[2]["credit_code"] = code[:16]  # too short
    rows[3]["credit_code"] = "2" + code[1:]  # unknown authority
    rid = rows[4]["legal_rep_id"]
    rows[4]["legal_rep_id"] = rid[:17] + ("0" if rid[17] != "0" else "1")
    rows[5]["legal_rep_id"] = rid[:10] + "1332" + rid[14:]  # 13th month
    sample.write(source, "enterprises", rows)

    result = harness.run()

    assert result.tables["enterprises"].loaded == 1
    assert [(n, f) for n, f, _ in reasons(harness.quarantine())] == [
        (2, "credit_code"),
        (3, "credit_code"),
        (4, "credit_code"),
        (5, "legal_rep_id"),
        (6, "legal_rep_id"),
    ]
    got = [r for _, _, r in reasons(harness.quarantine())]
    assert "credit-code check digit does not match" in got[0]
    assert "must be 18 characters" in got[1]
    assert "must start with authority 1, 5, 9 or Y" in got[2]
    assert "resident-ID check digit does not match" in got[3]
    assert "birth date (digits 7-14) is not a calendar date" in got[4]
    assert harness.loaded("enterprises", "credit_code") == harness.dated([rows[0]])


def test_negative_amounts(harness, sample, source, reasons):
    rows = sample.invoices(4)
    rows[2]["amount_cents"] = -500
    sample.write(source, "invoices", rows)
    harness.run()
    assert reasons(harness.quarantine()) == [(3, "amount_cents", "amount_cents: must be >= 0 (got -500)")]
    assert harness.loaded("invoices", "invoice_no") == [rows[0], rows[1], rows[3]]


def test_future_dates_against_the_as_of_date(harness, sample, source, reasons):
    rows = sample.invoices(3)
    rows[0]["issue_date"] = dt.date(2024, 7, 1)
    rows[1]["issue_date"] = dt.date(2024, 6, 30)
    sample.write(source, "invoices", rows)
    harness.run(as_of=dt.date(2024, 6, 30))
    assert reasons(harness.quarantine()) == [
        (1, "issue_date", "issue_date: is after the as-of date 2024-06-30 (got '2024-07-01')")
    ]
    assert [r["invoice_no"] for r in harness.loaded("invoices", "invoice_no")] == ["INV00000001", "INV00000002"]


def test_future_timestamps_against_the_clock(harness, sample, source):
    rows = sample.applications(2)
    rows[1]["applied_at"] = dt.datetime(2025, 1, 15, 12, 0, 1, tzinfo=dt.UTC)  # one second after the clock
    sample.write(source, "applications", rows)
    harness.run()
    [record] = harness.quarantine()
    assert record["field"] == "applied_at"
    assert record["reason"].startswith("applied_at: is after the as-of time 2025-01-15T12:00:00+00:00")


def test_unknown_category(harness, sample, source, reasons):
    rows = sample.invoices(2)
    rows[1]["status"] = "cancelled"
    sample.write(source, "invoices", rows, "csv")
    harness.run()
    assert reasons(harness.quarantine()) == [
        (2, "status", "status: must be one of: normal, void, red (got 'cancelled')")
    ]


def test_bad_month_start(harness, sample, source, reasons):
    rows = sample.social_security(3)
    rows[2]["month"] = dt.date(2024, 3, 15)
    sample.write(source, "social_security", rows)
    harness.run()
    assert reasons(harness.quarantine()) == [(3, "month", "month: must be the first day of a month (got '2024-03-15')")]
    assert harness.loaded("social_security", "month") == rows[:2]


def test_several_bad_fields_in_one_row_make_one_record(harness, sample, source, reasons):
    rows = sample.invoices(2)
    rows[0] |= {"amount_cents": -1, "status": "x"}
    sample.write(source, "invoices", rows)
    harness.run()
    assert reasons(harness.quarantine()) == [
        (
            1,
            "amount_cents, status",
            "amount_cents: must be >= 0 (got -1); status: must be one of: normal, void, red (got 'x')",
        )
    ]


def test_empty_required_value(harness, sample, source, reasons):
    rows = sample.enterprises(2)
    sample.write(source, "enterprises", rows, "csv")
    path = source / "enterprises.csv"
    path.write_text(path.read_text().replace("武汉测试企业1有限公司", ""))
    harness.run()
    assert reasons(harness.quarantine()) == [(2, "name", "name: is required but empty")]


def test_duplicate_invoice_numbers_keep_the_first(harness, sample, source, reasons):
    rows = sample.invoices(5)
    rows[2]["invoice_no"] = rows[0]["invoice_no"]
    rows[4] = dict(rows[0])  # an exact copy is a duplicate too
    sample.write(source, "invoices", rows)
    result = harness.run()
    assert result.tables["invoices"].counts() == {"rows_read": 5, "loaded": 3, "already_present": 0, "quarantined": 2}
    assert reasons(harness.quarantine()) == [
        (3, "invoice_no", "duplicate key invoice_no=INV00000000 (the first occurrence, row 1, is kept)"),
        (5, "invoice_no", "duplicate key invoice_no=INV00000000 (the first occurrence, row 1, is kept)"),
    ]
    assert harness.loaded("invoices", "invoice_no") == [rows[0], rows[1], rows[3]]


def test_duplicates_across_part_files(harness, sample, source, reasons):
    rows = sample.invoices(4)
    sample.write(source / "invoices", "invoices", rows[:2], "csv", stem="part-00000")
    sample.write(
        source / "invoices", "invoices", [rows[1] | {"amount_cents": 1}, *rows[2:]], "jsonl", stem="part-00001"
    )
    harness.run()
    [record] = harness.quarantine()
    assert record["source_file"].endswith("part-00001.jsonl")
    assert (record["row_number"], record["field"]) == (1, "invoice_no")
    assert harness.loaded("invoices", "invoice_no") == rows


def test_phone_and_resident_id_are_normalised(harness, sample, source):
    rows = sample.enterprises(1)
    rows[0]["phone"] = "+86 138-0013-0000"
    rows[0]["legal_rep_id"] = rows[0]["legal_rep_id"].lower()
    sample.write(source, "enterprises", rows, "csv")
    harness.run()
    [loaded] = harness.loaded("enterprises", "credit_code")
    assert loaded["phone"] == "13800130000"
    assert loaded["legal_rep_id"] == sample.resident_id(0)
