"""API keys of the decision service: created and revoked with an audit row, checked on every request.

A key is a random secret (``secrets.token_urlsafe(32)``, 256 bits) shown once when it is created; the
database keeps its sha256 only, as the primary key, so checking a presented secret is one primary-key read
(a statement built once) and a constant-time comparison of the digests. Revocation takes effect on the next
request: nothing is cached. Every create and revoke writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from riskloop.domain.clock import Clock
from riskloop.errors import ConflictError, NotFoundError, ValidationError
from riskloop.storage.audit import audit
from riskloop.storage.decision_models import api_keys

CHANNEL, REVIEWER, ANALYST, APPROVER, AUDITOR = "channel", "reviewer", "analyst", "approver", "auditor"
ROLES = (CHANNEL, REVIEWER, ANALYST, APPROVER, AUDITOR)
ROLE_HELP = {
    CHANNEL: "post applications, read decisions",
    REVIEWER: "the review queue (list, claim, decide, reopen), read decisions",
    ANALYST: "author and submit strategy versions, request activations",
    APPROVER: "approve strategy versions and activation changes",
    AUDITOR: "read-only: every GET",
}
PRINCIPAL = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")  # the actors' pattern of the API bodies
SECRET_BYTES = 32

_LOOKUP = sa.select(api_keys.c.secret_sha256, api_keys.c.key_id, api_keys.c.principal, api_keys.c.roles,
                    api_keys.c.revoked_at).where(api_keys.c.secret_sha256 == sa.bindparam("digest"))  # fmt: skip


def digest(secret: str) -> str:
    """The sha256 (hex) stored for ``secret``."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who an authenticated request acts as, and what it may do."""

    name: str
    roles: frozenset[str]
    key_id: str


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never its secret)."""

    key_id: str
    principal: str
    roles: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "key_id": self.key_id,
            "principal": self.principal,
            "roles": list(self.roles),
            "created_at": self.created_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


@dataclass(frozen=True)
class CreatedKey:
    """A new key and its secret: the only time the secret exists outside the caller."""

    key: ApiKey
    secret: str


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """The distinct roles, sorted; an unknown role or none is a ValidationError naming ``role``."""
    chosen = tuple(sorted(set(roles)))
    if not chosen:
        raise ValidationError("role", f"give at least one role: {', '.join(ROLES)}")
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise ValidationError("role", f"unknown role {unknown[0]!r}; valid: {', '.join(ROLES)}")
    return chosen


class SQLApiKeys:
    """API keys on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        # The check is one statement: on PostgreSQL, in autocommit, without the BEGIN and ROLLBACK around it (two
        # round trips of three: 450 → 250 µs median on loopback). SQLite's are in-process and switching its
        # isolation level per checkout costs more than they do. Both share the engine's pool.
        sqlite = engine.dialect.name == "sqlite"
        self._reader = engine if sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")

    def create(self, principal: str, roles: Iterable[str], *, actor: str) -> CreatedKey:
        """A new key acting as ``principal`` with ``roles``; ``actor`` (who creates it) goes in the audit row."""
        if not PRINCIPAL.match(principal):
            raise ValidationError("principal", "1-80 letters, digits or . _ @ -")
        chosen = check_roles(roles)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        key_id = "key_" + secrets.token_hex(8)
        now = self.clock.now()
        with self.engine.begin() as conn:
            conn.execute(
                api_keys.insert(),
                {"secret_sha256": digest(secret), "key_id": key_id, "principal": principal,
                 "roles": ",".join(chosen), "created_at": now, "revoked_at": None},
            )  # fmt: skip
            audit(conn, at=now, actor=actor, action="api_key.created", entity="api_key", entity_id=key_id,
                  detail={"principal": principal, "roles": list(chosen)})  # fmt: skip
        return CreatedKey(ApiKey(key_id, principal, chosen, now, None), secret)

    def revoke(self, key_id: str, *, actor: str) -> ApiKey:
        """Revoke ``key_id`` from now on; an unknown key is a NotFoundError, a revoked one a ConflictError."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            updated = conn.execute(
                api_keys.update()
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if updated.rowcount != 1:
                row = conn.execute(sa.select(api_keys.c.revoked_at).where(api_keys.c.key_id == key_id)).first()
                if row is None:
                    raise NotFoundError(f"API key {key_id} does not exist")
                raise ConflictError("key_id", f"{key_id} was revoked at {_utc(row.revoked_at).isoformat()}")
            audit(conn, at=now, actor=actor, action="api_key.revoked", entity="api_key", entity_id=key_id)
        return self.get(key_id)

    def get(self, key_id: str) -> ApiKey:
        """One key by its id."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.key_id == key_id)).first()
        if row is None:
            raise NotFoundError(f"API key {key_id} does not exist")
        return _key(row)

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        stmt = sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
        with self.engine.connect() as conn:
            return [_key(r) for r in conn.execute(stmt)]

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of a valid key, ``None`` for an unknown or revoked one (one primary-key read)."""
        presented = digest(secret)
        with self._reader.connect() as conn:
            row = conn.execute(_LOOKUP, {"digest": presented}).first()
        if row is None or not hmac.compare_digest(row.secret_sha256, presented) or row.revoked_at is not None:
            return None
        return Principal(row.principal, frozenset(row.roles.split(",")), row.key_id)


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
