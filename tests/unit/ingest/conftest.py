"""Fixtures for ingest tests: run an ingest and read back what was loaded and quarantined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.config import Settings
from riskloop.domain.clock import FixedClock
from riskloop.ingest.report import IngestResult
from riskloop.io.warehouse import Warehouse
from riskloop.workspace import Workspace

NOW = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)


class Harness:
    """Runs ingest on a workspace and reads back the outcome."""

    def __init__(self, settings: Settings, source: Path) -> None:
        self.settings, self.source = settings, source

    def run(self, **kw: Any) -> IngestResult:
        with Workspace.open(self.settings, clock=FixedClock(NOW)) as ws:
            return ws.ingest(self.source, **kw)

    def loaded(self, name: str, order_by: str) -> list[dict[str, Any]]:
        wh = Warehouse(self.settings.warehouse)
        if name not in wh.tables():
            return []
        con = wh.connect()
        # Through Arrow: DuckDB's own fetchall() of TIMESTAMPTZ needs pytz, which is not installed.
        rows: list[dict[str, Any]] = con.sql(f"SELECT * FROM {name} ORDER BY {order_by}").to_arrow_table().to_pylist()
        return rows

    def quarantine(self, run_id: str | None = None) -> list[dict[str, Any]]:
        engine = sa.create_engine(self.settings.database_url)
        query = "SELECT * FROM quarantine" + (" WHERE run_id = :r" if run_id else "") + " ORDER BY id"
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.text(query), {"r": run_id})]
        engine.dispose()
        return rows

    def open_raw(self, sealed: str) -> Any:
        """A quarantined row as read, opened with the workspace's PII keys."""
        from riskloop.privacy.fields import open_raw

        with Workspace.open(self.settings, migrate=False) as ws:
            return open_raw(ws.sealer(), sealed)

    def sql_rows(self, name: str) -> list[dict[str, Any]]:
        engine = sa.create_engine(self.settings.database_url)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {name}"))]
        engine.dispose()
        return rows


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "input"
    path.mkdir()
    return path


@pytest.fixture
def harness(settings: Settings, source: Path) -> Harness:
    return Harness(settings, source)


@pytest.fixture
def reasons() -> Callable[[list[dict[str, Any]]], list[tuple[int, str | None, str]]]:
    """(row_number, field, reason) of quarantine records."""
    return lambda records: [(r["row_number"], r["field"], r["reason"]) for r in records]
