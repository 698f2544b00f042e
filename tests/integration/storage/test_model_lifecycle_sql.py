"""Model approvals on SQLite and PostgreSQL: four eyes, one active model per name, audit rows in the same change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskloop.config import Settings
from riskloop.domain.clock import FixedClock
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError
from riskloop.modeling.artifacts import write_bundle
from riskloop.storage.audit import audit_trail
from riskloop.workspace import Workspace

CLOCK = FixedClock(dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC))


def _bundle(folder: Path) -> Path:
    write_bundle(folder, {"model.txt": folder.name.encode()}, {"kind": "fused-ensemble"})
    return folder


def test_approval_and_activation_are_audited_and_keep_one_active_model(any_settings: Settings, tmp_path: Path) -> None:
    with Workspace.open(any_settings, clock=CLOCK) as ws:
        registry, lifecycle = ws.model_registry(), ws.model_lifecycle()
        first = registry.register(_bundle(tmp_path / "a"), "sme", "fused-ensemble", {}, {}, [], registered_by="ann")
        second = registry.register(_bundle(tmp_path / "b"), "sme", "fused-ensemble", {}, {}, [], registered_by="ann")
        with pytest.raises(ForbiddenError):
            lifecycle.approve(first, "ann")
        with pytest.raises(ConflictError):
            lifecycle.activate(first, "bob")
        for mid in (first, second):
            lifecycle.approve(mid, "bob")
        lifecycle.activate(first, "bob")
        assert ws.model_folder() == tmp_path / "a"
        lifecycle.activate(second, "bob")
        assert [(m.status, m.registered_by, m.approved_by) for m in registry.list("sme")] == [
            ("retired", "ann", "bob"),
            ("active", "ann", "bob"),
        ]
        assert ws.model_folder() == tmp_path / "b"
        assert [(r["actor"], r["action"]) for r in audit_trail(ws.engine, first)] == [
            ("ann", "model.registered"),
            ("bob", "model.approved"),
            ("bob", "model.activated"),
            ("bob", "model.retired"),
        ]
        assert audit_trail(ws.engine, second)[-1]["action"] == "model.activated"
        with pytest.raises(NotFoundError):
            lifecycle.activate("sme-v9", "bob")


def test_the_database_keeps_one_active_model_per_name(any_settings: Settings, tmp_path: Path) -> None:
    with Workspace.open(any_settings, clock=CLOCK) as ws:
        registry = ws.model_registry()
        first = registry.register(_bundle(tmp_path / "a"), "sme", "fused-ensemble", {}, {}, [], registered_by="ann")
        second = registry.register(_bundle(tmp_path / "b"), "sme", "fused-ensemble", {}, {}, [], registered_by="ann")
        registry.set_status(first, "active")
        with pytest.raises(ConflictError):  # a write around the lifecycle meets the partial unique index
            registry.set_status(second, "active")
        assert [m.status for m in registry.list("sme")] == ["active", "registered"]
