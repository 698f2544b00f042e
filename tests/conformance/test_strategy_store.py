"""StrategyStore conformance: the in-memory fake and the SQL adapter (SQLite, PostgreSQL) store versions and
activation changes alike, refuse stale writes, and never hold two active versions of one strategy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from port_backends import NOW, StrategyBackend

from riskloop.domain.access import ANALYST, APPROVER
from riskloop.domain.audit import AuditEntry
from riskloop.domain.strategy_lifecycle import (
    ACTIVE,
    APPLIED,
    RETIRED,
    ActivationChange,
    StrategyVersion,
    activation,
    approved,
    draft,
    edited,
    submitted,
)
from riskloop.errors import ConflictError, RiskloopError
from riskloop.rules.loaders import reference_strategy
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.principals import person
from riskloop.testing.race import Interleaved

CONTENT = reference_strategy().content
ANN, BOB, DAN = person("ann", ANALYST), person("bob", APPROVER), person("dan", APPROVER)


def entry(action: str, key: str, actor: str = "ann") -> AuditEntry:
    return AuditEntry(NOW, actor, action, "strategy", key, {})


def approved_version(backend: StrategyBackend, version: int) -> StrategyVersion:
    new = draft("sme", version, "ann", f"{version:064d}", NOW, note=f"v{version}")
    backend.store.add(new, CONTENT, entry("strategy.created", new.key))
    sent = submitted(new, "ann")
    backend.store.save(new, sent, entry("strategy.submitted", new.key))
    done = approved(sent, "bob")
    backend.store.save(sent, done, entry("strategy.approved", new.key, "bob"))
    return done


def request(backend: StrategyBackend, version: int) -> ActivationChange:
    change_id = backend.store.add_change(
        ActivationChange(0, "sme", version, "ann", NOW, note="go"),
        entry("strategy.activation_requested", f"sme@{version}"),
    )
    found = backend.store.change(change_id)
    assert found is not None
    return found


def test_versions_read_back_and_a_taken_number_is_a_conflict(strategies: StrategyBackend) -> None:
    store = strategies.store
    first = draft("sme", 1, "ann", "a" * 64, NOW, note="first")
    store.add(first, CONTENT, entry("strategy.created", "sme@1"))
    assert store.find("sme", 1) == first
    assert store.find("sme", 2) is None
    assert store.content("sme", 1) == CONTENT
    assert store.content("sme", 2) is None
    with pytest.raises(ConflictError):
        store.add(draft("sme", 1, "cat", "b" * 64, NOW), "{}", entry("strategy.created", "sme@1", "cat"))
    store.add(draft("other", 1, "cat", "c" * 64, NOW), CONTENT, entry("strategy.created", "other@1", "cat"))
    assert [v.key for v in store.versions("sme")] == ["sme@1"]
    assert store.active("sme") is None
    assert strategies.trail("sme@1") == [("ann", "strategy.created", {})]


def test_a_save_writes_only_over_the_state_it_read(strategies: StrategyBackend) -> None:
    store = strategies.store
    first = draft("sme", 1, "ann", "a" * 64, NOW)
    store.add(first, CONTENT, entry("strategy.created", "sme@1"))
    changed = edited(first, "ann", "b" * 64)
    store.save(first, changed, entry("strategy.edited", "sme@1"), CONTENT + " ")
    assert (store.find("sme", 1), store.content("sme", 1)) == (changed, CONTENT + " ")
    with pytest.raises(ConflictError):  # submitting the version as it was before the edit
        store.save(first, submitted(first, "ann"), entry("strategy.submitted", "sme@1"))
    assert store.find("sme", 1) == changed
    assert [a for _, a, _ in strategies.trail("sme@1")] == ["strategy.created", "strategy.edited"]


def test_changes_get_ids_and_their_audit_row_names_them(strategies: StrategyBackend) -> None:
    approved_version(strategies, 1)
    first, second = request(strategies, 1), request(strategies, 1)
    assert (first.change_id, second.change_id) == (1, 2)
    assert first == ActivationChange(1, "sme", 1, "ann", NOW, "pending", None, "go")
    assert strategies.store.change(3) is None
    requested = [d for _, a, d in strategies.trail("sme@1") if a == "strategy.activation_requested"]
    assert requested == [{"change_id": 1}, {"change_id": 2}]


def test_applying_a_change_retires_the_active_version_once(strategies: StrategyBackend) -> None:
    store = strategies.store
    one, two = approved_version(strategies, 1), approved_version(strategies, 2)
    first = activation(request(strategies, 1), one, [], "bob")
    store.apply(first, [entry("strategy.activated", "sme@1", "bob")])
    active = store.active("sme")
    assert active == first.activated
    second = activation(request(strategies, 2), two, [active], "dan")
    store.apply(second, [entry("strategy.retired", "sme@1", "dan"), entry("strategy.activated", "sme@2", "dan")])
    assert {v.version: v.status for v in store.versions("sme")} == {1: RETIRED, 2: ACTIVE}
    assert store.change(2).status == APPLIED
    assert store.change(2).approved_by == "dan"
    with pytest.raises(ConflictError):  # the same approval again: the change is no longer pending
        store.apply(second, [])
    assert [a for _, a, _ in strategies.trail("sme@2")][-1] == "strategy.activated"


def test_two_activations_from_nothing_active_cannot_both_commit(strategies: StrategyBackend) -> None:
    one, two = approved_version(strategies, 1), approved_version(strategies, 2)
    first = activation(request(strategies, 1), one, [], "bob")
    second = activation(request(strategies, 2), two, [], "dan")  # read when nothing was active either
    strategies.store.apply(first, [entry("strategy.activated", "sme@1", "bob")])
    with pytest.raises(ConflictError):
        strategies.store.apply(second, [entry("strategy.activated", "sme@2", "dan")])
    assert [v.status for v in strategies.store.versions("sme")] == [ACTIVE, "approved"]
    assert strategies.store.change(2).status == "pending"  # rolled back with the rest
    assert "strategy.activated" not in [a for _, a, _ in strategies.trail("sme@2")]


def test_a_rival_approval_between_read_and_write_applies_the_change_once(strategies: StrategyBackend) -> None:
    approved_version(strategies, 1)
    change = request(strategies, 1)
    clock = SteppingClock(NOW)
    rival = StrategyLifecycle(strategies.store, clock)
    racing = Interleaved(strategies.store, lambda: rival.approve_activation(DAN, change.change_id))
    with pytest.raises(ConflictError):
        StrategyLifecycle(racing, clock).approve_activation(BOB, change.change_id)
    assert strategies.store.change(change.change_id).approved_by == "dan"
    activated = [a for a, act, _ in strategies.trail("sme@1") if act == "strategy.activated"]
    assert activated == ["dan"]


def test_two_approvals_of_one_activation_at_once_activate_once(strategies: StrategyBackend) -> None:
    approved_version(strategies, 1)
    change = request(strategies, 1)
    lifecycle, start = StrategyLifecycle(strategies.store, SteppingClock(NOW)), threading.Barrier(2)

    def approve(approver: str) -> str:
        start.wait()
        try:
            lifecycle.approve_activation(person(approver, APPROVER), change.change_id)
        except ConflictError:
            return "409"
        except RiskloopError as exc:
            return repr(exc)
        return "won"

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(approve, ["bob", "dan"])) == ["409", "won"]
    assert [a for _, a, _ in strategies.trail("sme@1")].count("strategy.activated") == 1
    assert [v.status for v in strategies.store.versions("sme")] == [ACTIVE]


def test_names_and_changes_by_status_list_alike(strategies: StrategyBackend) -> None:
    store = strategies.store
    assert store.names() == []
    assert store.list_changes() == []
    one = approved_version(strategies, 1)
    approved_version(strategies, 2)
    first, second = request(strategies, 1), request(strategies, 2)
    store.apply(activation(first, one, [], "bob"), [entry("strategy.activated", "sme@1", "bob")])
    assert store.names() == ["sme"]
    assert [c.change_id for c in store.list_changes()] == [first.change_id, second.change_id]
    assert store.list_changes("pending") == [second]
    (applied,) = store.list_changes(APPLIED)
    assert (applied.change_id, applied.approved_by, applied.requested_at) == (first.change_id, "bob", NOW)
