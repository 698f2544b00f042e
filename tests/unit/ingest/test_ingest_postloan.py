"""Bad post-loan event rows (guarantees, bureau, lists, days past due) are quarantined naming field and reason."""

from __future__ import annotations

import datetime as dt

from riskloop.testing.tables import credit_code, resident_id, row


def _guarantee(i: int, **values: object) -> dict[str, object]:
    base = {
        "guarantee_id": f"GU{i:012d}",
        "loan_id": f"LN{i:010d}",
        "credit_code": credit_code(i),
        "guarantor_kind": "person",
        "guarantor_person_id": resident_id(i),
        "amount_cents": 5_000_000,
        "start_date": dt.date(2024, 3, 1),
        "end_date": dt.date(2028, 3, 1),  # a guarantee period may run past as-of
    }
    return row("guarantees", **(base | values))


def test_bad_guarantee_rows_name_field_and_reason(harness, sample, source, reasons):
    rid = resident_id(2)
    rows = [
        _guarantee(1),
        _guarantee(2, guarantor_person_id=rid[:17] + ("0" if rid[17] != "0" else "1")),
        _guarantee(3, guarantor_kind="bank"),
        _guarantee(4, start_date=dt.date(2025, 2, 1)),
        _guarantee(5, guarantor_kind="enterprise", guarantor_person_id=None, guarantor_code=credit_code(9)[:17] + "Z"),
    ]
    sample.write(source, "guarantees", rows)

    result = harness.run()

    assert result.tables["guarantees"].loaded == 1
    got = reasons(harness.quarantine())
    assert [(n, f) for n, f, _ in got] == [
        (2, "guarantor_person_id"),
        (3, "guarantor_kind"),
        (4, "start_date"),
        (5, "guarantor_code"),
    ]
    assert "resident-ID check digit does not match" in got[0][2]
    assert rid[:6] not in got[0][2]  # a personal identifier is never quoted back
    assert got[1][2] == "guarantor_kind: must be one of: person, enterprise (got 'bank')"
    assert "is after the as-of date" in got[2][2]
    assert "must be 18 characters" in got[3][2]


def test_bad_bureau_list_and_repayment_rows(harness, sample, source, reasons):
    sample.write(
        source,
        "credit_reports",
        [
            row("credit_reports", credit_code=credit_code(1), report_date=dt.date(2024, 5, 5), lenders=3),
            row("credit_reports", credit_code=credit_code(2), report_date=dt.date(2024, 5, 5), lenders=-1),
        ],
    )
    sample.write(
        source,
        "credit_inquiries",
        [
            row("credit_inquiries", inquiry_id="IQ1", credit_code=credit_code(1), institution_type="microlender"),
            row("credit_inquiries", inquiry_id="IQ2", credit_code=credit_code(1), institution_type="loan_shark"),
        ],
    )
    sample.write(
        source,
        "equity_freezes",
        [
            row("equity_freezes", freeze_id="F1", credit_code=credit_code(1), holder_person_id=resident_id(1)),
            row("equity_freezes", freeze_id="F2", credit_code=credit_code(1), released_date=dt.date(2030, 1, 1)),
        ],
    )
    sample.write(
        source,
        "abnormal_operations",
        [
            row("abnormal_operations", record_id="AB1", credit_code=credit_code(1)),
            row("abnormal_operations", record_id="AB2", credit_code=credit_code(1), reason="bankrupt"),
        ],
    )
    sample.write(
        source,
        "repayments",
        [
            row("repayments", repayment_id="RP1", days_past_due=12),
            row("repayments", repayment_id="RP2", days_past_due=-3),
        ],
    )

    result = harness.run()

    for name in ("credit_reports", "credit_inquiries", "equity_freezes", "abnormal_operations", "repayments"):
        assert result.tables[name].loaded == 1, name
    got = {(f, r) for _, f, r in reasons(harness.quarantine())}
    assert got == {
        ("lenders", "lenders: must be >= 0 (got -1)"),
        (
            "institution_type",
            "institution_type: must be one of: bank, microlender, consumer_finance, guarantee, leasing, other "
            "(got 'loan_shark')",
        ),
        ("released_date", "released_date: is after the as-of date 2025-01-15 (got '2030-01-01')"),
        (
            "reason",
            "reason: must be one of: no_annual_report, unreachable_address, false_information, no_disclosure "
            "(got 'bankrupt')",
        ),
        ("days_past_due", "days_past_due: must be >= 0 (got -3)"),
    }
