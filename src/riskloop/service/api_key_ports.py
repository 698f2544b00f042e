"""The port of API keys' use cases: stored keys by id and by the digest of their secret.

Writes are atomic with their audit row; ``save`` (revocation) is a compare-and-set on the key being valid.
In-memory implementation: ``riskloop.testing.memory_api_keys``.
"""

from __future__ import annotations

from typing import Protocol

from riskloop.domain.api_key import ApiKey, Credential
from riskloop.domain.audit import AuditEntry


class Credentials(Protocol):
    """What a presented secret's digest grants (read on every request)."""

    def credential(self, secret_sha256: str) -> Credential | None:
        """The key stored under ``secret_sha256``, or ``None``."""
        ...


class ApiKeyStore(Credentials, Protocol):
    """Stored API keys."""

    def get(self, key_id: str) -> ApiKey | None:
        """One key by its id, or ``None``."""
        ...

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first (then by id)."""
        ...

    def add(self, key: ApiKey, secret_sha256: str, entry: AuditEntry) -> None:
        """Store ``key`` under the digest of its secret with ``entry``."""
        ...

    def save(self, before: ApiKey, after: ApiKey, entry: AuditEntry) -> None:
        """Record ``after``'s revocation with ``entry`` while the key is still valid, else ConflictError."""
        ...
