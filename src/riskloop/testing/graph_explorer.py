"""A generated universe's graph loaded as the serving process holds it, for the graph API's tests and benchmark."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from riskloop.domain.clock import Clock
from riskloop.domain.tables import table
from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.build import build_graph
from riskloop.graph.explore import GraphView
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.privacy.envelope import Sealer
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.storage.models import CONTRACT_TABLES
from riskloop.storage.protected import Protector, store_vault
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.testing.graph_fixtures import universe_views


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
