"""Graph use cases: build and persist the graph from the ingested tables; load the analytics back; find a gang."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np

from riskloop.domain.clock import Clock
from riskloop.domain.lists import DetectedGang, GraphIdentifier
from riskloop.errors import NotFoundError
from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.build import build_graph
from riskloop.graph.gangs import Gang, GangSettings, detect_gangs, window_mask
from riskloop.graph.shared import describe, shared_identifiers
from riskloop.graph.status import read_status
from riskloop.graph.store import GraphStore
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import Usage, read_usage
from riskloop.service.ports import Progress, no_progress
from riskloop.service.prerequisites import NO_GRAPH


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    build_id: str
    counts: dict[str, dict[str, int]]
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        nodes, edges = self.counts["nodes"], self.counts["edges"]
        return {
            "build_id": self.build_id,
            "nodes": sum(nodes.values()),
            "edges": sum(edges.values()),
            "counts": self.counts,
            "seconds": self.seconds,
        }


def build_and_store(
    con: duckdb.DuckDBPyConnection,
    store: GraphStore,
    tokenizer: Tokenizer,
    clock: Clock,
    progress: Progress = no_progress,
) -> BuildResult:
    """Build the graph from the ingested tables on ``con`` and persist it in ``store``."""
    started = time.perf_counter()
    tables = build_graph(con, tokenizer, progress)
    built = time.perf_counter()
    progress("persisting edges", 0, tables.edges.num_rows)
    now = clock.now()
    build_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    store.write(tables, build_id, now, tokenizer.fingerprint)
    progress("persisting edges", tables.edges.num_rows, tables.edges.num_rows)
    seconds = {"build": round(built - started, 3), "persist": round(time.perf_counter() - built, 3)}
    return BuildResult(build_id, tables.counts(), seconds)


def load_analytics(
    con: duckdb.DuckDBPyConnection,
    store: GraphStore,
    tokenizer: Tokenizer,
    *,
    as_of: dt.datetime,
    settings: GangSettings | None = None,
    window_days: float | None = None,
) -> GraphAnalytics:
    """The stored graph plus usage and status from ``con``, as analytics as of ``as_of``.

    Gangs are detected over applications in the ``window_days`` before ``as_of`` (all if ``None``).
    """
    tables = store.read()
    if tables is None:
        raise NotFoundError(NO_GRAPH)
    usage = read_usage(con, tokenizer)
    until = int(as_of.timestamp())
    since = None if window_days is None else until - int(window_days * 86_400)
    return GraphAnalytics.load(tables, usage, read_status(con), tokenizer, as_of=until, settings=settings, since=since)


def detect_workspace_gangs(
    con: duckdb.DuckDBPyConnection,
    store: GraphStore,
    tokenizer: Tokenizer,
    *,
    until: int | None = None,
    window_days: float | None = None,
    max_parties: int = GangSettings.max_parties,
) -> dict[str, object]:
    """Gangs among the workspace's applications in the window ending at ``until`` (default: the latest)."""
    settings = GangSettings(max_parties=max_parties)
    _, gangs, since, end, in_window = _detect(
        con, store, tokenizer, until=until, window_days=window_days, settings=settings
    )
    return {
        "gangs": [g.to_dict() for g in gangs],
        "applications": int(in_window.sum()),
        "since": since,
        "until": end,
        "settings": {"max_parties": max_parties, "window_days": window_days},
    }


def _detect(
    con: duckdb.DuckDBPyConnection,
    store: GraphStore,
    tokenizer: Tokenizer,
    *,
    until: int | None,
    window_days: float | None,
    settings: GangSettings,
) -> tuple[Usage, list[Gang], int | None, int, np.ndarray]:
    if store.latest_build() is None:
        raise NotFoundError(NO_GRAPH)
    usage = read_usage(con, tokenizer)
    end = until if until is not None else (int(usage.at.max()) if usage.n_apps else 0)
    since = None if window_days is None else end - int(window_days * 86_400)
    gangs = detect_gangs(usage, settings, status=read_status(con), since=since, until=end)
    return usage, gangs, since, end, window_mask(usage, since, end)


class WorkspaceGangFinder:
    """GangFinder on the workspace: detection as ``riskloop graph gangs`` runs it, the shared identifiers by key.

    ``connect`` opens a DuckDB connection over the warehouse (closed after each search).
    """

    def __init__(
        self, connect: Callable[[], duckdb.DuckDBPyConnection], store: GraphStore, tokenizer: Tokenizer
    ) -> None:
        self.connect, self.store, self.tokenizer = connect, store, tokenizer

    def gang(self, gang_id: str, *, until: dt.datetime | None = None, window_days: float | None = None) -> DetectedGang:
        """The gang ``gang_id`` in the window ending at ``until`` (default: the latest application)."""
        settings = GangSettings()
        con = self.connect()
        try:
            end = None if until is None else int(until.timestamp())
            usage, gangs, _, _, in_window = _detect(con, self.store, self.tokenizer, until=end,
                                                    window_days=window_days, settings=settings)  # fmt: skip
        finally:
            con.close()
        gang = next((g for g in gangs if g.gang_id == gang_id), None)
        if gang is None:
            raise NotFoundError(f"gang {gang_id}: not among the {len(gangs)} gangs detected (same window and as-of?)")
        found = shared_identifiers(usage, gang.members, in_window, settings)
        tables = self.store.read() if found else None
        shared = describe(found, None if tables is None else tables.nodes)
        identifiers = tuple(GraphIdentifier(s.kind, s.token, s.label, s.link, s.enterprises) for s in shared)
        return DetectedGang(gang.gang_id, tuple(gang.credit_codes), identifiers)
