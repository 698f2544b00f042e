"""A clock tests can move forward."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class SteppingClock:
    """A clock at ``at`` until ``advance`` moves it."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        """The current instant."""
        return self.at

    def advance(self, **delta: float) -> None:
        """Move forward by ``datetime.timedelta(**delta)``."""
        self.at = self.at + dt.timedelta(**delta)
