"""InMemoryGraphStore: the GraphStore port in memory, for tests and embedded use."""

from __future__ import annotations

import datetime as dt

from riskloop.graph.build import GraphTables


class InMemoryGraphStore:
    """Keeps the last written graph and its build record."""

    def __init__(self) -> None:
        self._tables: GraphTables | None = None
        self._build: dict[str, object] | None = None

    def write(
        self, tables: GraphTables, build_id: str, built_at: dt.datetime, key_fingerprint: str | None = None
    ) -> None:
        """Replace the stored graph with ``tables``."""
        self._tables = tables
        self._build = {
            "build_id": build_id,
            "built_at": built_at.isoformat(),
            "counts": tables.counts(),
            "node_count": tables.nodes.num_rows,
            "edge_count": tables.edges.num_rows,
            "key_fingerprint": key_fingerprint,
        }

    def read(self) -> GraphTables | None:
        """The stored graph, or ``None`` if none was written."""
        return self._tables

    def latest_build(self) -> dict[str, object] | None:
        """The last build record, or ``None``."""
        return self._build

    def stored_rows(self) -> tuple[int, int]:
        """Nodes and edges held."""
        if self._tables is None:
            return 0, 0
        return self._tables.nodes.num_rows, self._tables.edges.num_rows
