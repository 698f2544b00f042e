"""The ingest tests' harness: a workspace over a source folder (a module of its own: ``conftest`` is ambiguous)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from riskloop.config import Settings
from riskloop.domain.clock import FixedClock
from riskloop.domain.tables import table
from riskloop.ingest.report import IngestResult
from riskloop.io.warehouse import Warehouse
from riskloop.storage.protected import is_protected, personal_columns
from riskloop.workspace import Workspace

NOW = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)


class Harness:
    """Runs ingest on a workspace and reads back the outcome."""

    def __init__(self, settings: Settings, source: Path) -> None:
        self.settings, self.source = settings, source

    @staticmethod
    def dated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Enterprise rows as loaded without a valid-from: it is the run's as-of day, the clock's here."""
        return [r | {"valid_from": NOW.date()} for r in rows]

    def run(self, **kw: Any) -> IngestResult:
        with Workspace.open(self.settings, clock=FixedClock(NOW)) as ws:
            return ws.ingest(self.source, **kw)

    def stored(self, name: str, order_by: str) -> list[dict[str, Any]]:
        """Rows of ``name`` in the warehouse as stored: every personal value protected (asserted)."""
        wh = Warehouse(self.settings.warehouse)
        if name not in wh.tables():
            return []
        con = wh.connect()
        # Through Arrow: DuckDB's own fetchall() of TIMESTAMPTZ needs pytz, which is not installed.
        rows: list[dict[str, Any]] = con.sql(f"SELECT * FROM {name} ORDER BY {order_by}").to_arrow_table().to_pylist()
        for column in personal_columns(table(name)):
            raw = [r[column.name] for r in rows if r[column.name] is not None and not is_protected(r[column.name])]
            if column.pii_by is None:
                assert raw == [], f"{name}.{column.name} stored raw"
        return rows

    def loaded(self, name: str, order_by: str) -> list[dict[str, Any]]:
        """Rows of ``name`` with their personal values opened from the vault: what was written, nothing lost."""
        rows = self.stored(name, order_by)
        with Workspace.open(self.settings, migrate=False, clock=FixedClock(NOW)) as ws:
            vault = ws.vault()
            for column in personal_columns(table(name)):
                kinds = [column.pii_kind] if column.pii_kind else [k for _, k in column.pii_by or ()]
                values = [r[column.name] for r in rows if r[column.name] is not None]
                opened: dict[str, str] = {}
                for kind in kinds:
                    opened |= vault.open_all(kind, values, actor="test", purpose="tests", at=NOW)
                for r in rows:
                    r[column.name] = opened.get(r[column.name], r[column.name])
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
