"""Hand-made contract tables for point-in-time feature tests: one enterprise, one application, known values.

Every feature engine must compute the values the conformance suite derives by hand from these rows, and
records from ``future_records`` (all dated after ``AS_OF``) must never change a feature.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.testing.tables import credit_code, resident_id, row, write_table
from riskloop.text.tags_table import TAGS_SCHEMA, TAGS_TABLE

CODE = credit_code(7)
AS_OF = dt.date(2025, 6, 15)
LATER = dt.date(2025, 9, 1)  # every "future" record is dated here, after the as-of date


def months(start: dt.date, count: int) -> list[dt.date]:
    """First days of ``count`` consecutive months from ``start``'s month."""
    out, y, m = [], start.year, start.month
    for _ in range(count):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def base_tables() -> dict[str, list[dict[str, Any]]]:
    """Rows of every source table for enterprise ``CODE`` and its application ``A1`` on ``AS_OF``."""
    rep = resident_id(3)
    applied = dt.datetime(2025, 6, 15, 10, 30, tzinfo=dt.UTC)
    return {
        "enterprises": [
            row(
                "enterprises",
                credit_code=CODE,
                established_date=dt.date(2020, 6, 15),
                registered_capital_cents=1_000_000_00,
                kind="company",
                legal_rep_id=rep,
            )
        ],
        "registration_changes": [
            row(
                "registration_changes",
                change_id="c1",
                credit_code=CODE,
                change_date=dt.date(2024, 3, 1),
                change_type="legal_rep",
            ),
        ],
        "shareholders": [row("shareholders", credit_code=CODE, holder_id=rep, since_date=dt.date(2020, 6, 15))],
        "officers": [
            row("officers", credit_code=CODE, person_id=rep, role="legal_rep", since_date=dt.date(2020, 6, 15))
        ],
        "financial_statements": [
            row(
                "financial_statements",
                credit_code=CODE,
                fiscal_year=2024,
                report_date=dt.date(2025, 4, 30),
                total_assets_cents=1000,
                total_liabilities_cents=400,
                current_assets_cents=300,
                current_liabilities_cents=150,
                equity_cents=600,
                revenue_cents=2000,
                operating_cost_cents=1500,
                net_profit_cents=200,
                operating_cash_flow_cents=100,
            ),
        ],
        "social_security": [
            row("social_security", credit_code=CODE, month=m, headcount=10, paid_cents=5000, arrears_cents=0)
            for m in months(dt.date(2024, 6, 1), 12)
        ],
        "housing_fund": [
            row("housing_fund", credit_code=CODE, month=m, contributors=4, paid_cents=1000)
            for m in months(dt.date(2024, 6, 1), 12)
        ],
        "tax_declarations": [
            row(
                "tax_declarations",
                credit_code=CODE,
                period=m,
                tax_type="VAT",
                declared_revenue_cents=100_000_00,
                tax_payable_cents=3000_00,
                tax_paid_cents=3000_00,
                filed_date=dt.date(m.year + (m.month == 12), m.month % 12 + 1, 10),
            )
            for m in months(dt.date(2024, 6, 1), 12)
        ],
        "tax_credit_grades": [
            row("tax_credit_grades", credit_code=CODE, year=2024, grade="B", published_date=dt.date(2025, 4, 1))
        ],
        "invoices": [
            row(
                "invoices",
                invoice_no=f"{i:020d}",
                seller_code=CODE,
                buyer_code=credit_code(100 + i % 2),
                issue_date=dt.date(2025, 1, 10 + i),
                amount_cents=1000_00,
                tax_cents=130_00,
                status="normal",
            )
            for i in range(4)
        ],
        "litigations": [
            row("litigations", case_no="L1", credit_code=CODE, role="defendant", filed_date=dt.date(2024, 12, 1))
        ],
        "enforcements": [
            row(
                "enforcements",
                case_no="E1",
                credit_code=CODE,
                filed_date=dt.date(2025, 2, 1),
                amount_cents=5000_00,
                closed_date=LATER,
            )
        ],
        "dishonest_list": [
            row("dishonest_list", case_no="D0", credit_code=credit_code(99), listed_date=dt.date(2024, 1, 1))
        ],
        "admin_penalties": [
            row("admin_penalties", penalty_id="P1", credit_code=CODE, penalty_date=dt.date(2023, 1, 1))
        ],
        "applications": [
            row(
                "applications",
                application_id="A1",
                credit_code=CODE,
                applicant_id=rep,
                applied_at=applied,
                requested_amount_cents=300_000_00,
                term_months=12,
            )
        ],
        "bureau_scores": [row("bureau_scores", application_id="A1", score=700, queried_at=applied)],
        TAGS_TABLE: [
            tag_row("DC1", CODE, dt.date(2025, 1, 10), "失信"),
            tag_row("DC2", CODE, dt.date(2025, 1, 10), "被执行"),
            tag_row("DC3", credit_code(99), dt.date(2025, 2, 1), "欠税"),
        ],
    }


