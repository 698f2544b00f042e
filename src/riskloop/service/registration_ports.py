"""Ports of registration screening: the bank's allow-list and the bounded per-key velocity state."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol

from riskloop.admission.state import Key, Step, T

ALLOWLIST_KINDS = ("phone", "device_id", "ip", "credit_code", "legal_rep_id")


class Allowlist(Protocol):
    """The bank's white list (``lists``): whether ``value`` of ``kind`` is listed and unexpired at ``at``.

    ``kind`` is one of ``ALLOWLIST_KINDS``; ``value`` is normalised as ``domain.registration.Registration`` holds it.
    """

    def allows(self, kind: str, value: str, at: datetime.datetime) -> bool:
        """Whether the allow-list holds ``value`` of ``kind`` at ``at``."""
        ...


class VelocityStore(Protocol):
    """Per-key screening state (``admission.state.KeyState``) under keyed values, never raw identifiers."""

    def update(self, keys: Sequence[Key], step: Step[T]) -> T:
        """Read the states of ``keys`` (None: never seen), call ``step``, write the states it returns; atomically.

        Concurrent updates of one key are serialised: none is lost.
        """
        ...

    def expire(self, before: int) -> int:
        """Forget every key idle since before epoch second ``before``; return how many were forgotten."""
        ...

    def size(self) -> int:
        """Keys held."""
        ...
