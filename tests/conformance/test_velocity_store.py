"""The VelocityStore port on every backend: atomic read-step-write, no lost update under concurrency, expiry."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.admission.state import Key, KeyState
from riskloop.storage.registrations import InProcessVelocityStore, SQLVelocityStore
from riskloop.testing.memory_registrations import MemoryVelocityStore

KEYS: list[Key] = [("phone", "tok-a"), ("device_id", "tok-b"), ("platform", "all")]


@pytest.fixture(params=["fake", "in_process", "sql"])
def store(request: pytest.FixtureRequest, port_engine: sa.Engine | None) -> Any:
    if (port_engine is None) != (request.param != "sql"):
        pytest.skip("the in-memory stores run on the memory backend, the SQL one on the databases")
    if port_engine is None:
        return MemoryVelocityStore() if request.param == "fake" else InProcessVelocityStore()
    return SQLVelocityStore(port_engine)


def _use(at: int, party: str) -> Any:
    def step(states: Mapping[Key, KeyState | None]) -> tuple[dict[Key, KeyState], int]:
        out = {}
        for key, state in states.items():
            new = state.copy() if state else KeyState()
            new.add(at, party, cap=8, retention=1000)
            out[key] = new
        return out, sum(1 for s in states.values() if s is None)

    return step


def test_states_round_trip_and_new_keys_read_as_none(store: Any) -> None:
    assert store.update(KEYS, _use(100, "x")) == 3  # three keys never seen
    assert store.update(KEYS, _use(200, "y")) == 0
    seen: dict[Key, KeyState | None] = {}
    store.update([*KEYS, ("ip", "new")], lambda s: (seen.update(s) or {}, None))
    assert seen[("ip", "new")] is None
    phone = seen[("phone", "tok-a")]
    assert phone is not None
    assert phone.recent == [(100, "x"), (200, "y")]
    assert phone.last == 200
    assert store.size() == 3


def test_concurrent_updates_lose_no_use(store: Any) -> None:
    def worker(w: int) -> None:
        for i in range(10):
            store.update(KEYS[:1], _use(300, f"w{w}-{i}"))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen: dict[Key, KeyState | None] = {}
    store.update(KEYS[:1], lambda s: (seen.update(s) or {}, None))
    state = seen[KEYS[0]]
    assert state is not None
    assert state.buckets == {0: 40}


def test_idle_keys_expire(store: Any) -> None:
    store.update(KEYS[:1], _use(100, "x"))
    store.update(KEYS[1:], _use(500, "y"))
    assert store.expire(before=300) == 1
    assert store.size() == 2
