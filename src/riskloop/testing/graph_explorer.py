"""A generated universe's graph loaded as the serving process holds it, for the graph API's tests and benchmark."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from riskloop.domain.clock import Clock
from riskloop.domain.tables import table
from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.build import build_graph
from riskloop.graph.explore import GraphView
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import NEVER, EnterpriseStatus, read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.privacy.envelope import Sealer
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.storage.models import CONTRACT_TABLES
from riskloop.storage.protected import Protector, store_vault
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.testing.graph_fixtures import TEST_KEY, tiny_graph, universe_views

TOKENS = Tokenizer(TEST_KEY)
EXAMPLE_CODES = ("91420100000000001Y", "914201000000000022")  # those of ``api.graph_schemas``' examples


def universe(out: Path, enterprises: int, seed: int = 4242) -> Path:
    """A seeded universe of ``enterprises`` (with its fraud rings) at ``out``."""
    generate_universe(UniverseParams(enterprises=enterprises, seed=seed, chunk_size=enterprises), out, workers=1)
    return out


def loaded_checks(where: Path, tokenizer: Tokenizer, clock: Clock) -> WorkspaceGraphChecks:
    """Graph checks over the universe at ``where`` with its view, gangs over all its applications (no window)."""
    con = universe_views(where)
    usage = read_usage(con, tokenizer)
    at = int(usage.at.max())
    analytics = GraphAnalytics.load(build_graph(con, tokenizer), usage, read_status(con), tokenizer, as_of=at)
    view = GraphView(analytics.graph, tokenizer, analytics.status, analytics.gangs)
    return WorkspaceGraphChecks(analytics.checks, clock, view=view)


def register(engine: sa.Engine, where: Path, tokenizer: Tokenizer, sealer: Sealer) -> None:
    """Load the universe's enterprises and persons into the database as an ingest stores them (names sealed)."""
    with engine.begin() as conn:
        for name in ("enterprises", "persons"):
            spec = table(name)
            data = pq.read_table(where / "tables" / name).select([c.name for c in spec.columns])
            if "valid_from" in data.column_names:  # an ingest's as-of day where a version names none
                index = data.schema.get_field_index("valid_from")
                filled = pc.coalesce(data["valid_from"], data["established_date"])
                data = data.set_column(index, "valid_from", filled)
            protected, vault = Protector(tokenizer, sealer).protect(spec, data)
            conn.execute(sa.insert(CONTRACT_TABLES[name]), protected.to_pylist())
            store_vault(conn, vault)


class ViewSource:
    """The GraphSource port over one view (in memory): reads serialised by a lock of its own."""

    def __init__(self, view: GraphView | None) -> None:
        self.view = view
        self._lock = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[GraphView | None]:
        """The view, under the lock."""
        with self._lock:
            yield self.view


def example_source() -> ViewSource:
    """A small graph around the API examples' enterprises: a shared legal representative, the other known bad.

    The examples' neighbourhood, path and nearest-bad answer 200 (the fuzzing suite's operations reach them).
    """
    one, other = EXAMPLE_CODES
    nodes = [("enterprise", one), ("person", "110105199003071239"), ("enterprise", other), ("phone", "13800138000")]
    edges = [(0, 1, "legal_rep", 1_554_163_200, None), (2, 1, "legal_rep", 1_636_934_400, None),
             (0, 3, "uses_phone", 0, None), (2, 3, "uses_phone", 0, None)]  # fmt: skip
    status = EnterpriseStatus(
        {one: 0, other: 1}, np.zeros(2, np.int64),
        {"dishonest": np.array([NEVER, 0]), "enforcement": np.full(2, NEVER), "default": np.full(2, NEVER)},
    )  # fmt: skip
    return ViewSource(GraphView(EnterpriseGraph(tiny_graph(nodes, edges, TOKENS)), TOKENS, status))
