"""Whether the stored graph can be decided on: built under this workspace's key, with every edge it counted.

A graph whose tokens were made under another key matches no live application (every identifier tokenises
differently), and a graph whose edges are gone links nobody: either would let a ring through unseen. Both are
refused here, at start and on each re-check, and the graph's checks are then unavailable (every application is
referred with DATA_UNAVAILABLE_GRAPH).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from riskloop.errors import DataSourceError, NotFoundError

KEY_MISMATCH = "key fingerprint does not match the build (restore secrets/graph.key or rebuild)"
REBUILD = "(rebuild: riskloop graph build)"


class StoredBuild(Protocol):
    """The latest build record and the rows the store holds (the graph store is one)."""

    def latest_build(self) -> dict[str, object] | None:
        """``build_id``, ``built_at``, ``node_count``, ``edge_count`` and ``key_fingerprint``, or ``None``."""
        ...

    def stored_rows(self) -> tuple[int, int]:
        """Rows of nodes and edges present."""
        ...


def verify_graph(store: StoredBuild, fingerprint: Callable[[], str]) -> str:
    """What was verified of the latest build; DataSourceError saying what is wrong, NotFoundError if none was built.

    ``fingerprint`` gives the fingerprint of the workspace's key (``graph.tokens.key_fingerprint``); it raises
    DataSourceError when the key file is missing. A build recorded before fingerprints were (no
    ``key_fingerprint``) cannot be checked for its key and is accepted on its counts.
    """
    from riskloop.service.prerequisites import NO_GRAPH

    build = store.latest_build()
    if build is None:
        raise NotFoundError(NO_GRAPH)
    recorded = build.get("key_fingerprint")
    mine = fingerprint()
    if recorded is not None and recorded != mine:
        raise DataSourceError(KEY_MISMATCH)
    nodes, edges = store.stored_rows()
    expected_nodes, expected_edges = _count(build, "node_count"), _count(build, "edge_count")
    if expected_edges == 0 or edges == 0:
        raise DataSourceError(f"build {build['build_id']} has no edges {REBUILD}")
    if (nodes, edges) != (expected_nodes, expected_edges):
        raise DataSourceError(
            f"{nodes:,} nodes and {edges:,} edges stored, build {build['build_id']} counted "
            f"{expected_nodes:,} and {expected_edges:,} {REBUILD}"
        )
    key = "key verified" if recorded is not None else "key not recorded (built before 0011)"
    return f"graph {build['build_id']}: {edges:,} edges, {key}"


def _count(build: dict[str, object], name: str) -> int:
    value = build.get(name)
    return int(value) if isinstance(value, int | str) else -1
