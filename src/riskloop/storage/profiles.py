"""SQLProfileSource: registration profiles from the ``enterprises`` table, one indexed read of a firm's versions."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from riskloop.domain.decision_request import EnterpriseProfile
from riskloop.domain.versions import in_force
from riskloop.storage.models import CONTRACT_TABLES
from riskloop.storage.prepared import PreparedRead

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
        self._one = PreparedRead(
            engine,
            sa.select(
                _enterprises.c.credit_code,
                _enterprises.c.industry_section,
                _enterprises.c.status,
                _enterprises.c.established_date,
                _enterprises.c.valid_from,
            ).where(_enterprises.c.credit_code == sa.bindparam("code")),
        )

    def profile(self, credit_code: str, as_of: dt.date | None = None) -> EnterpriseProfile | None:
        """The profile of ``credit_code`` in force on ``as_of`` (default: the latest; ADR 0020); ``None``: unknown."""
        versions = self._one.all({"code": credit_code})
        found = in_force(versions, as_of, lambda v: v.valid_from)
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
            count = sa.select(sa.func.count(sa.distinct(_enterprises.c.credit_code)))
            return int(conn.execute(count).scalar_one())
