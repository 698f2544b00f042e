"""Invoices to consumers (no credit code): features and the trade graph count enterprise buyers only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS_BY_NAME
from riskloop.features.spine import application_spine
from riskloop.graph.relations import RELATIONS
from riskloop.testing.feature_fixtures import CODE, base_tables, write_tables
from riskloop.testing.tables import row


def _consumer_sales(n: int) -> list[dict[str, object]]:
    return [
        row(
            "invoices",
            invoice_no=f"9{i:019d}",
            seller_code=CODE,
            buyer_code=None,
            buyer_kind="consumer",
            issue_date=dt.date(2025, 2, 1 + i),
            amount_cents=1000_00,
            tax_cents=30_00,
        )
        for i in range(n)
    ]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_tables(tmp_path, base_tables(), {"invoices": _consumer_sales(2)})
    return tmp_path


def test_consumer_sales_count_as_sales_but_not_as_identified_customers(root: Path) -> None:
    spine = application_spine(root)
    f = DuckDBFeatureEngine(root, threads=1).compute(spine, [GROUPS_BY_NAME["invoices"]]).to_pylist()[0]
    assert f["inv_sales_count_12m"] == 6  # four to two enterprises, two to consumers
    assert f["inv_customers"] == 2
    # 2,000 yuan to each enterprise buyer, 1,000 to each consumer (each its own buyer) of 6,000
    assert f["inv_customer_hhi"] == pytest.approx(2 * (2 / 6) ** 2 + 2 * (1 / 6) ** 2)


def test_the_trade_graph_has_no_edge_to_a_consumer(root: Path) -> None:
    relation = next(r for r in RELATIONS if r.name == "invoice_trade")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW invoices AS SELECT * FROM read_parquet('{root}/invoices/*.parquet')")
    edges = con.sql(relation.sql).fetchall()
    assert len(edges) == 2
    assert all(dst is not None for _, dst, *_ in edges)
