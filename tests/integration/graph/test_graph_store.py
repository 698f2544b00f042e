"""The graph store round trip on SQLite and PostgreSQL, and the in-memory fake."""

import datetime as dt

import pytest

from riskloop.graph.build import build_graph
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.tokens import Tokenizer
from riskloop.io.warehouse import Warehouse
from riskloop.storage.engine import make_engine
from riskloop.storage.graph_store import SQLGraphStore
from riskloop.storage.migrate import upgrade
from riskloop.testing.fake_graph_store import InMemoryGraphStore
from riskloop.testing.graph_fixtures import TEST_KEY

BUILT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tables(graph_universe):
    return build_graph(Warehouse(graph_universe / "tables").connect(), Tokenizer(TEST_KEY))


@pytest.fixture
def store(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    yield SQLGraphStore(engine)
    engine.dispose()


def test_sql_store_round_trip(store, tables):
    assert store.read() is None
    assert store.latest_build() is None
    store.write(tables, "b1", BUILT, "f" * 64)
    back = store.read()
    assert back is not None
    assert back.nodes.equals(tables.nodes)
    assert back.edges.equals(tables.edges)
    assert store.latest_build() == {"build_id": "b1", "built_at": BUILT.isoformat(), "counts": tables.counts(),
                                    "node_count": tables.nodes.num_rows, "edge_count": tables.edges.num_rows,
                                    "key_fingerprint": "f" * 64}  # fmt: skip
    assert store.stored_rows() == (tables.nodes.num_rows, tables.edges.num_rows)
    store.write(tables, "b2", BUILT + dt.timedelta(hours=1))  # a rebuild replaces the graph
    assert store.read().edges.num_rows == tables.edges.num_rows
    assert EnterpriseGraph(store.read()).n_edges == tables.edges.num_rows


def test_fake_store_behaves_like_the_sql_one(tables):
    store = InMemoryGraphStore()
    assert store.read() is None
    store.write(tables, "b1", BUILT)
    assert store.read() is tables
    assert store.latest_build()["counts"] == tables.counts()


def test_no_raw_pii_in_the_stored_graph(tables, graph_universe):
    import pyarrow.parquet as pq

    apps = pq.read_table(next((graph_universe / "tables" / "applications").glob("*.parquet"))).to_pylist()[:50]
    text = " ".join(tables.nodes["token"].to_pylist() + tables.nodes["label"].to_pylist())
    for app in apps:
        for field in ("phone", "applicant_id", "email", "bank_account", "device_id"):
            if app[field]:
                assert app[field] not in text, field
