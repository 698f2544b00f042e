"""A small generated universe shared by the monitoring tests (600 enterprises: a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskloop.synth.universe import UniverseParams, generate_universe


@pytest.fixture(scope="session")
def monitor_universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monitor-universe")
    generate_universe(UniverseParams(enterprises=600, seed=11), out, workers=1)
    return out / "tables"
