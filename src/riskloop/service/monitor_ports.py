"""The port of the monitoring use case: its run records. In memory: ``riskloop.testing.memory_monitor_runs``."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from riskloop.domain.monitor_run import MonitorRun


class MonitorRuns(Protocol):
    """One record per as-of day."""

    def get(self, as_of: dt.date) -> MonitorRun | None:
        """The record of the run as of ``as_of``, or ``None``."""
        ...

    def put(self, run: MonitorRun) -> None:
        """Store ``run``, replacing the record of its day."""
        ...

    def latest(self) -> MonitorRun | None:
        """The done run of the latest as-of day, or ``None``."""
        ...
