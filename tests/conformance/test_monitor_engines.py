"""Monitoring SQL conformance: DuckDB and Spark fold the same aggregates and compute the same signals;
the MonitorRuns store keeps run records alike in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa

from riskloop.domain.monitor_run import DONE, RUNNING, MonitorRun
from riskloop.monitoring.engine import DuckDBRunner, compute_signals, fold_days
from riskloop.monitoring.store import ORIGIN
from riskloop.synth.universe import UniverseParams, generate_universe
from riskloop.testing.memory_monitor_runs import MemoryMonitorRuns

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def small_universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monitor-universe")
    generate_universe(UniverseParams(enterprises=800, seed=5), out, workers=1)
    return out / "tables"


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_aggregates_and_signals(small_universe: Path, spark: Any) -> None:
    from riskloop.monitoring.spark import SparkRunner

    duck, sparked = DuckDBRunner(small_universe, threads=1), SparkRunner(small_universe, session=spark)
    cut, day = dt.date(2025, 11, 30), dt.date(2026, 1, 31)
    daily = fold_days(duck, ORIGIN, cut)
    assert fold_days(sparked, ORIGIN, cut).equals(daily)
    later = fold_days(duck, cut, day)
    assert fold_days(sparked, cut, day).equals(later)
    both = pa.concat_tables([daily, later])
    left, right = compute_signals(duck, both, day), compute_signals(sparked, both, day)
    assert left.schema == right.schema
    assert left.num_rows == right.num_rows > 10
    for name in left.column_names:
        a, b = left[name].to_pylist(), right[name].to_pylist()
        if isinstance(next((v for v in a if v is not None), None), float):
            assert [v is None for v in a] == [v is None for v in b], name
            assert [v for v in a if v is not None] == pytest.approx([v for v in b if v is not None], rel=1e-9), name
        else:
            assert a == b, name


def test_run_records_are_kept_alike(port_engine: sa.Engine | None) -> None:
    from riskloop.storage.monitor_runs import SQLMonitorRuns

    store: Any = MemoryMonitorRuns() if port_engine is None else SQLMonitorRuns(port_engine)
    day = dt.date(2026, 3, 31)
    assert store.get(day) is None
    assert store.latest() is None
    store.put(MonitorRun(day, RUNNING, "warning-reference@1", NOW))
    assert store.latest() is None
    done = MonitorRun(day, DONE, "warning-reference@1", NOW, NOW, 12, {"warning": 2, "none": 10}, 3, 1, 0, 2)
    store.put(done)
    store.put(MonitorRun(dt.date(2026, 2, 28), DONE, "warning-reference@1", NOW, NOW))
    assert store.get(day) == done
    assert store.latest() == done


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_a_fold_of_some_files_and_enterprises(small_universe: Path, spark: Any) -> None:
    from riskloop.monitoring.engine import table_files
    from riskloop.monitoring.spark import SparkRunner

    duck, sparked = DuckDBRunner(small_universe, threads=1), SparkRunner(small_universe, session=spark)
    files = {"invoices": table_files(small_universe, "invoices")[:1], "account_transactions": []}
    codes = sorted(set(fold_days(duck, ORIGIN, dt.date(2026, 1, 31))["credit_code"].to_pylist()))[::3]
    some = fold_days(duck, ORIGIN, dt.date(2026, 1, 31), files=files, only=codes)
    assert some.num_rows > 0
    assert set(some["credit_code"].to_pylist()) <= set(codes)
    assert pa.compute.sum(some["inflow_cents"]).as_py() in (0, None)  # no transaction file read
    assert fold_days(sparked, ORIGIN, dt.date(2026, 1, 31), files=files, only=codes).equals(some)
