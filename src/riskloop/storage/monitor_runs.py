"""SQLMonitorRuns: the MonitorRuns port on the workspace database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from riskloop.domain.monitor_run import DONE, MonitorRun
from riskloop.storage.monitor_models import monitor_runs


class SQLMonitorRuns:
    """Run records in ``monitor_runs``; ``put`` replaces the day's row in one transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def get(self, as_of: dt.date) -> MonitorRun | None:
        """The record of ``as_of``, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(monitor_runs).where(monitor_runs.c.as_of == as_of)).first()
        return None if row is None else _run(row)

    def put(self, run: MonitorRun) -> None:
        """Store ``run``, replacing its day's record."""
        values = {
            "as_of": run.as_of,
            "status": run.status,
            "policy": run.policy,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "loans": run.loans,
            "levels": json.dumps(run.levels, sort_keys=True),
            "raised": run.raised,
            "upgraded": run.upgraded,
            "unchanged": run.unchanged,
            "attempts": run.attempts,
        }
        with self.engine.begin() as conn:
            conn.execute(sa.delete(monitor_runs).where(monitor_runs.c.as_of == run.as_of))
            conn.execute(sa.insert(monitor_runs).values(**values))

    def latest(self) -> MonitorRun | None:
        """The done run of the latest day."""
        query = sa.select(monitor_runs).where(monitor_runs.c.status == DONE).order_by(monitor_runs.c.as_of.desc())
        with self.engine.connect() as conn:
            row = conn.execute(query.limit(1)).first()
        return None if row is None else _run(row)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _run(row: Any) -> MonitorRun:
    started = _utc(row.started_at)
    assert started is not None
    return MonitorRun(
        as_of=row.as_of,
        status=row.status,
        policy=row.policy,
        started_at=started,
        finished_at=_utc(row.finished_at),
        loans=row.loans,
        levels=json.loads(row.levels),
        raised=row.raised,
        upgraded=row.upgraded,
        unchanged=row.unchanged,
        attempts=row.attempts,
    )
