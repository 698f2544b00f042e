"""MemoryKeyProvider: the key provider port (``riskloop.privacy.envelope.KeyProvider``) with keys held in memory."""

from __future__ import annotations

import hashlib

from riskloop.errors import ConfigError


class MemoryKeyProvider:
    """Deterministic key-encryption keys derived from ``seed``; ``rotate`` adds one and makes it current."""

    def __init__(self, seed: str = "test") -> None:
        self.seed = seed
        self.keys: dict[str, bytes] = {}
        self.rotate()

    def rotate(self) -> str:
        """Add a key and make it current; return its id."""
        key_id = f"m{len(self.keys) + 1}"
        self.keys[key_id] = hashlib.sha256(f"{self.seed}:{key_id}".encode()).digest()
        return key_id

    def current(self) -> tuple[str, bytes]:
        """The newest key."""
        key_id = next(reversed(self.keys))
        return key_id, self.keys[key_id]

    def key(self, key_id: str) -> bytes:
        """The key ``key_id``; ConfigError when unknown."""
        if key_id not in self.keys:
            raise ConfigError(f"PII keys: no key {key_id!r}")
        return self.keys[key_id]
