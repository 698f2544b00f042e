"""API keys in the database, through the use cases: the sha256 only, one audit row per create and revoke,
revocation at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from riskloop.errors import ConflictError, NotFoundError, UnauthenticatedError, ValidationError
from riskloop.service.api_keys import ApiKeyAdmin, Authenticator
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.audit import audit_trail
from riskloop.storage.decision_models import api_keys
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW


@dataclass
class Keys:
    admin: ApiKeyAdmin
    auth: Authenticator
    engine: sa.Engine


@pytest.fixture
def keys(db_url: str) -> Iterator[Keys]:
    upgrade(db_url)
    engine = make_engine(db_url)
    store = SQLApiKeys(engine)
    yield Keys(ApiKeyAdmin(store, SteppingClock(NOW)), Authenticator(store), engine)
    engine.dispose()


def test_a_key_authenticates_its_principal_and_only_its_digest_is_stored(keys: Keys) -> None:
    created = keys.admin.create("ann", ["approver", "analyst", "analyst"], actor="cli:admin")
    assert created.key.roles == ("analyst", "approver")
    assert len(created.secret) >= 43  # token_urlsafe(32): 256 bits
    found = keys.auth.authenticate(created.secret)
    assert (found.name, found.roles, found.key_id) == ("ann", frozenset({"analyst", "approver"}), created.key.key_id)
    with keys.engine.connect() as conn:
        (row,) = conn.execute(sa.select(api_keys)).mappings().all()
    assert row["secret_sha256"] == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in {str(v) for v in row.values()}
    for wrong in (created.secret + "x", ""):
        with pytest.raises(UnauthenticatedError):
            keys.auth.authenticate(wrong)
    listed = [k.to_dict() for k in keys.admin.list()]
    assert listed == [created.key.to_dict()]
    assert "secret" not in listed[0]
    (trail,) = audit_trail(keys.engine, created.key.key_id)
    assert (trail["actor"], trail["action"], trail["detail"]) == (
        "cli:admin",
        "api_key.created",
        {"principal": "ann", "roles": ["analyst", "approver"]},
    )
    assert created.secret not in str(trail)


def test_a_revoked_key_stops_authenticating_at_once(keys: Keys) -> None:
    created = keys.admin.create("bob", ["reviewer"], actor="cli:admin")
    other = keys.admin.create("bob", ["reviewer"], actor="cli:admin")
    revoked = keys.admin.revoke(created.key.key_id, actor="cli:admin")
    assert revoked.revoked_at == NOW
    with pytest.raises(UnauthenticatedError):
        keys.auth.authenticate(created.secret)
    assert keys.auth.authenticate(other.secret).name == "bob"  # the principal's other key still works
    with pytest.raises(ConflictError, match="was revoked"):
        keys.admin.revoke(created.key.key_id, actor="cli:admin")
    with pytest.raises(NotFoundError):
        keys.admin.revoke("key_nope", actor="cli:admin")
    actions = [r["action"] for r in audit_trail(keys.engine, created.key.key_id)]
    assert actions == ["api_key.created", "api_key.revoked"]


@pytest.mark.parametrize(
    ("principal", "roles", "field"),
    [("ann", [], "role"), ("ann", ["root"], "role"), ("a b", ["channel"], "principal"), ("", ["channel"], "principal")],
)
def test_bad_principals_and_roles_are_refused(keys: Keys, principal: str, roles: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        keys.admin.create(principal, roles, actor="cli:admin")
    assert caught.value.field == field
    assert keys.admin.list() == []
