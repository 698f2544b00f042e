"""A monitoring run's record: one per as-of day, ``running`` until every step is done, then ``done``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

RUNNING, DONE = "running", "done"


@dataclass(frozen=True)
class MonitorRun:
    """What a run as of ``as_of`` did (counts filled in when it is done); re-running the day replaces it."""

    as_of: dt.date
    status: str
    policy: str  # name@version of the warning policy
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    loans: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    raised: int = 0
    upgraded: int = 0
    unchanged: int = 0
    attempts: int = 1
