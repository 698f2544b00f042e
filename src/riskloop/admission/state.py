"""Bounded per-key state: the latest parties seen on a key, daily (or hourly) counts, and a clean-history mark.

A key's state never grows with its traffic: at most ``cap`` recent uses (older or surplus ones fall off, so a
distinct count saturates at ``cap``: every limit lies below it) and one count per day of the baseline window.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

DAY, HOUR = 86_400, 3_600
T = TypeVar("T")
Key = tuple[str, str]  # (kind, keyed value)


@dataclass
class KeyState:
    """What is remembered of one key (a phone, a device, a /24 network ...)."""

    recent: list[tuple[int, str]] = field(default_factory=list)  # (epoch second, party), oldest first
    buckets: dict[int, int] = field(default_factory=dict)  # epoch day (or hour) -> registrations
    last: int = 0  # epoch second of the latest use: idle keys expire
    clean_since: int | None = None  # first unblocked registration since the latest block (credit codes)
    owner: str | None = None  # the legal representative of that clean history (credit codes)

    def parties(self, now: int, window: int, current: str) -> int:
        """Distinct parties on the key within ``window`` seconds before ``now``, the current one included."""
        return len({p for t, p in self.recent if t > now - window} | {current})

    def uses(self, now: int, window: int) -> int:
        """Uses (not distinct) remembered within ``window`` seconds before ``now``."""
        return sum(1 for t, _ in self.recent if t > now - window)

    def bucket_total(self, now: int, window: int, width: int) -> int:
        """Uses counted in the buckets of width ``width`` that lie within ``window`` before ``now``."""
        first = (now - window) // width
        return sum(n for b, n in self.buckets.items() if b > first)

    def add(self, now: int, party: str, *, cap: int, retention: int, width: int = DAY) -> None:
        """Record one use; drop what lies beyond ``retention`` seconds or ``cap`` uses."""
        self.recent.append((now, party))
        self.recent = [(t, p) for t, p in self.recent[-cap:] if t > now - retention]
        bucket = now // width
        self.buckets[bucket] = self.buckets.get(bucket, 0) + 1
        oldest = (now - retention) // width
        self.buckets = {b: n for b, n in self.buckets.items() if b > oldest}
        self.last = max(self.last, now)

    def to_json(self) -> str:
        """Compact JSON form (what a store keeps)."""
        return json.dumps(
            {
                "r": [[t, p] for t, p in self.recent],
                "b": [[b, n] for b, n in sorted(self.buckets.items())],
                "l": self.last,
                "c": self.clean_since,
                "o": self.owner,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> KeyState:
        """The state of ``to_json``."""
        data = json.loads(text)
        return cls(
            recent=[(int(t), str(p)) for t, p in data["r"]],
            buckets={int(b): int(n) for b, n in data["b"]},
            last=int(data["l"]),
            clean_since=None if data["c"] is None else int(data["c"]),
            owner=data["o"],
        )

    def copy(self) -> KeyState:
        """An independent copy."""
        return KeyState(list(self.recent), dict(self.buckets), self.last, self.clean_since, self.owner)


# What a store's update runs: the states read (None: never seen) -> the states to write, and a result
Step = Callable[[Mapping[Key, KeyState | None]], tuple[Mapping[Key, KeyState], T]]
