"""The ModelRegistry port: the in-memory fake and the SQL adapter behave the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskloop.domain.clock import FixedClock
from riskloop.errors import NotFoundError, ValidationError
from riskloop.modeling.artifacts import write_bundle
from riskloop.scoring.registry import ModelRegistry, manifest_digest
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.model_registry import SQLModelRegistry
from riskloop.testing.fake_registry import InMemoryModelRegistry

CLOCK = FixedClock(dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest) -> Iterator[ModelRegistry]:
    if request.param == "memory":
        yield InMemoryModelRegistry(CLOCK)
        return
    url = str(request.getfixturevalue(f"{request.param}_url"))
    upgrade(url)
    engine = make_engine(url)
    try:
        yield SQLModelRegistry(engine, CLOCK)
    finally:
        engine.dispose()


def _bundle(folder: Path, text: str) -> Path:
    write_bundle(folder, {"model.txt": text.encode()}, {"kind": "fused-ensemble"})
    return folder


def test_versions_increase_per_name(registry: ModelRegistry, tmp_path: Path) -> None:
    window = {"start": "2023-01-01", "end": "2024-06-30", "rows": 6000}
    first = registry.register(_bundle(tmp_path / "a", "1"), "sme", "fused-ensemble", {"auc": 0.74}, window, ["x", "y"])
    second = registry.register(_bundle(tmp_path / "b", "2"), "sme", "fused-ensemble", {"auc": 0.75}, window, ["x"])
    other = registry.register(_bundle(tmp_path / "c", "3"), "micro", "baseline-lightgbm", {}, {}, [])
    assert (first, second, other) == ("sme-v1", "sme-v2", "micro-v1")
    got = registry.get(second)
    assert got.version == 2
    assert got.metrics == {"auc": 0.75}
    assert got.training_window == window
    assert got.features == ("x",)
    assert got.manifest_sha256 == manifest_digest(tmp_path / "b")
    assert got.created_at == CLOCK.at
    assert got.status == "registered"
    assert [m.model_id for m in registry.list()] == ["micro-v1", "sme-v1", "sme-v2"]
    assert [m.model_id for m in registry.list("sme")] == ["sme-v1", "sme-v2"]


def test_status_changes_and_errors(registry: ModelRegistry, tmp_path: Path) -> None:
    mid = registry.register(_bundle(tmp_path / "a", "1"), "sme", "fused-ensemble", {}, {}, [])
    assert registry.set_status(mid, "active").status == "active"
    assert registry.get(mid).status == "active"
    with pytest.raises(ValidationError, match="valid: registered, approved, active, retired"):
        registry.set_status(mid, "deleted")
    with pytest.raises(NotFoundError):
        registry.get("nope-v1")
    with pytest.raises(NotFoundError):
        registry.set_status("nope-v1", "retired")
    with pytest.raises(NotFoundError):
        registry.register(tmp_path / "missing", "sme", "fused-ensemble", {}, {}, [])
