"""InMemoryGraphStore: the GraphStore port in memory, for tests and embedded use."""

from __future__ import annotations

import datetime as dt

from riskloop.graph.build import GraphTables


class InMemoryGraphStore:
    """Keeps the last written graph and its build record."""

    def __init__(self) -> None:
        self._tables: GraphTables | None = None
        self._build: dict[str, object] | None = None

    def write(self, tables: GraphTables, build_id: str, built_at: dt.datetime) -> None:
        """Replace the stored graph with ``tables``."""
        self._tables = tables
        self._build = {"build_id": build_id, "built_at": built_at.isoformat(), "counts": tables.counts()}

    def read(self) -> GraphTables | None:
        """The stored graph, or ``None`` if none was written."""
        return self._tables

    def latest_build(self) -> dict[str, object] | None:
        """The last build record, or ``None``."""
        return self._build
