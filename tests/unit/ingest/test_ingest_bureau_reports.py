"""The bureau's (PBOC) report documents: the multi-lender detail, the summary derived from it, bad elements named."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ingest_harness import Harness

from riskloop.config import Settings
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.testing.tables import credit_code

AS_OF = dt.date(2026, 6, 30)


def _harness(tmp_path: Path, source: Path) -> Harness:
    return Harness(Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'db'}.db"), source)


def test_generated_documents_agree_with_the_generated_summaries_and_inquiries(tmp_path: Path) -> None:
    universe = tmp_path / "u"
    generate_universe(UniverseParams(enterprises=300, seed=1718, as_of=AS_OF), universe, workers=1)
    tables = tmp_path / "tables"
    for name in ("credit_reports", "credit_inquiries", "credit_report_loans"):
        shutil.copytree(universe / "tables" / name, tables / name)
    harness = _harness(tmp_path, tables)
    first = harness.run(as_of=AS_OF).to_dict()["tables"]
    assert first["credit_report_loans"]["loaded"] > 0
    harness.source = universe / "bureau"
    again = harness.run(as_of=AS_OF).to_dict()["tables"]
    parts = (universe / "bureau" / "pboc_reports").glob("*.jsonl")
    documents = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in parts)
    assert again["credit_reports"]["rows_read"] == documents > 0
    for name in ("credit_reports", "credit_inquiries", "credit_report_loans"):
        t = again[name]
        assert (t["loaded"], t["quarantined"]) == (0, 0), name
        assert t["already_present"] == t["rows_read"] > 0, name  # parsed exactly as the tables were written
    assert again["credit_report_loans"]["already_present"] == first["credit_report_loans"]["loaded"]


CODE, OTHER = credit_code(1), credit_code(2)


def _loan(n: int, **over: Any) -> dict[str, Any]:
    return {
        "account_no": f"A{n}",
        "institution": f"银行{n % 2}",
        "institution_type": "商业银行",
        "loan_type": "流动资金贷款",
        "opened_date": "2024-01-10",
        "maturity_date": "2027-01-10",
        "balance": "10,000.50",
        "overdue": "0.00",
        "days_past_due": 0,
        "five_class": "正常",
    } | over


def _document(code: str = CODE, **over: Any) -> dict[str, Any]:
    return {
        "report_no": f"R-{code}",
        "report_date": "2025-01-05",
        "enterprise": {"credit_code": code},
        "loans": [_loan(1), _loan(2, overdue=1200.25, days_past_due=45, five_class="关注"), _loan(3)],
        "guarantees": [{"account_no": "G1", "institution": "银行0", "balance": 5000}],
        "inquiries": [
            {"inquiry_id": "Q1", "date": "2024-12-01", "institution_type": "小额贷款公司", "reason": "贷款审批"}
        ],
    } | over


@pytest.fixture
def documents(source: Path) -> Path:
    lines = [
        json.dumps(_document()),  # line 1: a good report
        json.dumps(  # line 2: a loan finer than a cent, a loan that is no object, an unknown inquiry reason
            _document(
                OTHER,
                loans=[_loan(1, balance="12.345"), "A2", _loan(3)],
                inquiries=[
                    {"inquiry_id": "Q2", "date": "2024-12-01", "institution_type": "商业银行", "reason": "好奇"}
                ],
            )
        ),
        '{"report_date": "2025-01-05", "loans": [',  # line 3: cut off
        json.dumps({"report_date": "2025-01-05", "loans": []}),  # line 4: whose report?
    ]
    folder = source / "pboc_reports"
    folder.mkdir()
    path = folder / "reports.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_report_loads_its_loans_inquiries_and_the_summary_derived_from_them(harness, documents):
    harness.run(as_of=dt.date(2025, 1, 15))
    [summary] = [r for r in harness.loaded("credit_reports", "credit_code") if r["credit_code"] == CODE]
    assert summary == {
        "credit_code": CODE,
        "report_date": dt.date(2025, 1, 5),
        "lenders": 2,
        "loans_outstanding": 3,
        "balance_cents": 3 * 1_000_050,
        "overdue_loans": 1,
        "overdue_cents": 120_025,
        "max_days_past_due": 45,
        "guarantees_given": 1,
        "guarantee_balance_cents": 500_000,
    }
    loans = [r for r in harness.loaded("credit_report_loans", "account_no") if r["credit_code"] == CODE]
    assert [(r["account_no"], r["institution_type"], r["five_class"]) for r in loans] == [
        ("A1", "bank", "normal"),
        ("A2", "bank", "special_mention"),
        ("A3", "bank", "normal"),
    ]
    [inquiry] = [r for r in harness.loaded("credit_inquiries", "inquiry_id") if r["credit_code"] == CODE]
    assert (inquiry["institution_type"], inquiry["reason"]) == ("microlender", "loan_approval")


def test_every_bad_element_is_quarantined_naming_file_line_element_field_and_reason(harness, documents, reasons):
    result = harness.run(as_of=dt.date(2025, 1, 15))
    records = harness.quarantine(result.run_id)
    assert {r["source_file"] for r in records} == {str(documents)}
    found = {(r["table_name"], r["row_number"], r["field"]): r["reason"] for r in records}
    assert found == {
        ("credit_report_loans", 2, "balance"): "report loans[0]: balance: finer than a cent in yuan and the mapping "
        "names no rounding (got '12.345')",
        ("credit_report_loans", 2, None): "report loans[1]: not an object (got str)",
        ("credit_reports", 2, "balance"): "report document: balance: no summary: loans[0]: balance: finer than a "
        "cent in yuan and the mapping names no rounding (got '12.345') (a report's figures need every loan and "
        "guarantee)",
        ("credit_inquiries", 2, "reason"): "inquiries[0]: reason: must be one of: loan_approval, guarantee_review, "
        "post_loan (got '好奇')",
        ("credit_reports", 3, None): found[("credit_reports", 3, None)],
        ("credit_reports", 4, "credit_code"): "report enterprise: credit_code: missing",
    }
    assert found[("credit_reports", 3, None)].startswith("malformed JSON document")
    tables = result.to_dict()["tables"]
    assert tables["credit_report_loans"]["loaded"] == 3 + 1  # the good report's three, the bad one's good loan
