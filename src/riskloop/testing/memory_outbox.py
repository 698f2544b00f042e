"""MemoryOutbox: the OutboxStore in memory (the fake stores write their messages into it), and a fake webhook."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from riskloop.domain.outbox import DEAD, PENDING, SENT, OutboxEvent, OutboxMessage, WebhookReply
from riskloop.service.outbox_ports import OutboxStore, WebhookSender


@dataclass
class MemoryOutbox:
    """Messages in a list, in id order; each write is atomic under one lock, as a transaction is."""

    stored: dict[int, OutboxEvent] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def write(self, message: OutboxMessage) -> int:
        """Append ``message`` (what a store does in the transaction of its change); its id."""
        with self.lock:
            outbox_id = max(self.stored, default=0) + 1
            self.stored[outbox_id] = OutboxEvent(
                outbox_id, message.topic, message.key, dict(message.payload), message.created_at
            )
            return outbox_id

    def pending(self, *, after: int, limit: int) -> list[OutboxEvent]:
        """Undelivered messages that are not dead, above ``after``, in id order (``held`` filled in)."""
        with self.lock:
            found = [e for e in self._with_held() if e.state == PENDING and e.outbox_id > after]
        return found[:limit]

    def delivered(self, event: OutboxEvent, at: dt.datetime) -> bool:
        """Mark ``event`` sent (compare-and-set on its attempts)."""
        return self._move(event, sent_at=at)

    def failed(self, event: OutboxEvent, *, next_attempt_at: dt.datetime, error: str) -> bool:
        """One more failed attempt, retried at ``next_attempt_at``."""
        return self._move(event, attempts=event.attempts + 1, next_attempt_at=next_attempt_at, last_error=error)

    def dead(self, event: OutboxEvent, *, at: dt.datetime, error: str) -> bool:
        """The last failed attempt: dead-lettered."""
        return self._move(event, attempts=event.attempts + 1, dead_at=at, last_error=error, next_attempt_at=None)

    def events(self, *, state: str | None, limit: int) -> list[OutboxEvent]:
        """Messages in ``state`` (any when ``None``), newest first."""
        with self.lock:
            found = [e for e in self._with_held() if state is None or e.state == state]
        return found[::-1][:limit]

    def redeliver(self, outbox_ids: list[int] | None) -> list[int]:
        """Dead messages (those of ``outbox_ids``, or all) pending again with no attempts; their ids."""
        with self.lock:
            chosen = [
                e for e in self.stored.values() if e.state == DEAD and (outbox_ids is None or e.outbox_id in outbox_ids)
            ]
            for e in chosen:
                self.stored[e.outbox_id] = replace(e, dead_at=None, attempts=0, next_attempt_at=None)
            return sorted(e.outbox_id for e in chosen)

    def counts(self) -> dict[str, int]:
        """Pending, sent and dead messages."""
        with self.lock:
            states = [e.state for e in self.stored.values()]
        return {s: states.count(s) for s in (PENDING, SENT, DEAD)}

    def _with_held(self) -> list[OutboxEvent]:
        """Every message in id order, a pending one ``held`` when an earlier one of its key is dead."""
        ordered = sorted(self.stored.values(), key=lambda e: e.outbox_id)
        dead = [(e.topic, e.key, e.outbox_id) for e in ordered if e.state == DEAD]
        return [
            replace(e, held=e.state == PENDING and any(t == e.topic and k == e.key and i < e.outbox_id
                                                       for t, k, i in dead))
            for e in ordered
        ]  # fmt: skip

    def _move(self, event: OutboxEvent, **changes: object) -> bool:
        with self.lock:
            stored = self.stored.get(event.outbox_id)
            if stored is None or stored.state != PENDING or stored.attempts != event.attempts:
                return False
            self.stored[event.outbox_id] = replace(stored, held=False, **changes)  # type: ignore[arg-type]
            return True


@dataclass
class FakeWebhook:
    """A WebhookSender that records every request and answers with ``answer(request number)`` (1-based)."""

    answer: Callable[[int], WebhookReply] = lambda _n: WebhookReply(204)
    requests: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        """Record the request and answer it."""
        self.requests.append((url, body, dict(headers)))
        return self.answer(len(self.requests))


def _as_ports(store: MemoryOutbox, sender: FakeWebhook) -> tuple[OutboxStore, WebhookSender]:  # mypy checks the fakes
    return store, sender
