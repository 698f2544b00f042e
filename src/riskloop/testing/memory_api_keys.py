"""MemoryApiKeys: the ApiKeyStore in memory, with its audit rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from riskloop.domain.api_key import ApiKey, Credential
from riskloop.domain.audit import AuditEntry
from riskloop.errors import ConflictError
from riskloop.service.api_key_ports import ApiKeyStore


@dataclass
class MemoryApiKeys:
    """Keys by id and by the digest of their secret; each write is atomic under one lock."""

    keys: dict[str, ApiKey] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # secret sha256 → key id
    audit: list[AuditEntry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def credential(self, secret_sha256: str) -> Credential | None:
        """The key stored under ``secret_sha256``, or ``None``."""
        key_id = self.digests.get(secret_sha256)
        if key_id is None:
            return None
        key = self.keys[key_id]
        return Credential(secret_sha256, key.key_id, key.principal, frozenset(key.roles), key.revoked_at)

    def get(self, key_id: str) -> ApiKey | None:
        """One key by its id, or ``None``."""
        return self.keys.get(key_id)

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return sorted(self.keys.values(), key=lambda k: (k.created_at, k.key_id))

    def add(self, key: ApiKey, secret_sha256: str, entry: AuditEntry) -> None:
        """Store ``key`` under the digest of its secret with ``entry``."""
        with self._lock:
            self.keys[key.key_id] = key
            self.digests[secret_sha256] = key.key_id
            self.audit.append(entry)

    def save(self, before: ApiKey, after: ApiKey, entry: AuditEntry) -> None:
        """Record ``after``'s revocation while the key is still valid (compare-and-set), with ``entry``."""
        with self._lock:
            stored = self.keys.get(before.key_id)
            if stored is None or stored.revoked_at is not None:
                raise ConflictError("key_id", f"{before.key_id} was revoked meanwhile")
            self.keys[after.key_id] = after
            self.audit.append(entry)


def _as_port(store: MemoryApiKeys) -> ApiKeyStore:  # mypy checks the fake against its port here
    return store
