"""AlertStore conformance: the in-memory fake and the SQL adapter (SQLite, PostgreSQL) store, refuse, list and
push alerts alike, so a use-case test on the fake says what the database does."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from port_backends import NOW, AlertBackend

from riskloop.domain.access import POST_LOAN_OFFICER
from riskloop.domain.alert import ALERT_TOPIC, Alert, AlertFilter, StoredLevel
from riskloop.domain.alert_lifecycle import acknowledged, acted, opened, upgraded
from riskloop.errors import ConflictError, RiskloopError
from riskloop.service.alerts import AlertDesk
from riskloop.testing.alerts import propagated, raised
from riskloop.testing.clock import SteppingClock
from riskloop.testing.principals import person
from riskloop.testing.race import Interleaved

PAUL, PIA = person("paul", POST_LOAN_OFFICER), person("pia", POST_LOAN_OFFICER)


def store_one(backend: AlertBackend, n: int = 1, at: dt.datetime = NOW, **changes: Any) -> Alert:
    alert, entry, message = opened(raised(n, **changes), f"alr_{n}", at, "job:monitor")
    backend.store.add(alert, entry, message)
    return alert


def messages(backend: AlertBackend) -> list[tuple[str, str, str]]:
    events = backend.outbox.events(state=None, limit=100)[::-1]
    return [(e.topic, e.key, e.payload["event"]) for e in events]


def test_a_new_alert_reads_back_with_its_evidence_audit_and_outbox_message(alert_stores: AlertBackend) -> None:
    alert = store_one(alert_stores)
    assert alert_stores.store.find("alr_1") == alert  # evidence, level, time zone: all round-trip
    assert alert_stores.store.find_key(alert.key) == alert
    assert alert_stores.store.find("alr_2") is None
    detail = {"level": "attention", "signal": "inflow_drop", "period": "2026-06", "origin": "direct"}
    assert alert_stores.trail("alr_1") == [("job:monitor", "alert.raised", detail)]
    assert messages(alert_stores) == [(ALERT_TOPIC, "alr_1", "alert.raised")]
    (event,) = alert_stores.outbox.events(state="pending", limit=10)
    assert event.payload["alert"]["evidence"]["signals"][0] == {"name": "inflow_drop", "value": 0.62,
                                                                "threshold": 0.5, "coefficient": 1.0}  # fmt: skip
    assert event.payload["alert"]["level_zh"] == "关注"
    assert [(e.actor, e.action) for e in alert_stores.store.history("alr_1")] == [("job:monitor", "alert.raised")]


def test_a_second_alert_of_one_key_is_refused_and_writes_nothing(alert_stores: AlertBackend) -> None:
    store_one(alert_stores)
    again, entry, message = opened(raised(1, level="warning"), "alr_other", NOW, "job:monitor")
    with pytest.raises(ConflictError):
        alert_stores.store.add(again, entry, message)
    assert alert_stores.store.find("alr_other") is None
    assert len(messages(alert_stores)) == 1
    assert alert_stores.trail("alr_other") == []


def test_lists_filter_page_and_count_newest_first(alert_stores: AlertBackend) -> None:
    for n in range(1, 6):
        store_one(alert_stores, n, NOW + dt.timedelta(minutes=n), level="warning" if n % 2 else "notice")
    store_one(alert_stores, 9, NOW + dt.timedelta(minutes=3), industry_section="F", officer="paul")

    def ids(where: AlertFilter, limit: int = 10, offset: int = 0) -> tuple[list[str], int]:
        found, total = alert_stores.store.page(where, limit=limit, offset=offset)
        return [a.alert_id for a in found], total

    assert ids(AlertFilter()) == (["alr_5", "alr_4", "alr_3", "alr_9", "alr_2", "alr_1"], 6)
    assert ids(AlertFilter(), limit=2, offset=2) == (["alr_3", "alr_9"], 6)
    assert ids(AlertFilter(level="warning")) == (["alr_5", "alr_3", "alr_1"], 3)
    assert ids(AlertFilter(industry_section="F")) == (["alr_9"], 1)
    assert ids(AlertFilter(officer="paul", status="open", origin="direct")) == (["alr_9"], 1)
    assert ids(AlertFilter(status="closed")) == ([], 0)
    assert ids(AlertFilter(), offset=10) == ([], 6)


def test_a_save_writes_only_over_the_state_it_read_with_its_action(alert_stores: AlertBackend) -> None:
    before = store_one(alert_stores)
    later = NOW + dt.timedelta(hours=1)
    ack, entry = acknowledged(before, "paul", "seen", later)
    alert_stores.store.save(before, ack, entry)
    assert alert_stores.store.find("alr_1") == ack
    rival, rival_entry = acknowledged(before, "pia", "me too", later)
    with pytest.raises(ConflictError):
        alert_stores.store.save(before, rival, rival_entry)
    done, action, act_entry = acted(ack, "paul", "freeze_undrawn_limit", "inflow fell 62 %", "act_1", later)
    alert_stores.store.save(ack, done, act_entry, action=action)
    assert alert_stores.store.find("alr_1") == done
    assert alert_stores.store.actions("alr_1") == [action]
    assert alert_stores.store.actions("alr_2") == []
    assert [a for _, a, _ in alert_stores.trail("alr_1")] == ["alert.raised", "alert.acknowledged", "alert.actioned"]
    assert messages(alert_stores) == [(ALERT_TOPIC, "alr_1", "alert.raised")]  # officers' steps push nothing


def test_raising_twice_changes_nothing_and_a_higher_level_upgrades_once(alert_stores: AlertBackend) -> None:
    desk = AlertDesk(alert_stores.store, SteppingClock(NOW), new_id=iter(f"alr_{i}" for i in range(9)).__next__)
    first = desk.raise_many([raised(1), propagated(raised(1), 2)], actor="job:monitor")
    assert (first.raised, first.upgraded, first.unchanged) == (2, 0, 0)
    source, derived = first.alerts
    assert derived.evidence.source_alert_id == source.alert_id
    again = desk.raise_many([raised(1), raised(1, level="notice")], actor="job:monitor")
    assert (again.raised, again.upgraded, again.unchanged) == (0, 0, 2)
    up = desk.raise_many([raised(1, level="warning")], actor="job:monitor")
    assert (up.upgraded, up.alerts[0].level, up.alerts[0].alert_id) == (1, "warning", source.alert_id)
    assert messages(alert_stores) == [(ALERT_TOPIC, source.alert_id, "alert.raised"),
                                      (ALERT_TOPIC, derived.alert_id, "alert.raised"),
                                      (ALERT_TOPIC, source.alert_id, "alert.upgraded")]  # fmt: skip


def test_a_rival_acknowledgement_between_read_and_write_wins_alone(alert_stores: AlertBackend) -> None:
    store_one(alert_stores)
    clock = SteppingClock(NOW)
    rival = AlertDesk(alert_stores.store, clock)
    desk = AlertDesk(Interleaved(alert_stores.store, lambda: rival.acknowledge(PIA, "alr_1", "mine")), clock)
    with pytest.raises(ConflictError):
        desk.acknowledge(PAUL, "alr_1", "mine")
    found = alert_stores.store.find("alr_1")
    assert found is not None
    assert (found.status, found.officer) == ("acknowledged", "pia")
    assert [(a, act) for a, act, _ in alert_stores.trail("alr_1")] == [("job:monitor", "alert.raised"),
                                                                      ("pia", "alert.acknowledged")]  # fmt: skip


def test_monitors_raising_one_key_at_once_store_one_alert_and_one_message(alert_stores: AlertBackend) -> None:
    desk, start = AlertDesk(alert_stores.store, SteppingClock(NOW)), threading.Barrier(4)

    def raise_it(level: str) -> str:
        start.wait()
        try:
            return desk.raise_many([raised(1, level=level)], actor="job:monitor").alerts[0].alert_id
        except RiskloopError as exc:  # a raise never fails on a race: it reads again and merges
            return repr(exc)

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(raise_it, ["notice", "attention", "warning", "attention"]))
    assert len(set(ids)) == 1
    assert ids[0].startswith("alr_")
    stored = alert_stores.store.find(ids[0])
    assert stored is not None
    assert stored.level == "warning"  # whatever the order, the highest level ends up stored
    events = [e for _, _, e in messages(alert_stores)]
    assert events.count("alert.raised") == 1


def test_a_batch_of_new_alerts_is_stored_whole_or_not_at_all(alert_stores: AlertBackend) -> None:
    first = store_one(alert_stores, 1)
    batch = [opened(raised(n), f"alr_{n}", NOW, "job:monitor") for n in (2, 3)]
    alert_stores.store.add_many(batch)
    found = alert_stores.store.find_keys([first.key, batch[0][0].key, batch[1][0].key, raised(9).key])
    assert found == {first.key: first, batch[0][0].key: batch[0][0], batch[1][0].key: batch[1][0]}
    assert messages(alert_stores) == [(ALERT_TOPIC, f"alr_{n}", "alert.raised") for n in (1, 2, 3)]
    assert [(actor, action) for actor, action, _ in alert_stores.trail("alr_3")] == [("job:monitor", "alert.raised")]
    clash = [opened(raised(n), f"alr_new{n}", NOW, "job:monitor") for n in (4, 1)]  # key 1 is stored
    with pytest.raises(ConflictError):
        alert_stores.store.add_many(clash)
    assert alert_stores.store.find("alr_new4") is None  # nothing of the batch was stored
    assert alert_stores.trail("alr_new4") == []
    assert len(messages(alert_stores)) == 3


def test_a_batch_of_upgrades_is_saved_whole_or_not_at_all(alert_stores: AlertBackend) -> None:
    one, two = store_one(alert_stores, 1), store_one(alert_stores, 2)
    changes = [upgraded(a, raised(n, level="warning"), NOW, "job:monitor") for n, a in ((1, one), (2, two))]
    batch = [(a, *c) for a, c in zip((one, two), changes, strict=True) if c is not None]
    assert len(batch) == 2
    alert_stores.store.save_many(batch)
    assert [alert_stores.store.find(a.alert_id).level for a in (one, two)] == ["warning", "warning"]
    assert [m[2] for m in messages(alert_stores)] == [
        "alert.raised",
        "alert.raised",
        "alert.upgraded",
        "alert.upgraded",
    ]
    stale = upgraded(one, raised(1, level="warning"), NOW, "job:monitor")  # from the state before the batch
    three = store_one(alert_stores, 3)
    fresh = upgraded(three, raised(3, level="warning"), NOW, "job:monitor")
    assert stale is not None
    assert fresh is not None
    with pytest.raises(ConflictError):
        alert_stores.store.save_many([(three, *fresh), (one, *stale)])
    assert alert_stores.store.find(three.alert_id) == three  # nothing of the batch was saved
    assert len(messages(alert_stores)) == 5


def test_levels_and_whole_alerts_are_read_by_key_across_periods(alert_stores: AlertBackend) -> None:
    stored = [store_one(alert_stores, n, level="warning" if n % 3 else "notice") for n in range(1, 601)]
    may, entry, message = opened(raised(1, period="2026-05"), "alr_may", NOW, "job:monitor")
    alert_stores.store.add(may, entry, message)
    absent = [raised(1, period="2026-04").key, raised(700).key, raised(2, signal="other").key]
    keys = [a.key for a in stored[::-1]] + [may.key] + absent
    levels = alert_stores.store.find_levels(keys)
    assert levels == {a.key: StoredLevel(a.alert_id, a.level) for a in [*stored, may]}
    found = alert_stores.store.find_keys(keys)  # more keys than one query reads
    assert found == {a.key: a for a in [*stored, may]}
    assert alert_stores.store.find_levels([]) == {}
    assert alert_stores.store.find_keys([]) == {}
