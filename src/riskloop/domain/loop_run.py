"""The closed loop's record: one row per as-of day and step, written when the step is done or has failed.

A loop as of a day is claimed by one runner at a time (``CLAIM``: a lease that a crashed runner's successor
takes over once it has expired); each finished step keeps its JSON result, so a re-run returns it instead of
doing the step again and a resumed run starts at the first step not done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CLAIM = "claim"
RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass(frozen=True)
class LoopStep:
    """What one step of the loop as of ``as_of`` did (``step`` CLAIM: the runner's lease, ``result['owner']``)."""

    as_of: dt.date
    step: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    result: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "step": self.step,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "attempts": self.attempts,
            "error": self.error,
            "result": dict(self.result),
        }
