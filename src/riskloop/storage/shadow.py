"""The PairedDecisions port over the ``decisions`` table: shadow decisions of a period, champions of applications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import sqlalchemy as sa

from riskloop.domain.decision_record import CHAMPION, SHADOW, StoredDecision
from riskloop.storage.decision_models import decisions
from riskloop.storage.decisions import stored_decision

_COLUMNS = (decisions.c.decision_id, decisions.c.role, decisions.c.strategy, decisions.c.status,
            decisions.c.final_outcome, decisions.c.decision, decisions.c.owner)  # fmt: skip
_ORDER = (decisions.c.decided_at, decisions.c.decision_id)
CHUNK = 500  # ids per IN list (SQLite binds at most 32,766 parameters)


class SQLShadowDecisions:
    """Stored decisions for the shadow report, read without their inputs."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def shadows(self, start: dt.datetime | None, end: dt.datetime | None) -> list[StoredDecision]:
        """Shadow decisions decided in ``[start, end)`` (an open end when None), oldest first."""
        stmt = sa.select(*_COLUMNS).where(decisions.c.role == SHADOW).order_by(*_ORDER)
        if start is not None:
            stmt = stmt.where(decisions.c.decided_at >= start)
        if end is not None:
            stmt = stmt.where(decisions.c.decided_at < end)
        with self.engine.connect() as conn:
            return [stored_decision(r._mapping) for r in conn.execute(stmt)]

    def champions(self, application_ids: Collection[str]) -> list[StoredDecision]:
        """Every champion decision of ``application_ids``, oldest first."""
        out: list[StoredDecision] = []
        ordered = sorted(set(application_ids))
        with self.engine.connect() as conn:
            for i in range(0, len(ordered), CHUNK):
                chunk = ordered[i : i + CHUNK]
                where = (decisions.c.application_id.in_(chunk), decisions.c.role == CHAMPION)
                out += [stored_decision(r._mapping) for r in conn.execute(sa.select(*_COLUMNS).where(*where))]
        return sorted(out, key=lambda d: (d.decision.decided_at, d.decision_id))
