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
from riskloop.testing.feature_fixtures import AS_OF, base_tables, future_records, write_tables


def _features(root: Path) -> dict[str, Any]:
    spine = application_spine(root)
    out: pa.Table = DuckDBFeatureEngine(root, threads=1).compute(spine, GROUPS)
    return out.to_pylist()[0]


@pytest.fixture
def features_now(tmp_path: Path) -> dict[str, Any]:
    write_tables(tmp_path / "now", base_tables())
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
    assert f["tag_enforcement_docs_24m"] == 2
    assert f["tag_enforcement_days_since"] == 156
    assert f["tag_regulatory_docs_24m"] == 0
    assert f["tag_litigation_docs_24m"] == 0
    assert all(f[f"avail_{g.name}"] == 1 for g in GROUPS)


def test_records_after_as_of_never_change_a_feature(tmp_path: Path, features_now: dict[str, Any]) -> None:
    write_tables(tmp_path / "later", base_tables(), future_records())
    later = _features(tmp_path / "later")
    changed = {
        k: (features_now[k], later[k])
        for k in features_now
        if not (features_now[k] == later[k] or _both_nan(features_now[k], later[k]))
    }
    assert changed == {}


def test_missing_source_is_flagged_not_fatal(tmp_path: Path) -> None:
    tables = base_tables()
    del tables["invoices"]
    write_tables(tmp_path, tables)
    f = _features(tmp_path)
    assert f["avail_invoices"] == 0
    assert all(f[name] is None for name in GROUPS_BY_NAME["invoices"].feature_names)
    assert f["avail_tax"] == 1
    assert f["tax_grade_score"] == 3


def _both_nan(a: object, b: object) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
