"""API keys: ApiKeyAdmin creates, lists and revokes them (audited); Authenticator checks one on every request.

A key is a random secret (256 bits) shown once when it is created; the store keeps its sha256 only, so a
check is one read by digest and a constant-time comparison. Revocation takes effect on the next request:
nothing is cached. Who runs the admin (``riskloop keys``) is the trust root, as the database itself is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from riskloop.domain.access import Principal, check_principal, check_roles, require_role
from riskloop.domain.api_key import ApiKey, digest, grant, revoked
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.errors import NotFoundError, UnauthenticatedError
from riskloop.service.api_key_ports import ApiKeyStore, Credentials

SECRET_BYTES = 32


@dataclass(frozen=True)
class CreatedKey:
    """A new key and its secret: the only time the secret exists outside the caller."""

    key: ApiKey
    secret: str


def random_key() -> tuple[str, str]:
    """A new key id and secret from the operating system's CSPRNG (never a seeded generator)."""
    return "key_" + secrets.token_hex(8), secrets.token_urlsafe(SECRET_BYTES)


class ApiKeyAdmin:
    """Creates, lists and revokes keys; ``actor`` (who does it, e.g. ``cli:<login>``) goes in the audit row."""

    def __init__(self, store: ApiKeyStore, clock: Clock, mint: Callable[[], tuple[str, str]] = random_key) -> None:
        self.store, self.clock, self.mint = store, clock, mint

    def create(self, principal: str, roles: Iterable[str], *, actor: str) -> CreatedKey:
        """A new key acting as ``principal`` with ``roles``."""
        check_principal(principal)
        chosen = check_roles(roles)
        key_id, secret = self.mint()
        key = ApiKey(key_id, principal, chosen, self.clock.now())
        detail = {"principal": principal, "roles": list(chosen)}
        self.store.add(key, digest(secret), AuditEntry(key.created_at, actor, "api_key.created", "api_key", key_id,
                                                       detail))  # fmt: skip
        return CreatedKey(key, secret)

    def revoke(self, key_id: str, *, actor: str) -> ApiKey:
        """Revoke ``key_id`` from now on; an unknown key is a NotFoundError, a revoked one a ConflictError."""
        before = self.get(key_id)
        now = self.clock.now()
        after = revoked(before, now)
        self.store.save(before, after, AuditEntry(now, actor, "api_key.revoked", "api_key", key_id))
        return after

    def get(self, key_id: str) -> ApiKey:
        """One key by its id."""
        found = self.store.get(key_id)
        if found is None:
            raise NotFoundError(f"API key {key_id} does not exist")
        return found

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return self.store.list()


class Authenticator:
    """Who a presented secret is, and whether it may do what it asks."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def authenticate(self, secret: str) -> Principal:
        """The principal of a valid key; an unknown or revoked key is an UnauthenticatedError."""
        presented = digest(secret)
        found = grant(self.credentials.credential(presented), presented)
        if found is None:
            raise UnauthenticatedError("Authorization: unknown or revoked API key")
        return found

    def authorize(self, secret: str, roles: tuple[str, ...], what: str) -> Principal:
        """The principal of ``secret`` if it holds one of ``roles`` (else a ForbiddenError naming them)."""
        return require_role(self.authenticate(secret), roles, what, field="Authorization")
