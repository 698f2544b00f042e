"""ModelLifecycle on the in-memory registry: four eyes, one active model per name, every step audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskloop.domain.clock import FixedClock
from riskloop.errors import ConflictError, ForbiddenError, ValidationError
from riskloop.modeling.artifacts import write_bundle
from riskloop.service.models import ModelLifecycle
from riskloop.testing.fake_registry import InMemoryModelRegistry

CLOCK = FixedClock(dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC))


def _register(registry: InMemoryModelRegistry, folder: Path, author: str = "ann") -> str:
    write_bundle(folder, {"model.txt": folder.name.encode()}, {"kind": "fused-ensemble"})
    return registry.register(folder, "sme", "fused-ensemble", {}, {}, [], registered_by=author)


def test_the_author_never_approves_or_activates_their_model(tmp_path: Path) -> None:
    registry = InMemoryModelRegistry(CLOCK)
    lifecycle = ModelLifecycle(registry)
    mid = _register(registry, tmp_path / "a", author="ann")
    with pytest.raises(ForbiddenError, match="never its author"):
        lifecycle.approve(mid, "ann")
    assert registry.get(mid).status == "registered"
    approved = lifecycle.approve(mid, "bob")
    assert (approved.status, approved.registered_by, approved.approved_by) == ("approved", "ann", "bob")
    with pytest.raises(ForbiddenError):
        lifecycle.activate(mid, "ann")
    assert lifecycle.activate(mid, "bob").status == "active"
    assert registry.audit == [("ann", "model.registered", mid), ("bob", "model.approved", mid),
                              ("bob", "model.activated", mid)]  # fmt: skip


def test_activation_needs_an_approval_and_retires_the_previous_model(tmp_path: Path) -> None:
    registry = InMemoryModelRegistry(CLOCK)
    lifecycle = ModelLifecycle(registry)
    first, second = _register(registry, tmp_path / "a"), _register(registry, tmp_path / "b")
    with pytest.raises(ConflictError, match="registered, not approved or retired"):
        lifecycle.activate(first, "bob")
    for mid in (first, second):
        lifecycle.approve(mid, "bob")
    lifecycle.activate(first, "bob")
    lifecycle.activate(second, "carol")
    assert [(m.model_id, m.status) for m in registry.list("sme")] == [(first, "retired"), (second, "active")]
    assert ("carol", "model.retired", first) in registry.audit
    with pytest.raises(ConflictError, match="active, not registered"):
        lifecycle.approve(second, "bob")  # approved once
    lifecycle.activate(first, "bob")  # a rollback: the retired model becomes active again
    assert [m.status for m in registry.list("sme")] == ["active", "retired"]


def test_an_approver_is_named(tmp_path: Path) -> None:
    registry = InMemoryModelRegistry(CLOCK)
    mid = _register(registry, tmp_path / "a")
    with pytest.raises(ValidationError, match="approver"):
        ModelLifecycle(registry).approve(mid, " ")


def _policy(registry: InMemoryModelRegistry, folder: Path, ope: object) -> str:
    write_bundle(folder, {"model.vw": b"vw"}, {"kind": "collection-policy"})
    metrics = {} if ope is None else {"ope": ope}
    return registry.register(folder, "collection-policy", "collection-policy", metrics, {}, [], registered_by="ann")


@pytest.mark.parametrize(
    ("ope", "refused"),
    [
        (None, "no off-policy estimate"),
        ({"dr": None, "logged_net_per_round_cents": 100.0}, "no off-policy estimate"),
        ({"dr": {"value": 60.0, "high": 99.0}, "logged_net_per_round_cents": 100.0}, "below the logged policy"),
        ({"dr": {"value": 60.0, "high": 100.0}, "logged_net_per_round_cents": 100.0}, None),  # cannot tell: approver
        ({"dr": {"value": 140.0, "high": 180.0}, "logged_net_per_round_cents": 100.0}, None),
    ],
)
def test_a_collection_policy_goes_live_only_with_an_estimate_not_shown_worse_than_the_logged_policy(
    tmp_path: Path, ope: object, refused: str | None
) -> None:
    registry = InMemoryModelRegistry(CLOCK)
    lifecycle = ModelLifecycle(registry)
    mid = _policy(registry, tmp_path / "p", ope)
    for step in (lifecycle.approve, lifecycle.activate):  # its author ("ann") never releases it
        with pytest.raises(ForbiddenError, match="never its author"):
            step(mid, "ann")
    lifecycle.approve(mid, "bob")  # four eyes first; the estimate gates the activation
    if refused is None:
        assert lifecycle.activate(mid, "bob").status == "active"
        return
    with pytest.raises(ValidationError, match=refused) as error:
        lifecycle.activate(mid, "bob")
    assert error.value.field == "ope"
    assert registry.get(mid).status == "approved"