def future_records() -> dict[str, list[dict[str, Any]]]:
    """Records dated after the as-of date: each would change a feature if it leaked."""
    return {
        "registration_changes": [
            row("registration_changes", change_id="c2", credit_code=CODE, change_date=LATER, change_type="legal_rep")
        ],
        "shareholders": [row("shareholders", credit_code=CODE, holder_id=resident_id(4), since_date=LATER)],
        "financial_statements": [
            row(
                "financial_statements",
                credit_code=CODE,
                fiscal_year=2025,
                report_date=LATER,
                total_assets_cents=10,
                total_liabilities_cents=90,
                equity_cents=-80,
            )
        ],
        "social_security": [
            row("social_security", credit_code=CODE, month=dt.date(2025, 6, 1), headcount=99, arrears_cents=10)
        ],
        "tax_declarations": [
            row(
                "tax_declarations",
                credit_code=CODE,
                period=dt.date(2025, 5, 1),
                tax_type="VAT",
                declared_revenue_cents=1,
                filed_date=LATER,
            )
        ],
        "tax_credit_grades": [row("tax_credit_grades", credit_code=CODE, year=2025, grade="D", published_date=LATER)],
        "invoices": [
            row(
                "invoices",
                invoice_no="9" * 20,
                seller_code=CODE,
                buyer_code=credit_code(300),
                issue_date=LATER,
                amount_cents=9_999_999_00,
                status="void",
            )
        ],
        "litigations": [row("litigations", case_no="L2", credit_code=CODE, role="defendant", filed_date=LATER)],
        "dishonest_list": [row("dishonest_list", case_no="D1", credit_code=CODE, listed_date=LATER)],
        "admin_penalties": [row("admin_penalties", penalty_id="P2", credit_code=CODE, penalty_date=LATER)],
        TAGS_TABLE: [tag_row("DC4", CODE, LATER, "欠税"), tag_row("DC5", CODE, AS_OF, "借贷纠纷")],
    }


def tag_row(doc_id: str, code: str, published: dt.date, tag: str) -> dict[str, Any]:
    """A row of the derived ``text_tags`` table (a tag the tagger found in a document)."""
    return {"doc_id": doc_id, "credit_code": code, "published_date": published, "tag": tag, "confidence": 0.9,
            "span_start": 0, "span_end": 4, "source": "rules", "tagger": "tag-lexicon-v2"}  # fmt: skip


def write_tables(
    root: Path, tables: dict[str, list[dict[str, Any]]], extra: dict[str, list[dict[str, Any]]] | None = None
) -> None:
    """Write ``tables`` (plus the ``extra`` rows of the same tables) as Parquet under ``root``."""
    for name, rows in tables.items():
        all_rows = rows + (extra or {}).get(name, [])
        if name == TAGS_TABLE:  # derived, outside the contract: its own schema
            (root / name).mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(all_rows, schema=TAGS_SCHEMA), root / name / "part-00000.parquet")
        else:
            write_table(root, name, all_rows)
