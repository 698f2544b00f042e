"""In-memory fakes of the registration ports: the velocity store and the allow-list."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence

from riskloop.admission.state import Key, KeyState, Step, T
from riskloop.service.registration_ports import ALLOWLIST_KINDS


class MemoryVelocityStore:
    """Key states in a dict; one lock serialises updates."""

    def __init__(self) -> None:
        self.states: dict[Key, KeyState] = {}
        self._lock = threading.Lock()

    def update(self, keys: Sequence[Key], step: Step[T]) -> T:
        """Read, step and write under the lock."""
        with self._lock:
            new, result = step({k: self.states.get(k) for k in keys})
            self.states.update(new)
            return result

    def expire(self, before: int) -> int:
        """Drop keys idle since ``before``."""
        with self._lock:
            idle = [k for k, s in self.states.items() if s.last < before]
            for key in idle:
                del self.states[key]
            return len(idle)

    def size(self) -> int:
        """Keys held."""
        return len(self.states)


class MemoryAllowlist:
    """A white list of ``(kind, value)`` entries, each unexpired until an optional instant."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], dt.datetime | None] = {}

    def add(self, kind: str, value: str, until: dt.datetime | None = None) -> None:
        """List ``value`` of ``kind`` (until ``until``, or for good)."""
        if kind not in ALLOWLIST_KINDS:
            raise ValueError(f"kind {kind!r} is not one of {', '.join(ALLOWLIST_KINDS)}")
        self.entries[(kind, value)] = until

    def allows(self, kind: str, value: str, at: dt.datetime) -> bool:
        """Whether the entry exists and is unexpired at ``at``."""
        if (kind, value) not in self.entries:
            return False
        until = self.entries[(kind, value)]
        return until is None or at < until
