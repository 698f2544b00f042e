"""API keys in the database: the ApiKeyStore of the key use cases (it persists, it decides nothing).

The table keeps the sha256 of each secret as its primary key, never the secret, so a check is one
primary-key read (a statement built once). Revocation is a compare-and-set on ``revoked_at IS NULL``. Every
create and revoke writes its audit row in the same transaction. The rules are in ``domain.api_key``, the use
cases in ``service.api_keys``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from riskloop.domain.api_key import ApiKey, Credential
from riskloop.domain.audit import AuditEntry
from riskloop.errors import ConflictError
from riskloop.storage.audit import record
from riskloop.storage.decision_models import api_keys
from riskloop.storage.prepared import PreparedRead

_LOOKUP = sa.select(api_keys.c.secret_sha256, api_keys.c.key_id, api_keys.c.principal, api_keys.c.roles,
                    api_keys.c.revoked_at).where(api_keys.c.secret_sha256 == sa.bindparam("digest"))  # fmt: skip


class SQLApiKeys:
    """API keys on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        # The check is one prepared statement (storage.prepared: on PostgreSQL in autocommit, without the BEGIN and
        # ROLLBACK round trips around it)
        self._lookup = PreparedRead(engine, _LOOKUP)

    def credential(self, secret_sha256: str) -> Credential | None:
        """The key stored under ``secret_sha256`` (one primary-key read), or ``None``."""
        row = self._lookup.first({"digest": secret_sha256})
        if row is None:
            return None
        revoked = None if row.revoked_at is None else _utc(row.revoked_at)
        return Credential(row.secret_sha256, row.key_id, row.principal, frozenset(row.roles.split(",")), revoked)

    def get(self, key_id: str) -> ApiKey | None:
        """One key by its id, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.key_id == key_id)).first()
        return None if row is None else _key(row)

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        stmt = sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
        with self.engine.connect() as conn:
            return [_key(r) for r in conn.execute(stmt)]

    def add(self, key: ApiKey, secret_sha256: str, entry: AuditEntry) -> None:
        """Store ``key`` under the digest of its secret with ``entry``."""
        with self.engine.begin() as conn:
            conn.execute(
                api_keys.insert(),
                {"secret_sha256": secret_sha256, "key_id": key.key_id, "principal": key.principal,
                 "roles": ",".join(key.roles), "created_at": key.created_at, "revoked_at": key.revoked_at},
            )  # fmt: skip
            record(conn, entry)

    def save(self, before: ApiKey, after: ApiKey, entry: AuditEntry) -> None:
        """Record ``after``'s revocation while the key is still valid (compare-and-set), with ``entry``."""
        with self.engine.begin() as conn:
            updated = conn.execute(
                api_keys.update()
                .where(api_keys.c.key_id == before.key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=after.revoked_at)
            )
            if updated.rowcount != 1:
                raise ConflictError("key_id", f"{before.key_id} was revoked meanwhile")
            record(conn, entry)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        principal=row.principal,
        roles=tuple(row.roles.split(",")),
        created_at=_utc(row.created_at),
        revoked_at=None if row.revoked_at is None else _utc(row.revoked_at),
    )
