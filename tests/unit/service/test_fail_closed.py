"""Fail closed: dependencies re-checked on a throttle and logged once per condition; stale features and a graph
built under another key or without its edges are refused."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pyarrow as pa
import pytest

from riskloop.errors import DataSourceError, NotFoundError
from riskloop.graph.tokens import Tokenizer, key_fingerprint
from riskloop.service.fail_closed import Dependencies, FreshFeatures, UnavailableScorer, features_probe
from riskloop.service.graph_integrity import KEY_MISMATCH, verify_graph
from riskloop.testing.clock import SteppingClock
from riskloop.testing.fake_feature_store import InMemoryFeatureStore
from riskloop.testing.fake_graph_store import InMemoryGraphStore
from riskloop.testing.graph_fixtures import tiny_graph

AT = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
KEY, OTHER = b"k" * 32, b"o" * 32
CODE = "91330100MA2H3X4Y5Z"


def test_a_condition_is_logged_once_rechecked_after_the_interval_and_its_end_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="riskloop.service.fail_closed")
    clock = SteppingClock(AT)
    broken = {"graph": "no edges"}

    def graph() -> str:
        if broken.get("graph"):
            raise DataSourceError(broken["graph"])
        return "fine"

    deps = Dependencies({"graph": graph}, clock, interval_seconds=10)
    for _ in range(50):
        assert deps.failure("graph") == "no edges"
    broken.clear()
    assert deps.failure("graph") == "no edges"  # within the interval: not re-checked
    clock.advance(seconds=10)
    assert deps.failure("graph") is None
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["dependency unavailable: graph: no edges", "dependency restored: graph: fine"]
    probe = deps.probes()["graph"]
    assert probe() == "fine"


def test_stale_features_are_refused_fresh_ones_served() -> None:
    clock = SteppingClock(AT)
    store = InMemoryFeatureStore(clock)
    store.publish("set", AT.date(), pa.table({"credit_code": [CODE], "x": [1.0]}))
    fresh = FreshFeatures(store, clock, dt.timedelta(days=45))
    probe = features_probe(store, "set", clock, dt.timedelta(days=45))
    clock.advance(days=45)
    assert fresh.lookup("set", CODE) is not None
    assert probe().startswith("published 2026-07-01")
    clock.advance(seconds=1)
    with pytest.raises(DataSourceError, match="stale: published 2026-07-01T09:00:00"):
        fresh.lookup("set", CODE)
    with pytest.raises(DataSourceError, match=r"^stale: newest published .* older than 45 days"):
        probe()
    assert fresh.lookup("set", "no-such-code") is None  # nothing published is a missing source, not stale
    with pytest.raises(DataSourceError, match="no features published under feature set other"):
        features_probe(store, "other", clock, dt.timedelta(days=45))()


def _built(key: bytes | None, edges: bool = True) -> InMemoryGraphStore:
    store = InMemoryGraphStore()
    links = [(0, 1, "uses_phone")] if edges else []
    tables = tiny_graph([("enterprise", CODE), ("phone", "13800138000")], links, Tokenizer(KEY))
    store.write(tables, "b1", AT, None if key is None else key_fingerprint(key))
    return store


def test_a_graph_built_under_another_key_or_without_edges_is_refused() -> None:
    assert verify_graph(_built(KEY), lambda: Tokenizer(KEY).fingerprint).endswith("1 edges, key verified")
    with pytest.raises(DataSourceError, match=f"^{re.escape(KEY_MISMATCH)}$"):
        verify_graph(_built(KEY), lambda: key_fingerprint(OTHER))
    assert "key not recorded" in verify_graph(_built(None), lambda: key_fingerprint(OTHER))  # built before 0011
    with pytest.raises(DataSourceError, match="has no edges"):
        verify_graph(_built(KEY, edges=False), lambda: key_fingerprint(KEY))
    with pytest.raises(NotFoundError, match="no graph built yet"):
        verify_graph(InMemoryGraphStore(), lambda: key_fingerprint(KEY))


def test_lost_edges_are_told_from_the_build_counts() -> None:
    store = _built(KEY)

    class Lost:
        latest_build = store.latest_build

        @staticmethod
        def stored_rows() -> tuple[int, int]:
            return 2, 3

    with pytest.raises(DataSourceError, match="2 nodes and 3 edges stored, build b1 counted 2 and 1"):
        verify_graph(Lost(), lambda: key_fingerprint(KEY))


def test_a_key_fingerprint_is_not_the_key_and_tells_keys_apart() -> None:
    assert key_fingerprint(KEY) != key_fingerprint(OTHER)
    assert KEY.hex() not in key_fingerprint(KEY)
    assert len(key_fingerprint(KEY)) == 64


def test_an_unavailable_scorer_refuses_every_score() -> None:
    scorer = UnavailableScorer("gbdt-tax.txt: truncated")
    with pytest.raises(DataSourceError, match=r"model: gbdt-tax\.txt: truncated"):
        scorer.score({})
    assert scorer.reasons({}, 3) == []


def test_while_watched_requests_never_run_the_probes_and_a_stuck_watcher_fails_closed() -> None:
    clock = SteppingClock(AT)
    runs: list[int] = []

    def graph() -> str:
        runs.append(1)
        return "fine"

    deps = Dependencies({"graph": graph}, clock, interval_seconds=3600)  # the watcher's thread waits an hour
    with deps.watching():
        before = len(runs)
        clock.advance(seconds=3600 * 2)  # two intervals without a check: still served from the state
        assert deps.failure("graph") is None
        assert len(runs) == before  # no request ran a probe
        clock.advance(seconds=3600)  # three: the watcher is stuck
        assert deps.failure("graph") is not None
        assert "dependency checks stale" in (deps.failure("graph") or "")
        deps.refresh()  # a check completes: served again
        assert deps.failure("graph") is None
    clock.advance(seconds=3600 * 5)
    assert deps.failure("graph") is None  # not watched: the request re-checks itself
