"""SQLEnterpriseDirectory: enterprises by credit code, prefix or name, and persons' stored names, for the console."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from riskloop.domain.enterprise_card import EnterpriseCard
from riskloop.domain.versions import in_force
from riskloop.storage.models import CONTRACT_TABLES

_enterprises = CONTRACT_TABLES["enterprises"]
_persons = CONTRACT_TABLES["persons"]
CHUNK = 500  # bound parameters per IN list (SQLite's limit is far above; PostgreSQL plans stay small)


def _chunks(values: Sequence[str]) -> list[list[str]]:
    distinct = sorted(set(values))
    return [distinct[i : i + CHUNK] for i in range(0, len(distinct), CHUNK)]


class SQLEnterpriseDirectory:
    """The EnterpriseDirectory port on the ingested ``enterprises`` and ``persons`` tables (indexed by key)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        e = _enterprises.c
        self._cards = sa.select(e.credit_code, e.name, e.kind, e.industry_section, e.status, e.valid_from)

    def by_codes(self, codes: Sequence[str]) -> dict[str, EnterpriseCard]:
        """The latest registration of each of ``codes`` held (ADR 0020: the version in force now)."""
        versions: dict[str, list[Any]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(codes):
                for row in conn.execute(self._cards.where(_enterprises.c.credit_code.in_(chunk))):
                    versions.setdefault(row.credit_code, []).append(row)
        out = {}
        for code, rows in versions.items():
            latest = in_force(rows, None, lambda r: r.valid_from)
            assert latest is not None
            out[code] = EnterpriseCard(code, latest.name, latest.kind, latest.industry_section, latest.status)
        return out

    def with_prefix(self, prefix: str, limit: int, offset: int) -> tuple[list[EnterpriseCard], int]:
        """Enterprises whose credit code starts with ``prefix`` (code characters only), by code."""
        return self._page(_enterprises.c.credit_code.startswith(prefix, autoescape=True), limit, offset)

    def named(self, names: Sequence[str], limit: int, offset: int) -> tuple[list[EnterpriseCard], int]:
        """Enterprises with a version named one of ``names`` (a current or former name), by code."""
        return self._page(_enterprises.c.name.in_(list(names)), limit, offset)

    def _page(self, where: sa.ColumnElement[bool], limit: int, offset: int) -> tuple[list[EnterpriseCard], int]:
        codes = sa.select(_enterprises.c.credit_code).where(where).distinct()
        with self.engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(codes.subquery())).scalar_one())
            page = conn.execute(codes.order_by(_enterprises.c.credit_code).limit(limit).offset(offset)).scalars()
            found = list(page)
        cards = self.by_codes(found)
        return [cards[c] for c in found], total

    def person_names(self, persons: Sequence[str]) -> dict[str, str]:
        """Stored name of each stored person id (``tok1:<token>:<masked id>``) in ``persons`` held."""
        out: dict[str, str] = {}
        p = _persons.c
        with self.engine.connect() as conn:
            for chunk in _chunks(persons):
                for person_id, name in conn.execute(sa.select(p.person_id, p.name).where(p.person_id.in_(chunk))):
                    out[person_id] = name
        return out
