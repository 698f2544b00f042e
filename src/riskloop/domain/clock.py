"""The injected clock: all "now" comes from a Clock so runs are reproducible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """Source of the current time (UTC)."""

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> dt.datetime:
        """Return the wall-clock time in UTC."""
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one instant, for tests and replays."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        """Return the fixed instant."""
        return self.at
