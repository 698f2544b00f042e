"""The EffectSource port: applications from the warehouse, champion decisions with their reviews from SQL."""

# ruff: noqa: S608 - the date is an ISO literal through sql_literal

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from riskloop.domain.decision import Tier
from riskloop.domain.decision_record import CHAMPION
from riskloop.domain.effect import Applied, Decided
from riskloop.io.warehouse import Warehouse, sql_literal
from riskloop.storage.decision_models import decisions, reviews


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


class SQLEffectSource:
    """Applications in the warehouse (DuckDB) and the ``decisions`` table joined to the review queue."""

    def __init__(self, engine: sa.Engine, warehouse: Warehouse) -> None:
        self.engine, self.warehouse = engine, warehouse

    def _json(self, column: sa.ColumnElement[str]) -> Any:
        return _json_text(column, self.engine.dialect.name)

    def applications(self, as_of: dt.date) -> list[Applied]:
        """Applications submitted by the end of ``as_of``."""
        if "applications" not in set(self.warehouse.tables()):
            return []
        con = self.warehouse.connect()
        try:
            rows = con.execute(
                "SELECT application_id, CAST(applied_at AS DATE), channel FROM applications "
                f"WHERE CAST(applied_at AS DATE) <= DATE {sql_literal(as_of.isoformat())}"
            ).fetchall()
        finally:
            con.close()
        return [Applied(str(a), d, None if c is None else str(c)) for a, d, c in rows]

    def decisions(self, as_of: dt.date) -> list[Decided]:
        """Champion decisions made by the end of ``as_of`` with when they became final (any day)."""
        d, r = decisions.c, reviews.c
        model = self._json(d.decision)[("versions", "model")].as_string()  # not the whole JSON of each row
        channel = self._json(d.inputs)[("request", "channel")].as_string()
        cols = (d.application_id, d.decision_id, d.decided_at, d.tier, d.strategy, d.pd, d.limit_cents, model,
                channel, d.final_outcome, r.closed_at, r.final_outcome)  # fmt: skip
        stmt = (
            sa.select(*cols)
            .select_from(decisions.outerjoin(reviews, reviews.c.decision_id == decisions.c.decision_id))
            .where(decisions.c.role == CHAMPION, decisions.c.decided_at < _end_of(as_of))
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )
        with self.engine.connect() as conn:
            return [_decided(row) for row in conn.execute(stmt)]


def _json_text(column: sa.ColumnElement[str], dialect: str) -> Any:
    """A JSON text column as JSON: PostgreSQL needs the cast; SQLite reads text (a CAST AS JSON there is numeric)."""
    return sa.cast(column, sa.JSON) if dialect == "postgresql" else sa.type_coerce(column, sa.JSON)


def _decided(row: Any) -> Decided:
    app_id, decision_id, decided_at, tier, strategy, pd, limit, model, channel, final, closed_at, reviewed = row
    decided = _utc(decided_at)
    assert decided is not None
    if Tier(tier).needs_human or closed_at is not None:  # final when its review closed
        outcome, final_at = reviewed, _utc(closed_at)
    else:
        outcome, final_at = final, decided
    return Decided(
        application_id=app_id,
        decision_id=decision_id,
        decided_at=decided,
        tier=tier,
        strategy=strategy,
        model=model or "",
        channel=channel,
        pd=pd,
        limit_cents=int(limit),
        final_outcome=outcome if final_at is not None else None,
        final_at=final_at,
    )
