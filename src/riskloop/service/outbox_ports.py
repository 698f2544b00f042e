"""The ports of outbox delivery: the stored messages and their delivery state, and the webhook sender.

Every state change of a message is a compare-and-set on what the dispatcher read (``sent_at`` still empty,
``attempts`` unchanged): a write that finds the message moved by another dispatcher changes nothing and
returns ``False``. In-memory implementations: ``riskloop.testing.memory_outbox``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from riskloop.domain.outbox import OutboxEvent, WebhookReply


class WebhookSender(Protocol):
    """POSTs a body to a URL (never follows redirects, bounded by a timeout)."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        """POST ``body`` with ``headers``; transport failures are a reply with ``error``, never an exception."""
        ...


class OutboxStore(Protocol):
    """Stored outbox messages."""

    def pending(self, *, after: int, limit: int) -> list[OutboxEvent]:
        """Undelivered messages that are not dead, with ids above ``after``, in id order (``held`` filled in)."""
        ...

    def delivered(self, event: OutboxEvent, at: dt.datetime) -> bool:
        """Mark ``event`` sent at ``at`` (compare-and-set on its attempts)."""
        ...

    def failed(self, event: OutboxEvent, *, next_attempt_at: dt.datetime, error: str) -> bool:
        """One more failed attempt of ``event``, to be retried at ``next_attempt_at``."""
        ...

    def dead(self, event: OutboxEvent, *, at: dt.datetime, error: str) -> bool:
        """One more failed attempt of ``event``, its last: dead-lettered at ``at``."""
        ...

    def events(self, *, state: str | None, limit: int) -> list[OutboxEvent]:
        """Messages in ``state`` (``pending``, ``sent``, ``dead``; ``None``: any), newest first."""
        ...

    def redeliver(self, outbox_ids: list[int] | None) -> list[int]:
        """Dead messages (those of ``outbox_ids``, or all) made pending again with no attempts; their ids."""
        ...

    def counts(self) -> dict[str, int]:
        """How many messages are pending, sent and dead."""
        ...
