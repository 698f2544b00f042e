"""API keys in the database: the sha256 only, one audit row per create and revoke, revocation at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from riskloop.errors import ConflictError, NotFoundError, ValidationError
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.audit import audit_trail
from riskloop.storage.decision_models import api_keys
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW


@pytest.fixture
def keys(db_url: str) -> Iterator[SQLApiKeys]:
    upgrade(db_url)
    engine = make_engine(db_url)
    yield SQLApiKeys(engine, SteppingClock(NOW))
    engine.dispose()


def test_a_key_authenticates_its_principal_and_only_its_digest_is_stored(keys: SQLApiKeys) -> None:
    created = keys.create("ann", ["approver", "analyst", "analyst"], actor="cli:admin")
    assert created.key.roles == ("analyst", "approver")
    assert len(created.secret) >= 43  # token_urlsafe(32): 256 bits
    found = keys.authenticate(created.secret)
    assert found is not None
    assert (found.name, found.roles, found.key_id) == ("ann", frozenset({"analyst", "approver"}), created.key.key_id)
    with keys.engine.connect() as conn:
        (row,) = conn.execute(sa.select(api_keys)).mappings().all()
    assert row["secret_sha256"] == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in {str(v) for v in row.values()}
    assert keys.authenticate(created.secret + "x") is None
    assert keys.authenticate("") is None
    listed = [k.to_dict() for k in keys.list()]
    assert listed == [created.key.to_dict()]
    assert "secret" not in listed[0]
    (trail,) = audit_trail(keys.engine, created.key.key_id)
    assert (trail["actor"], trail["action"], trail["detail"]) == (
        "cli:admin",
        "api_key.created",
        {"principal": "ann", "roles": ["analyst", "approver"]},
    )
    assert created.secret not in str(trail)


def test_a_revoked_key_stops_authenticating_at_once(keys: SQLApiKeys) -> None:
    created = keys.create("bob", ["reviewer"], actor="cli:admin")
    other = keys.create("bob", ["reviewer"], actor="cli:admin")
    revoked = keys.revoke(created.key.key_id, actor="cli:admin")
    assert revoked.revoked_at == NOW
    assert keys.authenticate(created.secret) is None
    assert keys.authenticate(other.secret) is not None  # the principal's other key still works
    with pytest.raises(ConflictError, match="was revoked"):
        keys.revoke(created.key.key_id, actor="cli:admin")
    with pytest.raises(NotFoundError):
        keys.revoke("key_nope", actor="cli:admin")
    actions = [r["action"] for r in audit_trail(keys.engine, created.key.key_id)]
    assert actions == ["api_key.created", "api_key.revoked"]


@pytest.mark.parametrize(
    ("principal", "roles", "field"),
    [("ann", [], "role"), ("ann", ["root"], "role"), ("a b", ["channel"], "principal"), ("", ["channel"], "principal")],
)
def test_bad_principals_and_roles_are_refused(keys: SQLApiKeys, principal: str, roles: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        keys.create(principal, roles, actor="cli:admin")
    assert caught.value.field == field
    assert keys.list() == []
