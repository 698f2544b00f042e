"""SQLProfileSource: registration profiles from the ``enterprises`` table, one primary-key read each."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.domain.decision_request import EnterpriseProfile
from riskloop.storage.models import CONTRACT_TABLES

_enterprises = CONTRACT_TABLES["enterprises"]


class SQLProfileSource:
    """ProfileSource on the database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        A migrated database holding ingested ``enterprises``.
    blacklist : frozenset of str
        Credit codes on the bank's blacklist.

    """

    def __init__(self, engine: sa.Engine, blacklist: frozenset[str] = frozenset()) -> None:
        self.engine = engine
        self.blacklist = blacklist
        self._one = sa.select(
            _enterprises.c.credit_code,
            _enterprises.c.industry_section,
            _enterprises.c.status,
            _enterprises.c.established_date,
        ).where(_enterprises.c.credit_code == sa.bindparam("code"))

    def profile(self, credit_code: str) -> EnterpriseProfile | None:
        """The profile of ``credit_code``, or ``None`` when it was never ingested."""
        with self.engine.connect() as conn:
            found = conn.execute(self._one, {"code": credit_code}).first()
        if found is None:
            return None
        return EnterpriseProfile(
            credit_code=found.credit_code,
            industry_section=found.industry_section,
            status=found.status,
            established_date=found.established_date,
            blacklisted=found.credit_code in self.blacklist,
        )

    def count(self) -> int:
        """How many enterprises the database holds (what serving can find profiles for)."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_enterprises)).scalar_one())
