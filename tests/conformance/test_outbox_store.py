"""OutboxStore conformance: the fake and the SQL adapter (SQLite, PostgreSQL) order, hold, retry, dead-letter and
re-deliver messages alike; every state change is a compare-and-set on what the dispatcher read."""

from __future__ import annotations

import datetime as dt

from port_backends import NOW, OutboxBackend

from riskloop.domain.outbox import OutboxMessage

LATER = NOW + dt.timedelta(minutes=5)


def write(backend: OutboxBackend, *keys: str, topic: str = "post_loan.alert") -> None:
    for i, key in enumerate(keys):
        backend.write(OutboxMessage(topic, key, {"n": i, "名": "预警"}, NOW + dt.timedelta(seconds=i)))


def test_pending_messages_come_in_write_order_and_page(outboxes: OutboxBackend) -> None:
    write(outboxes, "a", "b", "a", "c")
    found = outboxes.store.pending(after=0, limit=10)
    assert [(e.outbox_id, e.key) for e in found] == [(1, "a"), (2, "b"), (3, "a"), (4, "c")]
    first = found[0]
    assert (first.topic, first.payload, first.created_at, first.attempts) == ("post_loan.alert", {"n": 0, "名": "预警"},
                                                                              NOW, 0)  # fmt: skip
    assert (first.event_id, first.state, first.held, first.next_attempt_at) == ("evt-1", "pending", False, None)
    assert [e.outbox_id for e in outboxes.store.pending(after=2, limit=1)] == [3]
    assert outboxes.store.counts() == {"pending": 4, "sent": 0, "dead": 0}


def test_a_retry_a_delivery_and_a_dead_letter_are_recorded(outboxes: OutboxBackend) -> None:
    write(outboxes, "a", "b", "c")
    a, b, c = outboxes.store.pending(after=0, limit=10)
    assert outboxes.store.failed(a, next_attempt_at=LATER, error="HTTP 503 Service Unavailable")
    assert outboxes.store.delivered(b, NOW)
    assert outboxes.store.dead(c, at=NOW, error="ConnectError: refused")
    (retry,) = outboxes.store.pending(after=0, limit=10)
    assert (retry.outbox_id, retry.attempts, retry.next_attempt_at) == (1, 1, LATER)
    assert retry.last_error == "HTTP 503 Service Unavailable"
    assert not retry.due(NOW)
    assert retry.due(LATER)
    assert outboxes.store.counts() == {"pending": 1, "sent": 1, "dead": 1}
    assert [e.outbox_id for e in outboxes.store.events(state="sent", limit=10)] == [2]
    (dead,) = outboxes.store.events(state="dead", limit=10)
    assert (dead.outbox_id, dead.attempts, dead.dead_at, dead.last_error) == (3, 1, NOW, "ConnectError: refused")
    assert [e.outbox_id for e in outboxes.store.events(state=None, limit=2)] == [3, 2]  # newest first


def test_a_write_over_a_moved_message_changes_nothing(outboxes: OutboxBackend) -> None:
    write(outboxes, "a")
    (read,) = outboxes.store.pending(after=0, limit=10)
    assert outboxes.store.failed(read, next_attempt_at=LATER, error="x")
    assert not outboxes.store.delivered(read, NOW)  # another dispatcher counted an attempt meanwhile
    assert not outboxes.store.failed(read, next_attempt_at=LATER, error="y")
    (now,) = outboxes.store.pending(after=0, limit=10)
    assert outboxes.store.delivered(now, NOW)
    assert not outboxes.store.delivered(now, NOW)  # sent once
    assert outboxes.store.counts() == {"pending": 0, "sent": 1, "dead": 0}


def test_a_dead_message_holds_back_the_later_ones_of_its_key_until_redelivered(outboxes: OutboxBackend) -> None:
    write(outboxes, "a", "b", "a", "a")
    write(outboxes, "a", topic="customer.final_decision")  # another topic: another key
    first = outboxes.store.pending(after=0, limit=10)[0]
    assert outboxes.store.dead(first, at=NOW, error="HTTP 500")
    held = {e.outbox_id: e.held for e in outboxes.store.pending(after=0, limit=10)}
    assert held == {2: False, 3: True, 4: True, 5: False}
    assert outboxes.store.redeliver([99]) == []
    assert outboxes.store.redeliver(None) == [1]
    again = outboxes.store.pending(after=0, limit=10)
    assert [(e.outbox_id, e.attempts, e.held) for e in again] == [(1, 0, False), (2, 0, False), (3, 0, False),
                                                                 (4, 0, False), (5, 0, False)]  # fmt: skip
    assert again[0].last_error == "HTTP 500"  # kept for the record
