"""One conformance suite for every FeatureEngine backend: hand-computed values, no leakage, missing sources, parity."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS, GROUPS_BY_NAME
from riskloop.features.engine import SPINE_SCHEMA, FeatureEngine
from riskloop.features.publish import enterprise_spine
from riskloop.features.spec import FeatureGroup
from riskloop.features.spine import application_spine
from riskloop.io.warehouse import Warehouse
from riskloop.service.text_tags import tag_documents
from riskloop.synth.universe import UniverseParams, generate_universe
from riskloop.testing.feature_fixtures import AS_OF, CODE, base_tables, future_records, write_tables
from riskloop.text.tagger import load_tagger

EngineFactory = Callable[[Path], FeatureEngine]

# Every feature of the hand-made tables, derived by hand from the rows in riskloop.testing.feature_fixtures.
EXPECTED: dict[str, Any] = {
    "reg_firm_age_days": (AS_OF - dt.date(2020, 6, 15)).days,
    "reg_log_capital": math.log(1 + 1_000_000),
    "reg_is_individual": 0,
    "reg_legal_rep_changes_3y": 1,
    "reg_changes_3y": 1,
    "reg_shareholders": 1,
    "reg_officers": 1,
    "fin_debt_ratio": 0.4,
    "fin_current_ratio": 2.0,
    "fin_net_margin": 0.1,
    "fin_log_revenue": math.log(1 + 20),
    "fin_ocf_to_assets": 0.1,
    "fin_negative_equity": 0,
    "fin_statement_age_days": (AS_OF - dt.date(2025, 4, 30)).days,
    "gov_headcount_12m": 10.0,
    "gov_headcount_trend": 1.0,
    "gov_ss_months_12m": 12,
    "gov_arrears_months_12m": 0,
    "gov_hf_months_12m": 12,
    "tax_log_revenue_12m": math.log(1 + 12 * 100_000),
    "tax_revenue_growth": 1.0,
    "tax_revenue_cv": 0.0,
    "tax_filing_months_12m": 12,
    "tax_late_filings_12m": 0,
    "tax_arrears_ratio": 0.0,
    "tax_grade_score": 3,
    "inv_sales_count_12m": 4,
    "inv_log_sales_12m": math.log(1 + 4 * 1000),
    "inv_sales_trend": None,  # no sales in the last 3 months
    "inv_void_red_ratio": 0.0,
    "inv_customer_hhi": 0.5,
    "inv_customers": 2,
    "inv_supplier_hhi": None,  # it bought nothing
    "risk_defendant_cases_24m": 1,
    "risk_open_enforcements": 1,  # closed only after the as-of date
    "risk_enforced_amount_log": math.log(1 + 5000),
    "risk_dishonest_listed": 0,  # the listed enterprise is another one
    "risk_penalties_24m": 0,  # the penalty is 29 months old
    "risk_days_since_event": (AS_OF - dt.date(2025, 2, 1)).days,
    "tag_enforcement_docs_24m": 2,  # 失信 and 被执行 in two documents; the 欠税 is another firm's
    "tag_enforcement_days_since": (AS_OF - dt.date(2025, 1, 10)).days,
    "tag_litigation_docs_24m": 0,  # published on the as-of day: not yet
    "tag_litigation_days_since": None,
    "tag_regulatory_docs_24m": 0,
    "tag_regulatory_days_since": None,
    "tag_control_docs_24m": 0,
    "tag_control_days_since": None,
    "app_bureau_score": 700,
    "app_log_requested": math.log(1 + 300_000),
    "app_term_months": 12,
    "app_face_match": 0.9,
    "app_verification_failures": 0,
}


def _one_row(factory: EngineFactory, root: Path, groups: tuple[FeatureGroup, ...] = GROUPS) -> dict[str, Any]:
    out: pa.Table = factory(root).compute(application_spine(root), groups)
    assert out.num_rows == 1
    return out.to_pylist()[0]


@pytest.fixture(scope="module")
def now_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("now")
    write_tables(root, base_tables())
    return root


@pytest.fixture(scope="module")
def features_now(engine_factory: EngineFactory, now_root: Path) -> dict[str, Any]:
    return _one_row(engine_factory, now_root)


def test_values_match_hand_computed(features_now: dict[str, Any]) -> None:
    got = {name: features_now[name] for name in EXPECTED}
    assert {n for n, v in got.items() if v is None} == {n for n, v in EXPECTED.items() if v is None}
    numbers = {n: v for n, v in EXPECTED.items() if v is not None}
    assert {n: got[n] for n in numbers} == pytest.approx(numbers, rel=1e-12)
    assert isinstance(got["reg_firm_age_days"], int)
    assert isinstance(got["gov_ss_months_12m"], int)
    assert features_now["application_id"] == "A1"
    assert all(features_now[f"avail_{g.name}"] == 1 for g in GROUPS)


def test_records_after_as_of_never_change_a_feature(
    engine_factory: EngineFactory, tmp_path_factory: pytest.TempPathFactory, features_now: dict[str, Any]
) -> None:
    root = tmp_path_factory.mktemp("later")
    write_tables(root, base_tables(), future_records())
    later = _one_row(engine_factory, root)
    assert later == features_now


def test_missing_source_is_flagged_not_fatal(engine_factory: EngineFactory, tmp_path: Path) -> None:
    tables = base_tables()
    del tables["invoices"]
    write_tables(tmp_path, tables)
    f = _one_row(engine_factory, tmp_path, (GROUPS_BY_NAME["tax"], GROUPS_BY_NAME["invoices"]))
    assert f["avail_invoices"] == 0
    assert all(f[name] is None for name in GROUPS_BY_NAME["invoices"].feature_names)
    assert f["avail_tax"] == 1
    assert f["tax_grade_score"] == 3


def test_rows_follow_the_spine_and_unknown_enterprises_get_empty_features(
    engine_factory: EngineFactory, now_root: Path
) -> None:
    spine = pa.Table.from_pylist(
        [
            {"application_id": "Z", "credit_code": "unknown", "as_of": AS_OF},
            {"application_id": CODE, "credit_code": CODE, "as_of": AS_OF},
            {"application_id": "early", "credit_code": CODE, "as_of": dt.date(2020, 1, 1)},
        ],
        schema=SPINE_SCHEMA,
    )
    groups = tuple(GROUPS_BY_NAME[name] for name in ("registration", "financial", "tax"))
    out = engine_factory(now_root).compute(spine, groups).to_pylist()
    assert [r["application_id"] for r in out] == ["Z", CODE, "early"]
    assert out[0]["reg_firm_age_days"] is None
    assert out[0]["tax_filing_months_12m"] == 0  # no declarations seen: a count of zero, not unknown
    assert out[1]["fin_debt_ratio"] == pytest.approx(0.4)
    assert out[2]["fin_debt_ratio"] is None  # before the statement was filed
    assert out[2]["reg_firm_age_days"] == (dt.date(2020, 1, 1) - dt.date(2020, 6, 15)).days


@pytest.fixture(scope="module")
def universe_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("universe")
    generate_universe(UniverseParams(enterprises=3000, seed=3), out, workers=1)
    tag_documents(Warehouse(out / "tables"), load_tagger())  # text_tags, as `riskloop text tag` writes them
    return out / "tables"


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_a_synthetic_universe(universe_tables: Path, spark: Any) -> None:
    from riskloop.features.backends.spark import SparkFeatureEngine

    as_of = dt.date(2026, 6, 30)
    spine = pa.concat_tables([application_spine(universe_tables), enterprise_spine(universe_tables, as_of)])
    duck = DuckDBFeatureEngine(universe_tables).compute(spine, GROUPS)
    sparked = SparkFeatureEngine(universe_tables, session=spark).compute(spine, GROUPS)
    assert sparked.schema == duck.schema
    assert sparked.num_rows == duck.num_rows == spine.num_rows
    assert duck.column("application_id").equals(spine.column("application_id"))
    for name in duck.column_names:
        _assert_same_column(name, duck.column(name), sparked.column(name))
    non_null = [duck.column(n).null_count < duck.num_rows for n in duck.column_names]
    assert all(non_null)  # every feature has values on the sample, so the comparison means something


def _assert_same_column(name: str, left: pa.ChunkedArray, right: pa.ChunkedArray) -> None:
    nulls = left.is_null().to_numpy(zero_copy_only=False)
    assert np.array_equal(nulls, right.is_null().to_numpy(zero_copy_only=False)), f"{name}: nulls differ"
    a = left.drop_null().to_numpy(zero_copy_only=False)
    b = right.drop_null().to_numpy(zero_copy_only=False)
    if pa.types.is_floating(left.type):
        assert np.isclose(a, b, rtol=1e-9, atol=0.0, equal_nan=True).all(), f"{name}: values differ"
    else:
        assert np.array_equal(a, b), f"{name}: values differ"
