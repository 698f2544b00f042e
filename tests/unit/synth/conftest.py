"""Universes generated once per test session for the synth tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

STATS_N = 20_000


@pytest.fixture(scope="session")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A moderate universe (20,000 enterprises, two workers, two chunks) for contract and statistics tests."""
    out = tmp_path_factory.mktemp("universe") / "u"
    generate_universe(UniverseParams(enterprises=STATS_N, seed=20240601, chunk_size=10_000), out, workers=2)
    return out
