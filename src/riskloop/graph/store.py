"""The GraphStore port: where the graph is persisted (SQL by default; a graph database can implement it too)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from riskloop.graph.build import GraphTables


class GraphStore(Protocol):
    """Writes the node and edge tables of a build and reads them back to rebuild the in-memory graph."""

    def write(self, tables: GraphTables, build_id: str, built_at: dt.datetime) -> None:
        """Replace the stored graph with ``tables``."""
        ...

    def read(self) -> GraphTables | None:
        """The stored graph, or ``None`` if none was built."""
        ...

    def latest_build(self) -> dict[str, object] | None:
        """``build_id``, ``built_at`` and counts of the stored graph, or ``None``."""
        ...
