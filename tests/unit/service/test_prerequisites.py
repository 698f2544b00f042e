"""Prerequisite checks: each names the command to run first, the earliest missing step when several are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from riskloop.domain.clock import FixedClock
from riskloop.domain.strategy_lifecycle import ACTIVE, StrategyVersion
from riskloop.errors import NotFoundError
from riskloop.graph.build import EDGE_SCHEMA, NODE_SCHEMA, GraphTables
from riskloop.io.warehouse import Warehouse
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.service import prerequisites as pre
from riskloop.service.readiness import Probe, readiness
from riskloop.testing.fake_feature_store import InMemoryFeatureStore
from riskloop.testing.fake_graph_store import InMemoryGraphStore
from riskloop.testing.memory_strategies import MemoryStrategies
from riskloop.testing.tables import credit_code, row, write_table

AT = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def empty(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "empty")


@pytest.fixture
def enterprises_only(tmp_path: Path) -> Warehouse:
    write_table(tmp_path / "warehouse", "enterprises", [row("enterprises", credit_code=credit_code(1))])
    return Warehouse(tmp_path / "warehouse")


def test_nothing_ingested_names_ingest(empty: Warehouse) -> None:
    with pytest.raises(NotFoundError, match=r"^no data ingested yet \(run: riskloop ingest DIR, or riskloop demo\)$"):
        pre.require_ingested(empty)


def test_missing_tables_are_named(enterprises_only: Warehouse) -> None:
    assert pre.require_ingested(enterprises_only, ("enterprises",)) == "1 tables ingested"
    with pytest.raises(NotFoundError, match=r"^no applications, loans ingested yet \(run: riskloop ingest DIR"):
        pre.require_ingested(enterprises_only, ("applications", "enterprises", "loans"))


def test_no_graph_names_graph_build_or_ingest_when_nothing_is_ingested(
    empty: Warehouse, enterprises_only: Warehouse
) -> None:
    store = InMemoryGraphStore()
    with pytest.raises(NotFoundError, match=r"^no graph built yet \(run: riskloop graph build\)$"):
        pre.require_graph(store, enterprises_only)
    with pytest.raises(NotFoundError, match="riskloop ingest"):
        pre.require_graph(store, empty)
    store.write(GraphTables(NODE_SCHEMA.empty_table(), EDGE_SCHEMA.empty_table()), "b1", AT)
    assert pre.require_graph(store, empty).startswith(
        "graph b1 built at 2026-07-01"
    )  # built: the warehouse is not read


def test_features_of_another_feature_set_do_not_count(enterprises_only: Warehouse) -> None:
    store = InMemoryFeatureStore(FixedClock(AT))
    store.publish("old-set", AT.date(), pa.table({"credit_code": [credit_code(1)], "x": [1.0]}))
    with pytest.raises(NotFoundError, match=r"under feature set new-set yet \(run: riskloop features publish\)$"):
        pre.require_published_features(store, "new-set", enterprises_only)
    store.publish("new-set", AT.date(), pa.table({"credit_code": [credit_code(1)], "x": [1.0]}))
    assert pre.require_published_features(store, "new-set") == "1 enterprises published under feature set new-set"


def test_strategies_load_or_have_an_active_version() -> None:
    assert pre.require_strategy(PackageStrategyLoader(), "reference@1") == "reference@1 found"
    with pytest.raises(NotFoundError, match="reference@99"):
        pre.require_strategy(PackageStrategyLoader(), "reference@99")

    store = MemoryStrategies()
    with pytest.raises(NotFoundError, match=r"strategy reference: no active version \(serve reference@VERSION"):
        pre.require_active_strategy(store, "reference")
    store.stored["reference", 2] = StrategyVersion("reference", 2, ACTIVE, "ann", "bob", "0" * 64, AT)
    assert pre.require_active_strategy(store, "reference") == "reference: active reference@2"


def test_require_all_lists_each_missing_step_once_in_order(empty: Warehouse) -> None:
    def missing_model() -> str:
        raise NotFoundError("no model (run: riskloop train)")

    checks: dict[str, Probe] = {
        "data": lambda: pre.require_ingested(empty),
        "model": missing_model,
        "graph": lambda: pre.require_graph(InMemoryGraphStore(), empty),  # the same missing step as "data"
        "strategy": lambda: pre.require_strategy(PackageStrategyLoader(), "reference@1"),
    }
    with pytest.raises(NotFoundError) as raised:
        pre.require_all("not ready", checks)
    assert str(raised.value) == f"not ready: {pre.NO_DATA}; no model (run: riskloop train)"
    assert pre.require_all("ready", {"strategy": checks["strategy"]}) == {"strategy": "reference@1 found"}


def test_checks_are_readiness_probes(empty: Warehouse, enterprises_only: Warehouse) -> None:
    found = readiness(
        {
            "data": lambda: pre.require_ingested(enterprises_only),
            "graph": lambda: pre.require_graph(InMemoryGraphStore(), empty),
        }
    )
    assert [(c.name, c.ok) for c in found.checks] == [("data", True), ("graph", False)]
    assert found.failed() == f"graph: {pre.NO_DATA}"
