"""The outbox: messages written with the change that causes them, delivered later, at least once, in order per key.

A message is pending until delivered (``sent_at``) or dead-lettered (``dead_at``) after ``max_attempts`` failed
attempts; between attempts it waits an exponentially growing, jittered delay (``retry_delay``). Messages of one
``(topic, key)`` are delivered in the order they were written: one that waits, or is dead, holds back those
after it (``held``) until it is delivered or re-delivered. The webhook envelope is ``envelope``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskloop.errors import ValidationError

PENDING, SENT, DEAD = "pending", "sent", "dead"
SIGNATURE_HEADER = "X-Riskloop-Signature"
STATES = (PENDING, SENT, DEAD)
MAX_ERROR = 500  # characters of a delivery error kept


@dataclass(frozen=True)
class OutboxMessage:
    """A message to write to the outbox, in the transaction of the change that causes it."""

    topic: str
    key: str
    payload: Mapping[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class OutboxEvent:
    """A stored message and its delivery state."""

    outbox_id: int
    topic: str
    key: str
    payload: Mapping[str, Any]
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    last_error: str | None = None
    dead_at: dt.datetime | None = None
    held: bool = False  # an earlier message of its key is dead: it waits for that one's re-delivery

    @property
    def event_id(self) -> str:
        """The stable id of the event (the webhook's ``Idempotency-Key``): the same on every attempt."""
        return f"evt-{self.outbox_id}"

    @property
    def state(self) -> str:
        """``pending``, ``sent`` or ``dead``."""
        return SENT if self.sent_at is not None else DEAD if self.dead_at is not None else PENDING

    def due(self, now: dt.datetime) -> bool:
        """Whether an attempt may be made at ``now``."""
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        times = (("sent_at", self.sent_at), ("next_attempt_at", self.next_attempt_at), ("dead_at", self.dead_at))
        iso = {k: None if v is None else v.isoformat() for k, v in times}
        return {
            "outbox_id": self.outbox_id, "event_id": self.event_id, "topic": self.topic, "key": self.key,
            "state": self.state, "created_at": self.created_at.isoformat(), "attempts": self.attempts,
            "last_error": self.last_error, "held": self.held, **iso,
        }  # fmt: skip


@dataclass(frozen=True)
class WebhookReply:
    """What a webhook answered: its status, or the transport error when there was no answer."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Delivered: a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how far apart a message is tried before it is dead-lettered."""

    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValidationError("max_attempts", "at least 1")
        if not 0 < self.base_seconds <= self.cap_seconds:
            raise ValidationError("base_seconds", "more than 0 and at most cap_seconds")

    def retry_delay(self, attempts: int, jitter: float) -> dt.timedelta:
        """The wait after the ``attempts``-th failure: ``base · 2^(attempts-1)``, capped, times 0.5 + jitter/2.

        ``jitter`` is uniform in [0, 1) (an injected random source): retries of many messages failing at once
        spread over the second half of each window instead of arriving together ("equal jitter").

        Examples
        --------
        >>> RetryPolicy(base_seconds=2, cap_seconds=60).retry_delay(3, 0.0).total_seconds()
        4.0
        >>> RetryPolicy(base_seconds=2, cap_seconds=60).retry_delay(10, 0.999).total_seconds() < 60
        True

        """
        exponential = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return dt.timedelta(seconds=exponential * (0.5 + min(max(jitter, 0.0), 1.0) / 2))

    def exhausted(self, attempts: int) -> bool:
        """Whether ``attempts`` failures dead-letter the message."""
        return attempts >= self.max_attempts


def envelope(event: OutboxEvent) -> dict[str, Any]:
    """The JSON body a webhook receives: the event's id, topic, key and time, and its payload under ``data``."""
    return {
        "event_id": event.event_id,
        "topic": event.topic,
        "key": event.key,
        "created_at": event.created_at.isoformat(),
        "data": dict(event.payload),
    }


def body_bytes(event: OutboxEvent) -> bytes:
    """The exact bytes posted (and signed): the envelope as compact, key-sorted UTF-8 JSON."""
    return json.dumps(envelope(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def short_error(text: str) -> str:
    """A delivery error as stored: one line, at most ``MAX_ERROR`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body under secret>``.

    A receiver recomputes it over the raw body it received and compares in constant time; the timestamp lets it
    refuse old replays.

    Examples
    --------
    >>> signature(b"s3cret", 1767225600, b'{"a":1}')[:16]
    't=1767225600,v1='

    """
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: bytes, header: str, body: bytes) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret`` (what a receiver checks)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if not parts.get("t", "").isdecimal() or "v1" not in parts:
        return False
    expected = signature(secret, int(parts["t"]), body)
    return hmac.compare_digest(expected, f"t={parts['t']},v1={parts['v1']}")
