"""SQLFeatureStore: the latest published features per (credit code, feature set) in the ``published_features`` table."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from riskloop.domain.clock import Clock
from riskloop.errors import StorageError
from riskloop.features.online import FeatureValue, PublishedFeatures, feature_records
from riskloop.storage.models import published_features as table
from riskloop.storage.prepared import PreparedRead

UPSERT_CHUNK_ROWS = 1_000
_LOOKUP_CHUNK = 500  # bounded IN lists: SQLite caps bound parameters


class SQLFeatureStore:
    """FeatureStore on SQLite or PostgreSQL; a lookup is one primary-key read.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Engine of a migrated database (``riskloop.storage.migrate.upgrade``).
    clock : Clock
        Source of ``published_at``.

    """

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self._one = PreparedRead(engine, sa.select(table).where(
            table.c.credit_code == sa.bindparam("code"), table.c.feature_set == sa.bindparam("feature_set")
        ))  # fmt: skip

    def publish(self, feature_set: str, as_of: dt.date, rows: pa.Table) -> int:
        """Upsert one row per enterprise of ``rows`` (``credit_code`` plus features); return how many."""
        published_at = self.clock.now()
        records = [
            {
                "credit_code": code,
                "feature_set": feature_set,
                "as_of": as_of,
                "published_at": published_at,
                "feature_values": json.dumps(values, allow_nan=False, separators=(",", ":")),
            }
            for code, values in feature_records(rows)
        ]
        with self.engine.begin() as conn:
            stmt = _upsert(conn.dialect.name)
            for start in range(0, len(records), UPSERT_CHUNK_ROWS):
                conn.execute(stmt, records[start : start + UPSERT_CHUNK_ROWS])
        return len(records)

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """The published features of ``credit_code`` under ``feature_set``, or ``None``."""
        found = self._one.first({"code": credit_code, "feature_set": feature_set})
        return _to_published(found._asdict()) if found is not None else None

    def lookup_many(self, feature_set: str, credit_codes: Iterable[str]) -> dict[str, PublishedFeatures]:
        """Published features of each of ``credit_codes`` that has any, keyed by credit code."""
        codes = sorted(set(credit_codes))
        out: dict[str, PublishedFeatures] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(codes), _LOOKUP_CHUNK):
                stmt = sa.select(table).where(
                    table.c.feature_set == feature_set, table.c.credit_code.in_(codes[start : start + _LOOKUP_CHUNK])
                )
                for found in conn.execute(stmt):
                    out[found.credit_code] = _to_published(found._mapping)
        return out

    def count(self, feature_set: str) -> int:
        """How many enterprises have features published under ``feature_set``."""
        stmt = sa.select(sa.func.count()).select_from(table).where(table.c.feature_set == feature_set)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def latest_published(self, feature_set: str) -> dt.datetime | None:
        """When features were last published under ``feature_set`` (UTC), or ``None`` if never."""
        stmt = sa.select(sa.func.max(table.c.published_at)).where(table.c.feature_set == feature_set)
        with self.engine.connect() as conn:
            found: dt.datetime | None = conn.execute(stmt).scalar_one()
        if found is not None and found.tzinfo is None:  # SQLite keeps no offset; we only ever write UTC
            found = found.replace(tzinfo=dt.UTC)
        return found


def _upsert(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (credit_code, feature_set) DO UPDATE`` for the engine's dialect."""
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise StorageError(f"feature store: unsupported database {dialect!r}; valid: postgresql, sqlite")
    replaced: Sequence[str] = ("as_of", "published_at", "feature_values")
    return stmt.on_conflict_do_update(
        index_elements=[table.c.credit_code, table.c.feature_set], set_={c: stmt.excluded[c] for c in replaced}
    )


def _to_published(found: Any) -> PublishedFeatures:
    values: dict[str, FeatureValue] = json.loads(found["feature_values"])
    published_at: dt.datetime = found["published_at"]
    if published_at.tzinfo is None:  # SQLite keeps no offset; we only ever write UTC
        published_at = published_at.replace(tzinfo=dt.UTC)
    return PublishedFeatures(
        credit_code=found["credit_code"],
        feature_set=found["feature_set"],
        as_of=found["as_of"],
        published_at=published_at,
        values=values,
    )
