"""MemoryMonitorRuns: the MonitorRuns port in a dict."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from riskloop.domain.monitor_run import DONE, MonitorRun


@dataclass
class MemoryMonitorRuns:
    """Run records by as-of day."""

    runs: dict[dt.date, MonitorRun] = field(default_factory=dict)

    def get(self, as_of: dt.date) -> MonitorRun | None:
        """The record of ``as_of``, or ``None``."""
        return self.runs.get(as_of)

    def put(self, run: MonitorRun) -> None:
        """Store ``run``, replacing its day's record."""
        self.runs[run.as_of] = run

    def latest(self) -> MonitorRun | None:
        """The done run of the latest day."""
        done = [r for r in self.runs.values() if r.status == DONE]
        return max(done, key=lambda r: r.as_of, default=None)
