"""API keys: what a stored key grants, how a presented secret is matched, and revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, replace
from typing import Any

from riskloop.domain.access import Principal
from riskloop.errors import ConflictError


@dataclass(frozen=True)
class ApiKey:
    """A stored key (never its secret)."""

    key_id: str
    principal: str
    roles: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

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
class Credential:
    """What a stored key grants, found by the sha256 of its secret."""

    secret_sha256: str
    key_id: str
    principal: str
    roles: frozenset[str]
    revoked_at: dt.datetime | None


def digest(secret: str) -> str:
    """The sha256 (hex) stored for ``secret``."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def grant(credential: Credential | None, presented: str) -> Principal | None:
    """The principal of ``credential`` if it matches digest ``presented`` and is not revoked, else ``None``."""
    if credential is None or not hmac.compare_digest(credential.secret_sha256, presented):
        return None
    if credential.revoked_at is not None:  # revocation holds from the next request: nothing is cached
        return None
    return Principal(credential.principal, credential.roles, credential.key_id)


def revoked(key: ApiKey, at: dt.datetime) -> ApiKey:
    """``key`` revoked at ``at``; a key revoked before is a ConflictError naming ``key_id``."""
    if key.revoked_at is not None:
        raise ConflictError("key_id", f"{key.key_id} was revoked at {key.revoked_at.isoformat()}")
    return replace(key, revoked_at=at)
