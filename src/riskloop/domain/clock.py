"""The injected clock: all "now" comes from a Clock so runs are reproducible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from riskloop.errors import ValidationError


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


class ReplayClock:
    """A clock a replay moves to the time of each event it replays, never backwards.

    Historical applications decided in time order see "now" as the moment each was made (the graph checks
    record every application at its own time, as they do live).
    """

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        """Return the time of the event being replayed."""
        return self.at

    def move_to(self, at: dt.datetime) -> None:
        """Set the time to ``at``; moving backwards is a ValidationError (replays run in time order)."""
        if at < self.at:
            raise ValidationError("at", f"{at.isoformat()} is before {self.at.isoformat()}: replays run in time order")
        self.at = at
