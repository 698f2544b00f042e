"""A small seeded universe shared by the graph integration tests (generated once per worker)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

GRAPH_N = 5_000
GRAPH_SEED = 4242


@pytest.fixture(scope="session")
def graph_universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5,000-enterprise universe with three rings of each shape."""
    out = tmp_path_factory.mktemp("graph-universe") / "u"
    generate_universe(UniverseParams(enterprises=GRAPH_N, seed=GRAPH_SEED, chunk_size=GRAPH_N), out, workers=1)
    return out


@pytest.fixture(scope="session")
def truth(graph_universe: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Ring of each member application, and shape of each ring (evaluation only)."""
    members = pq.read_table(graph_universe / "truth" / "ring_members.parquet").to_pylist()
    rings = pq.read_table(graph_universe / "truth" / "rings.parquet").to_pylist()
    return {m["application_id"]: m["ring_id"] for m in members}, {r["ring_id"]: r["shape"] for r in rings}
