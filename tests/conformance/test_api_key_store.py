"""ApiKeyStore conformance: the in-memory fake and the SQL adapter (SQLite, PostgreSQL) store keys, grant
credentials by digest and revoke once, alike."""

from __future__ import annotations

import dataclasses

import pytest
from port_backends import NOW, KeyBackend

from riskloop.domain.api_key import ApiKey, Credential, revoked
from riskloop.domain.audit import AuditEntry
from riskloop.errors import ConflictError

LATER = NOW.replace(hour=10)


def entry(action: str, key_id: str) -> AuditEntry:
    return AuditEntry(NOW, "cli:admin", action, "api_key", key_id, {"principal": "ann"})


def test_keys_read_back_by_id_and_by_digest(keys: KeyBackend) -> None:
    second = ApiKey("key_b", "bob", ("reviewer",), LATER)
    first = ApiKey("key_a", "ann", ("analyst", "approver"), NOW)
    keys.store.add(second, "b" * 64, entry("api_key.created", "key_b"))
    keys.store.add(first, "a" * 64, entry("api_key.created", "key_a"))
    assert keys.store.get("key_a") == first
    assert keys.store.get("key_x") is None
    assert keys.store.list() == [first, second]
    assert keys.store.credential("a" * 64) == Credential("a" * 64, "key_a", "ann", frozenset(first.roles), None)
    assert keys.store.credential("c" * 64) is None
    assert keys.trail("key_a") == [("cli:admin", "api_key.created", {"principal": "ann"})]


def test_a_key_is_revoked_once(keys: KeyBackend) -> None:
    key = ApiKey("key_a", "ann", ("channel",), NOW)
    keys.store.add(key, "a" * 64, entry("api_key.created", "key_a"))
    gone = revoked(key, LATER)
    keys.store.save(key, gone, entry("api_key.revoked", "key_a"))
    assert keys.store.get("key_a") == gone
    found = keys.store.credential("a" * 64)
    assert found is not None
    assert found.revoked_at == LATER
    with pytest.raises(ConflictError, match="revoked"):  # a second revocation read before the first
        keys.store.save(key, dataclasses.replace(gone, revoked_at=NOW), entry("api_key.revoked", "key_a"))
    assert keys.store.get("key_a") == gone
    assert [a for _, a, _ in keys.trail("key_a")] == ["api_key.created", "api_key.revoked"]
