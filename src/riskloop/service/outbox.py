"""OutboxDispatcher: delivers outbox messages to the webhook of their topic, at least once and in order per key.

One pass reads every pending message in id order. A message is POSTed (as ``domain.outbox.envelope``, signed
with HMAC-SHA256, its ``Idempotency-Key`` its stable event id) when its topic has a webhook, it is due, it is not
held behind a dead message of its key, and no earlier message of its key is still undelivered in this pass.
A 2xx marks it sent; anything else (an error status, a timeout, a refused connection) schedules a retry after
an exponential, jittered delay (``RetryPolicy``) on the injected clock, and dead-letters it after the last
attempt. ``deliver`` repeats passes, sleeping until the next retry falls due, within a time budget.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from riskloop.domain.clock import Clock
from riskloop.domain.outbox import (
    DEAD,
    PENDING,
    SENT,
    SIGNATURE_HEADER,
    STATES,
    OutboxEvent,
    RetryPolicy,
    body_bytes,
    short_error,
    signature,
)
from riskloop.errors import ConfigError, ValidationError
from riskloop.service.outbox_ports import OutboxStore, WebhookSender

PAGE = 500
USER_AGENT = "riskloop-outbox/1"


@dataclass
class DeliveryReport:
    """What one or more passes did."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    waiting: int = 0  # not due yet (a retry scheduled later)
    blocked: int = 0  # behind an earlier undelivered message of its key
    held: int = 0  # behind a dead message of its key
    unrouted: int = 0  # no webhook configured for its topic
    passes: int = 0
    next_attempt_at: dt.datetime | None = field(default=None)

    def add(self, other: DeliveryReport) -> None:
        """Add the counts of ``other`` (its next attempt replaces this one's)."""
        for f in fields(self):
            if f.name != "next_attempt_at":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.next_attempt_at = other.next_attempt_at

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["next_attempt_at"] = None if self.next_attempt_at is None else self.next_attempt_at.isoformat()
        return out


@dataclass(frozen=True)
class Webhooks:
    """Where each topic is delivered, and the secret that signs every body."""

    routes: Mapping[str, str]
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        for topic, url in self.routes.items():
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"webhook of {topic}: {url!r} is not an http:// or https:// URL")
        if self.routes and len(self.secret) < 16:
            raise ConfigError("webhook secret: at least 16 bytes (RISKLOOP_WEBHOOK_SECRET) to sign deliveries")


class OutboxDispatcher:
    """Delivers the outbox (``deliver_once``, ``deliver``), lists it and re-delivers dead messages."""

    def __init__(  # noqa: PLR0917 - ports and policies, all named by the workspace
        self,
        store: OutboxStore,
        sender: WebhookSender,
        webhooks: Webhooks,
        clock: Clock,
        policy: RetryPolicy | None = None,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        self.store, self.sender, self.webhooks, self.clock = store, sender, webhooks, clock
        self.policy = policy or RetryPolicy()
        self.jitter = jitter or random.SystemRandom().random  # unseeded in production; tests inject a seeded one

    def deliver_once(self) -> DeliveryReport:
        """One pass over every pending message."""
        report, busy, after = DeliveryReport(passes=1), dict[tuple[str, str], bool](), 0
        while True:
            page = self.store.pending(after=after, limit=PAGE)
            for event in page:
                self._one(event, report, busy)
            if len(page) < PAGE:
                return report
            after = page[-1].outbox_id

    def deliver(self, budget: dt.timedelta, sleep: Callable[[float], None], max_passes: int = 1000) -> DeliveryReport:
        """Passes until nothing is left to try within ``budget``, sleeping (``sleep``) until each retry is due."""
        if budget < dt.timedelta(0):
            raise ValidationError("budget", "0 or more")
        deadline = self.clock.now() + budget
        total = DeliveryReport()
        for _ in range(max_passes):
            report = self.deliver_once()
            total.add(report)
            due = report.next_attempt_at
            if due is None or due > deadline:
                break
            wait = (due - self.clock.now()).total_seconds()
            if wait > 0:
                sleep(wait)
        total.waiting, total.blocked, total.held, total.unrouted = (
            report.waiting,
            report.blocked,
            report.held,
            report.unrouted,
        )  # fmt: skip - what is left is what the last pass saw
        return total

    def events(self, state: str | None = None, limit: int = 100) -> list[OutboxEvent]:
        """Messages in ``state`` (pending, sent, dead; ``None``: any), newest first."""
        if state is not None and state not in STATES:
            raise ValidationError("state", f"{state!r} is not one of {', '.join(STATES)}")
        if not 1 <= limit <= 10_000:
            raise ValidationError("limit", "from 1 to 10000")
        return self.store.events(state=state, limit=limit)

    def redeliver(self, outbox_ids: list[int] | None = None) -> list[int]:
        """Dead messages (``outbox_ids``, or every one) made pending again, to be tried from their first attempt."""
        return self.store.redeliver(outbox_ids)

    def counts(self) -> dict[str, int]:
        """Pending, sent and dead messages."""
        return self.store.counts()

    def _one(self, event: OutboxEvent, report: DeliveryReport, busy: dict[tuple[str, str], bool]) -> None:
        """Try ``event`` if it may go now; else count why not.

        ``busy``: the keys of this pass with an undelivered earlier message (``True``: it is dead).
        """
        key, now = (event.topic, event.key), self.clock.now()
        url = self.webhooks.routes.get(event.topic)
        if event.held or busy.get(key):
            report.held += 1
        elif key in busy:
            report.blocked += 1
        elif url is None:
            report.unrouted += 1
        elif not event.due(now):
            report.waiting += 1
            _earliest(report, event.next_attempt_at)
        else:
            outcome = self._attempt(event, url, now, report)
            if outcome == SENT:
                return
            busy[key] = outcome == DEAD
            return
        busy[key] = busy.get(key, False) or event.held  # nothing later of this key goes before this one

    def _attempt(self, event: OutboxEvent, url: str, now: dt.datetime, report: DeliveryReport) -> str:
        """POST ``event`` once and record the outcome: ``sent``, ``pending`` (a retry) or ``dead``."""
        body = body_bytes(event)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": event.event_id,
            "X-Riskloop-Topic": event.topic,
            "X-Riskloop-Attempt": str(event.attempts + 1),
            SIGNATURE_HEADER: signature(self.webhooks.secret, int(now.timestamp()), body),
        }
        reply = self.sender.post(url, body, headers)
        if reply.ok:
            if not self.store.delivered(event, now):
                return PENDING  # another dispatcher moved it meanwhile: its order is theirs to keep
            report.delivered += 1
            return SENT
        error = short_error(reply.error or f"HTTP {reply.status}")
        attempts = event.attempts + 1
        if self.policy.exhausted(attempts):
            report.dead += self.store.dead(event, at=now, error=error)
            return DEAD
        retry_at = now + self.policy.retry_delay(attempts, self.jitter())
        if self.store.failed(event, next_attempt_at=retry_at, error=error):
            report.retried += 1
            _earliest(report, retry_at)
        return PENDING


def _earliest(report: DeliveryReport, at: dt.datetime | None) -> None:
    if at is not None and (report.next_attempt_at is None or at < report.next_attempt_at):
        report.next_attempt_at = at
