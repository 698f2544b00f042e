"""Fixtures of the conformance suites: one SparkSession for the whole run, and a factory per feature engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.engine import FeatureEngine


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] SparkSession shared by every Spark test of this process (starting a JVM takes seconds)."""
    from riskloop.features.backends.spark import spark_session

    session = spark_session("local[2]", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="module", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine_factory(request: pytest.FixtureRequest) -> Callable[[Path], FeatureEngine]:
    """Builds each registered FeatureEngine backend over a directory of Parquet tables."""
    if request.param == "duckdb":
        return lambda root: DuckDBFeatureEngine(root, threads=1)
    from riskloop.features.backends.spark import SparkFeatureEngine

    session = request.getfixturevalue("spark")
    return lambda root: SparkFeatureEngine(root, session=session)
