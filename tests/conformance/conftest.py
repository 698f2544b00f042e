"""Fixtures of the conformance suites: one SparkSession for the whole run, a factory per feature engine, and the
stores of the use-case ports on each backend (the in-memory fake, SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from port_backends import (
    AlertBackend,
    CollectionBackend,
    KeyBackend,
    OutboxBackend,
    ReviewBackend,
    StrategyBackend,
    memory_alerts,
    memory_collections,
    memory_keys,
    memory_outbox,
    memory_reviews,
    memory_strategies,
    sql_alerts,
    sql_collections,
    sql_keys,
    sql_outbox,
    sql_reviews,
    sql_strategies,
)

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.backends.spark import SPARK_EXTRA
from riskloop.features.engine import FeatureEngine
from riskloop.storage.collection_models import call_findings, collection_plans, collection_records, qa_cases
from riskloop.storage.decision_models import audit_log
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade

COLLECTION_TABLES = (call_findings, qa_cases, collection_records, collection_plans, audit_log)  # children first


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] SparkSession shared by every Spark test of this process (starting a JVM takes seconds)."""
    pytest.importorskip("pyspark", reason=f"PySpark is the optional spark extra: {SPARK_EXTRA}")
    from riskloop.features.backends.spark import spark_session

    session = spark_session("local[2]", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="module", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine_factory(request: pytest.FixtureRequest) -> Callable[[Path], FeatureEngine]:
    """Builds each registered FeatureEngine backend over a directory of Parquet tables."""
    if request.param == "duckdb":
        return lambda root: DuckDBFeatureEngine(root, threads=1)
    session = request.getfixturevalue("spark")  # skips without the spark extra
    from riskloop.features.backends.spark import SparkFeatureEngine

    return lambda root: SparkFeatureEngine(root, session=session)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def port_engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine | None]:
    """``None`` for the in-memory fakes, else an engine on a fresh, migrated database of that backend."""
    if request.param == "memory":
        yield None
        return
    url = str(request.getfixturevalue(f"{request.param}_url"))
    if request.param == "sqlite":
        request.getfixturevalue("migrated_copy")(url)
    else:
        upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def reviews(port_engine: sa.Engine | None) -> ReviewBackend:
    """A ReviewStore on each backend."""
    return memory_reviews() if port_engine is None else sql_reviews(port_engine)


@pytest.fixture
def strategies(port_engine: sa.Engine | None) -> StrategyBackend:
    """A StrategyStore on each backend."""
    return memory_strategies() if port_engine is None else sql_strategies(port_engine)


@pytest.fixture
def keys(port_engine: sa.Engine | None) -> KeyBackend:
    """An ApiKeyStore on each backend."""
    return memory_keys() if port_engine is None else sql_keys(port_engine)


@pytest.fixture
def alert_stores(port_engine: sa.Engine | None) -> AlertBackend:
    """An AlertStore, and the OutboxStore its messages go to, on each backend."""
    return memory_alerts() if port_engine is None else sql_alerts(port_engine)


@pytest.fixture
def outboxes(port_engine: sa.Engine | None) -> OutboxBackend:
    """An OutboxStore on each backend, and how a change writes to it."""
    return memory_outbox() if port_engine is None else sql_outbox(port_engine)


@pytest.fixture(scope="module", params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_port_engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine | None]:
    """``port_engine`` migrated once per module: its tests empty the tables they use (a migration costs ~1 s)."""
    if request.param == "memory":
        yield None
        return
    url = str(request.getfixturevalue(f"module_{request.param}_url"))
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def collection_stores(module_port_engine: sa.Engine | None) -> CollectionBackend:
    """A CollectionStore on each backend, its tables (and the audit log) empty."""
    if module_port_engine is None:
        return memory_collections()
    with module_port_engine.begin() as conn:
        for table in COLLECTION_TABLES:
            conn.execute(table.delete())
    return sql_collections(module_port_engine)
