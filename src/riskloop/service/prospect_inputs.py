"""What a prospect run reads, each behind its port: PDs without an application, graph signals, the black list.

The forecast and the screening policy are read from the model registry (``service.prospect_models``); products
from the active catalogue (``service.product_fit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from riskloop.domain.lists import BLACK
from riskloop.errors import NotFoundError
from riskloop.features.engine import FeatureEngine
from riskloop.features.publish import ENTERPRISE_GROUPS, enterprise_spine
from riskloop.graph.store import GraphStore
from riskloop.graph.tokens import Tokenizer
from riskloop.prospecting.graph_signals import GraphSignalArrays, graph_signals
from riskloop.scoring.bundle import load_serving, served_version
from riskloop.scoring.model import availability
from riskloop.service.list_ports import ListStore

FIND_CHUNK = 5_000  # credit codes per list lookup (bound parameters stay far below every driver's limit)
GANG_WINDOW_DAYS = 90.0


class NoApplicationPd:
    """PDs of the served credit model on every enterprise's published-feature profile, with no application.

    The sources only an application supplies (the application itself, the applicant's graph use) are flagged
    missing, as the model was trained to see them when an application lacks them; nothing is made up.
    """

    def __init__(self, engine: FeatureEngine, root: Path, bundle: Path, manifest_sha256: str | None = None) -> None:
        loaded = load_serving(bundle, manifest_sha256)
        self.engine, self.root, self.serving = engine, root, loaded.serving
        self._version = served_version(bundle, loaded.manifest_sha256)

    @property
    def version(self) -> str:
        """Bundle name and manifest digest."""
        return self._version

    def pds(self, as_of: dt.date) -> pa.Table:
        """``credit_code`` and ``pd`` of every enterprise as of ``as_of``."""
        features = self.engine.compute(enterprise_spine(self.root, as_of), ENTERPRISE_GROUPS)
        frame = features.to_pandas()
        for source in self.serving.sources:
            flag = availability(source)
            if flag not in frame.columns:
                frame[flag] = 0.0
        for column in self.serving.columns:
            if column not in frame.columns:
                frame[column] = np.nan
        scored = self.serving.score(frame)
        codes = features.column("application_id")  # the enterprise spine keys each row by its credit code
        return pa.table({"credit_code": codes, "pd": pa.array(scored.pd, pa.float64())})


class WorkspaceGraphSignals:
    """Graph signals from the stored graph, with usage and statuses from the warehouse as it stood on the day."""

    def __init__(
        self, connect: Callable[[dt.date], duckdb.DuckDBPyConnection], store: GraphStore, tokenizer: Tokenizer
    ) -> None:
        self.connect, self.store, self.tokenizer = connect, store, tokenizer

    @property
    def version(self) -> str:
        """The graph build read."""
        build = self.store.latest_build()
        return "none" if build is None else str(build.get("build_id", "unknown"))

    def signals(self, codes: Sequence[str], as_of: dt.date) -> GraphSignalArrays:
        """Signals of ``codes`` known before ``as_of`` (gangs among the applications of the 90 days before it)."""
        from riskloop.service.graph import load_analytics
        from riskloop.service.prerequisites import NO_GRAPH

        if self.store.latest_build() is None:
            raise NotFoundError(NO_GRAPH)
        at = dt.datetime.combine(as_of, dt.time(), dt.UTC) - dt.timedelta(seconds=1)
        con = self.connect(as_of)
        try:
            analytics = load_analytics(con, self.store, self.tokenizer, as_of=at, window_days=GANG_WINDOW_DAYS)
        finally:
            con.close()
        return graph_signals(analytics, codes, int(at.timestamp()))


class ListBlacklist:
    """Credit codes on the bank's black list, read by token in chunks (no value is opened)."""

    def __init__(self, store: ListStore) -> None:
        self.store = store

    def blacklisted(self, codes: Sequence[str], moments: Sequence[dt.datetime]) -> frozenset[str]:
        """The codes with a black entry in force at any of ``moments`` (one read of the entries)."""
        out: set[str] = set()
        for start in range(0, len(codes), FIND_CHUNK):
            keys = [("credit_code", c) for c in codes[start : start + FIND_CHUNK]]
            for (_, code), entries in self.store.find(keys).items():
                if any(e.list_kind == BLACK and e.in_force(at) for e in entries for at in moments):
                    out.add(code)
        return frozenset(out)
