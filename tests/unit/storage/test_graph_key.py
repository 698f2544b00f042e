"""The graph key is created by a graph build only: anywhere else a missing key is an error naming the remedy."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from riskloop.errors import DataSourceError
from riskloop.storage.secrets import GRAPH_KEY_ENV, graph_key


def test_a_missing_key_is_not_created_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(GRAPH_KEY_ENV, raising=False)
    with pytest.raises(DataSourceError, match=r"graph\.key is missing \(restore secrets/graph\.key or rebuild\)"):
        graph_key(tmp_path)
    assert not (tmp_path / "secrets").exists()
    key = graph_key(tmp_path, create=True)
    path = tmp_path / "secrets" / "graph.key"
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert graph_key(tmp_path) == key  # read back, never replaced
