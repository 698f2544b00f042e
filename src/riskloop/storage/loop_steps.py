"""SQLLoopSteps: the LoopSteps port on the workspace database (table ``loop_steps``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.loop_run import CLAIM, DONE, RUNNING, LoopStep
from riskloop.errors import ConflictError
from riskloop.storage.audit import audit
from riskloop.storage.loop_models import loop_steps

_KEY = (loop_steps.c.as_of, loop_steps.c.step)


class SQLLoopSteps:
    """Step records of the closed loop; a claim is an insert, or a compare-and-set on an expired lease."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def steps(self, as_of: dt.date) -> dict[str, LoopStep]:
        """Every record of the loop as of ``as_of`` by step (the claim included)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(loop_steps).where(loop_steps.c.as_of == as_of)).all()
        return {row.step: _step(row) for row in rows}

    def days(self, limit: int = 20) -> list[dt.date]:
        """The latest as-of days a loop ran for, newest first."""
        query = sa.select(loop_steps.c.as_of).distinct().order_by(loop_steps.c.as_of.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [row.as_of for row in conn.execute(query)]

    def claim(self, as_of: dt.date, owner: str, at: dt.datetime, lease: dt.timedelta) -> None:
        """Take the loop as of ``as_of`` for ``owner``; ConflictError while another runner's lease holds."""
        row = {
            "as_of": as_of,
            "step": CLAIM,
            "status": RUNNING,
            "started_at": at,
            "result": json.dumps({"owner": owner}),
        }
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(loop_steps).where(*_is(as_of, CLAIM))).first()
            if found is None:
                try:
                    conn.execute(sa.insert(loop_steps).values(**row))
                except sa.exc.IntegrityError:  # another runner inserted it first
                    raise _busy(as_of, "another runner") from None
                return
            held = _step(found)
            if held.status == RUNNING and held.started_at + lease > at and held.result.get("owner") != owner:
                raise _busy(as_of, str(held.result.get("owner")), held.started_at)
            taken = conn.execute(
                sa.update(loop_steps)
                .where(*_is(as_of, CLAIM), loop_steps.c.started_at == found.started_at)  # nobody took it meanwhile
                .values(
                    status=RUNNING, started_at=at, finished_at=None, result=row["result"], attempts=held.attempts + 1
                )
            )
            if taken.rowcount != 1:
                raise _busy(as_of, "another runner")

    def release(self, as_of: dt.date, owner: str, at: dt.datetime) -> None:
        """End ``owner``'s claim (the loop stopped: done, waiting for approval, or failed)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(loop_steps)
                .where(*_is(as_of, CLAIM), loop_steps.c.result == json.dumps({"owner": owner}))
                .values(status=DONE, finished_at=at)
            )

    def put(self, step: LoopStep, entry: AuditEntry | None = None) -> None:
        """Store ``step`` (replacing its earlier record) and ``entry`` in the audit log, in one transaction."""
        values = {
            "as_of": step.as_of,
            "step": step.step,
            "status": step.status,
            "started_at": step.started_at,
            "finished_at": step.finished_at,
            "result": json.dumps(dict(step.result), sort_keys=True, allow_nan=False, default=str),
            "error": step.error,
            "attempts": step.attempts,
        }
        with self.engine.begin() as conn:
            conn.execute(sa.delete(loop_steps).where(*_is(step.as_of, step.step)))
            conn.execute(sa.insert(loop_steps).values(**values))
            if entry is not None:
                audit(
                    conn,
                    at=entry.at,
                    actor=entry.actor,
                    action=entry.action,
                    entity=entry.entity,
                    entity_id=entry.entity_id,
                    detail=entry.detail,
                )


def _is(as_of: dt.date, step: str) -> tuple[Any, Any]:
    return _KEY[0] == as_of, _KEY[1] == step


def _busy(as_of: dt.date, owner: str, since: dt.datetime | None = None) -> ConflictError:
    held = f" since {since.isoformat()}" if since is not None else ""
    return ConflictError("as_of", f"the loop as of {as_of} is running ({owner}{held}); wait for it or its lease to end")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _step(row: Any) -> LoopStep:
    started = _utc(row.started_at)
    assert started is not None
    return LoopStep(
        as_of=row.as_of,
        step=row.step,
        status=row.status,
        started_at=started,
        finished_at=_utc(row.finished_at),
        result=json.loads(row.result),
        error=row.error,
        attempts=row.attempts,
    )
