"""Point-in-time features: values from records visible on the as-of date, and no leakage from later ones."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS, GROUPS_BY_NAME
from riskloop.features.spine import application_spine
from riskloop.testing.tables import credit_code, resident_id, row, write_table

CODE = credit_code(7)
AS_OF = dt.date(2025, 6, 15)
LATER = dt.date(2025, 9, 1)  # every "future" record is dated here, after the as-of date


def _months(start: dt.date, count: int) -> list[dt.date]:
    out, y, m = [], start.year, start.month
    for _ in range(count):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _base_tables() -> dict[str, list[dict[str, Any]]]:
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
            for m in _months(dt.date(2024, 6, 1), 12)
        ],
        "housing_fund": [
            row("housing_fund", credit_code=CODE, month=m, contributors=4, paid_cents=1000)
            for m in _months(dt.date(2024, 6, 1), 12)
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
            for m in _months(dt.date(2024, 6, 1), 12)
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
    }


def _future_records() -> dict[str, list[dict[str, Any]]]:
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
    }


def _write(root: Path, tables: dict[str, list[dict[str, Any]]], extra: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in tables.items():
        write_table(root, name, rows + extra.get(name, []))


def _features(root: Path) -> dict[str, Any]:
    spine = application_spine(root)
    out: pa.Table = DuckDBFeatureEngine(root, threads=1).compute(spine, GROUPS)
    return out.to_pylist()[0]


@pytest.fixture
def features_now(tmp_path: Path) -> dict[str, Any]:
    _write(tmp_path / "now", _base_tables(), {})
    return _features(tmp_path / "now")


def test_values_match_hand_computed(features_now: dict[str, Any]) -> None:
    f = features_now
    assert f["reg_firm_age_days"] == (AS_OF - dt.date(2020, 6, 15)).days
    assert f["reg_legal_rep_changes_3y"] == 1
    assert f["fin_debt_ratio"] == pytest.approx(0.4)
    assert f["fin_current_ratio"] == pytest.approx(2.0)
    assert f["gov_headcount_12m"] == pytest.approx(10)
    assert f["gov_hf_months_12m"] == 12
    assert f["tax_filing_months_12m"] == 12
    assert f["tax_late_filings_12m"] == 0
    assert f["tax_grade_score"] == 3
    assert f["inv_sales_count_12m"] == 4
    assert f["inv_customer_hhi"] == pytest.approx(0.5)
    assert f["risk_defendant_cases_24m"] == 1
    assert f["risk_open_enforcements"] == 1  # closed only after the as-of date
    assert f["risk_dishonest_listed"] == 0  # the listed enterprise is another one
    assert f["app_bureau_score"] == 700
    assert all(f[f"avail_{g.name}"] == 1 for g in GROUPS)


def test_records_after_as_of_never_change_a_feature(tmp_path: Path, features_now: dict[str, Any]) -> None:
    _write(tmp_path / "later", _base_tables(), _future_records())
    later = _features(tmp_path / "later")
    changed = {
        k: (features_now[k], later[k])
        for k in features_now
        if not (features_now[k] == later[k] or _both_nan(features_now[k], later[k]))
    }
    assert changed == {}


def test_missing_source_is_flagged_not_fatal(tmp_path: Path) -> None:
    tables = _base_tables()
    del tables["invoices"]
    _write(tmp_path, tables, {})
    f = _features(tmp_path)
    assert f["avail_invoices"] == 0
    assert all(f[name] is None for name in GROUPS_BY_NAME["invoices"].feature_names)
    assert f["avail_tax"] == 1
    assert f["tax_grade_score"] == 3


def _both_nan(a: object, b: object) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
