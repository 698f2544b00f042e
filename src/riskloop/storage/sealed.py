"""Whether a database holds sealed personal data: then its PII keys must exist and are never made anew."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.decision_models import decisions
from riskloop.storage.models import quarantine


def holds_sealed_data(engine: sa.Engine) -> bool:
    """True when any decision or quarantined row is stored (or the tables cannot be read: assume so)."""
    try:
        with engine.connect() as conn:
            return any(conn.execute(sa.select(t.c[0]).limit(1)).first() is not None for t in (decisions, quarantine))
    except sa.exc.SQLAlchemyError:
        return True
