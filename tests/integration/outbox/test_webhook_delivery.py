"""Alerts pushed to a real local webhook over HTTP: at least once, one effect per Idempotency-Key, in order per key.

The workspace raises alerts (SQLite and PostgreSQL), the dispatcher POSTs them with httpx to a receiver served in
a thread; retries wait on a stepping clock that the dispatcher's sleep advances, so nothing sleeps on real time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskloop.config import Settings
from riskloop.domain.alert import ALERT_TOPIC
from riskloop.domain.outbox import RetryPolicy
from riskloop.service.outbox import OutboxDispatcher
from riskloop.testing.alerts import propagated, raised
from riskloop.testing.clock import SteppingClock
from riskloop.testing.webhook_receiver import Receiver
from riskloop.workspace import Workspace

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
SECRET = "a-webhook-secret-of-32-bytes-000"
POLICY = RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=60)


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Iterator[Workspace]:
    with Workspace.open(Settings(home=tmp_path / "home", database_url=db_url), clock=SteppingClock(NOW)) as opened:
        yield opened


def dispatcher(ws: Workspace, url: str) -> OutboxDispatcher:
    return ws.outbox_dispatcher(webhooks={ALERT_TOPIC: url}, secret=SECRET, policy=POLICY)


def advance(ws: Workspace) -> object:
    clock = ws.clock
    assert isinstance(clock, SteppingClock)
    return lambda seconds: clock.advance(seconds=seconds)


def raise_alerts(ws: Workspace) -> list[str]:
    desk = ws.alerts()
    source = raised(1, level="attention")
    first = desk.raise_many([source, raised(2), raised(3, level="notice"), propagated(source, 4)], actor="job:monitor")
    upgrade = desk.raise_many([raised(1, level="warning")], actor="job:monitor")  # a second event of alert 1
    assert upgrade.upgraded == 1
    return [a.alert_id for a in first.alerts]


def test_a_receiver_that_fails_then_recovers_gets_every_event_applied_once_in_order(ws: Workspace) -> None:
    ids = raise_alerts(ws)
    receiver = Receiver(SECRET.encode(), fail_first=3, lose_ack=frozenset({5})).start()
    try:
        report = dispatcher(ws, receiver.url).deliver(dt.timedelta(minutes=30), advance(ws))  # type: ignore[arg-type]
    finally:
        receiver.stop()
    events = ws.outbox().events(state=None, limit=100)
    assert {e.state for e in events} == {"sent"}
    assert (report.delivered, report.dead) == (5, 0)
    assert report.retried >= 4  # three refusals and one lost answer
    assert receiver.bad_signatures == 0
    assert sorted(receiver.applied) == sorted(e.event_id for e in events)  # every event, each applied once
    assert len(receiver.seen) > len(receiver.applied)  # at least once: some arrived more than once
    per_key = [event for key, event in receiver.order if key == ids[0]]
    assert [receiver.applied[e]["data"]["event"] for e in per_key] == ["alert.raised", "alert.upgraded"]
    upgraded = receiver.applied[per_key[1]]["data"]["alert"]
    assert (upgraded["alert_id"], upgraded["level"], upgraded["level_zh"]) == (ids[0], "warning", "预警")
    derived = next(receiver.applied[e]["data"]["alert"] for k, e in receiver.order if k == ids[3])
    assert derived["evidence"]["source_alert_id"] == ids[0]
    assert derived["evidence"]["path"][0]["edge_kind"] == "guarantee"


def test_a_receiver_down_past_the_retry_budget_dead_letters_and_is_redelivered(ws: Workspace) -> None:
    raise_alerts(ws)
    down = Receiver(SECRET.encode()).start()
    down.stop()  # its port now refuses connections
    sender = dispatcher(ws, down.url)
    report = sender.deliver(dt.timedelta(hours=2), advance(ws))  # type: ignore[arg-type]
    assert (report.delivered, report.dead) == (0, 4)  # one per alert; the upgrade waits behind its raise
    assert report.held == 1
    dead = sender.events("dead")
    assert {e.attempts for e in dead} == {POLICY.max_attempts}
    assert all(e.last_error and e.last_error.startswith("ConnectError") for e in dead)
    assert sender.counts() == {"pending": 1, "sent": 0, "dead": 4}

    receiver = Receiver(SECRET.encode(), port=down.port).start()
    try:
        assert sender.redeliver() == sorted(e.outbox_id for e in dead)
        again = sender.deliver(dt.timedelta(minutes=5), advance(ws))  # type: ignore[arg-type]
    finally:
        receiver.stop()
    assert (again.delivered, again.dead) == (5, 0)
    assert sender.counts() == {"pending": 0, "sent": 5, "dead": 0}
    assert len(receiver.applied) == 5
