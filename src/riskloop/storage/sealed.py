"""Whether a database holds sealed personal data: then its PII keys must exist and are never made anew."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.decision_models import decisions
from riskloop.storage.models import quarantine
from riskloop.storage.prospect_models import prospects


def holds_sealed_data(engine: sa.Engine) -> bool:
    """True when any decision, quarantined row or prospect (a sealed name) is stored.

    When decisions or quarantine cannot be read, assume so. The prospects exist from migration 0025: a database
    migrated to an earlier revision holds none.
    """
    try:
        with engine.connect() as conn:
            if any(conn.execute(sa.select(t.c[0]).limit(1)).first() is not None for t in (decisions, quarantine)):
                return True
    except sa.exc.SQLAlchemyError:
        return True
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(prospects.c.run_id).limit(1)).first() is not None
    except sa.exc.SQLAlchemyError:
        return False
