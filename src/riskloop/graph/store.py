"""The GraphStore port: where the graph is persisted (SQL by default; a graph database can implement it too)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from riskloop.graph.build import GraphTables


class GraphStore(Protocol):
    """Writes the node and edge tables of a build and reads them back to rebuild the in-memory graph."""

    def write(
        self, tables: GraphTables, build_id: str, built_at: dt.datetime, key_fingerprint: str | None = None
    ) -> None:
        """Replace the stored graph with ``tables`` (tokens made under the key of ``key_fingerprint``)."""
        ...

    def read(self) -> GraphTables | None:
        """The stored graph, or ``None`` if none was built."""
        ...

    def latest_build(self) -> dict[str, object] | None:
        """``build_id``, ``built_at``, counts and ``key_fingerprint`` of the stored graph, or ``None``."""
        ...

    def stored_rows(self) -> tuple[int, int]:
        """Rows of nodes and edges present now (a build's counts are checked against them)."""
        ...
