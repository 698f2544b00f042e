"""Outbox delivery, on the dispatcher with the in-memory outbox, a fake webhook and a stepping clock.

Backoff runs on the injected clock and a seeded jitter: nothing sleeps on real time.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from riskloop.domain.outbox import SIGNATURE_HEADER, OutboxMessage, RetryPolicy, WebhookReply, verify_signature
from riskloop.errors import ConfigError
from riskloop.service.outbox import OutboxDispatcher, Webhooks
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_outbox import FakeWebhook, MemoryOutbox

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
SECRET = b"a-webhook-secret-of-32-bytes-000"
URL = "http://bank.example/hooks/alerts"
POLICY = RetryPolicy(max_attempts=4, base_seconds=10, cap_seconds=300)
FAIL, OK = WebhookReply(503, "HTTP 503 Service Unavailable"), WebhookReply(204)


def setup(answer: object = None, topics: tuple[str, ...] = ("post_loan.alert",)):  # type: ignore[no-untyped-def]
    outbox, clock = MemoryOutbox(), SteppingClock(NOW)
    hook = FakeWebhook() if answer is None else FakeWebhook(answer)  # type: ignore[arg-type]
    dispatcher = OutboxDispatcher(outbox, hook, Webhooks(dict.fromkeys(topics, URL), SECRET), clock, POLICY,
                                  random.Random(7).random)  # fmt: skip
    return outbox, hook, clock, dispatcher


def put(outbox: MemoryOutbox, *keys: str, topic: str = "post_loan.alert") -> None:
    for i, key in enumerate(keys):
        outbox.write(OutboxMessage(topic, key, {"i": i, "key": key}, NOW))


def sent(hook: FakeWebhook) -> list[tuple[str, str]]:
    return [(h["Idempotency-Key"], json.loads(body)["key"]) for _, body, h in hook.requests]


def test_messages_go_in_order_signed_with_a_stable_idempotency_key() -> None:
    outbox, hook, _, dispatcher = setup()
    put(outbox, "a", "b", "a")
    report = dispatcher.deliver_once()
    assert (report.delivered, report.retried, report.dead) == (3, 0, 0)
    assert sent(hook) == [("evt-1", "a"), ("evt-2", "b"), ("evt-3", "a")]
    url, body, headers = hook.requests[0]
    assert url == URL
    assert json.loads(body) == {"event_id": "evt-1", "topic": "post_loan.alert", "key": "a",
                                "created_at": NOW.isoformat(), "data": {"i": 0, "key": "a"}}  # fmt: skip
    assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
    assert not verify_signature(b"another secret of 32 bytes......", headers[SIGNATURE_HEADER], body)
    assert not verify_signature(SECRET, headers[SIGNATURE_HEADER], body.replace(b'"i":0', b'"i":1'))
    assert headers["X-Riskloop-Attempt"] == "1"
    assert dispatcher.counts() == {"pending": 0, "sent": 3, "dead": 0}
    assert dispatcher.deliver_once().delivered == 0  # nothing is sent twice once delivered


def test_a_failure_waits_its_backoff_and_holds_its_key_but_not_the_others() -> None:
    outbox, hook, clock, dispatcher = setup(lambda n: FAIL if n == 1 else OK)
    put(outbox, "a", "b", "a")
    report = dispatcher.deliver_once()
    assert (report.retried, report.delivered, report.blocked) == (1, 1, 1)  # b went; the second a waits behind
    (first, later) = outbox.pending(after=0, limit=10)
    delay = POLICY.retry_delay(1, random.Random(7).random())
    assert first.next_attempt_at == NOW + delay == report.next_attempt_at
    assert 5 <= delay.total_seconds() < 10  # base 10 s, equal jitter: the second half of the window
    assert (first.attempts, first.last_error, later.attempts) == (1, "HTTP 503 Service Unavailable", 0)
    clock.advance(seconds=delay.total_seconds() - 1)
    assert dispatcher.deliver_once().waiting == 1  # not due yet: not tried
    clock.advance(seconds=1)
    assert dispatcher.deliver_once().delivered == 2
    assert sent(hook) == [("evt-1", "a"), ("evt-2", "b"), ("evt-1", "a"), ("evt-3", "a")]
    assert hook.requests[2][2]["X-Riskloop-Attempt"] == "2"


def test_delays_grow_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=20, base_seconds=10, cap_seconds=300)
    lows = [policy.retry_delay(n, 0.0).total_seconds() for n in range(1, 8)]
    highs = [policy.retry_delay(n, 0.999999).total_seconds() for n in range(1, 8)]
    assert lows == [5, 10, 20, 40, 80, 150, 150]
    assert [round(h) for h in highs] == [10, 20, 40, 80, 160, 300, 300]


def test_out_of_attempts_it_is_dead_and_holds_its_key_until_redelivered() -> None:
    outbox, hook, clock, dispatcher = setup(lambda n: FAIL if n <= POLICY.max_attempts else OK)
    put(outbox, "a", "a")
    put(outbox, "x", topic="customer.final_decision")  # no webhook for this topic: it waits, untouched
    report = dispatcher.deliver(dt.timedelta(hours=1), lambda s: clock.advance(seconds=s))
    assert (report.dead, report.retried, report.delivered, report.held, report.unrouted) == (1, 3, 0, 1, 1)
    assert [e.outbox_id for e in dispatcher.events("dead")] == [1]
    assert dispatcher.events("dead")[0].attempts == POLICY.max_attempts
    assert len(hook.requests) == POLICY.max_attempts  # the second a was never sent ahead of the first
    assert dispatcher.redeliver() == [1]
    assert dispatcher.deliver_once().delivered == 2
    assert [k for k, _ in sent(hook)][-2:] == ["evt-1", "evt-2"]
    assert dispatcher.counts() == {"pending": 1, "sent": 2, "dead": 0}


def test_deliver_sleeps_on_the_clock_until_each_retry_is_due_within_its_budget() -> None:
    outbox, _, clock, dispatcher = setup(lambda n: FAIL if n <= 3 else OK)
    put(outbox, "a", "b")
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)

    report = dispatcher.deliver(dt.timedelta(minutes=10), sleep)
    assert (report.delivered, report.retried, report.dead) == (2, 3, 0)
    assert len(slept) == 3
    assert clock.now() - NOW == sum((dt.timedelta(seconds=s) for s in slept), dt.timedelta())
    short = dispatcher.deliver(dt.timedelta(0), sleep)  # nothing left: no pass sleeps
    assert (short.delivered, short.passes) == (0, 1)


def test_a_short_budget_stops_before_the_next_retry() -> None:
    outbox, _, clock, dispatcher = setup(lambda _n: FAIL)
    put(outbox, "a")
    report = dispatcher.deliver(dt.timedelta(seconds=1), lambda s: clock.advance(seconds=s))
    assert (report.retried, report.waiting, report.passes) == (1, 0, 1)
    assert report.next_attempt_at is not None
    assert report.next_attempt_at > NOW + dt.timedelta(seconds=1)


def test_webhooks_need_http_urls_and_a_secret() -> None:
    with pytest.raises(ConfigError, match="http"):
        Webhooks({"t": "ftp://x"}, SECRET)
    with pytest.raises(ConfigError, match="RISKLOOP_WEBHOOK_SECRET"):
        Webhooks({"t": "https://x"}, b"short")
    assert Webhooks({}, b"").routes == {}  # nothing to deliver: no secret needed
