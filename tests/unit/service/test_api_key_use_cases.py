"""API keys' rules, on the use cases with the in-memory store and a fixed clock (no database)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from riskloop.domain.access import CHANNEL, REVIEWER
from riskloop.domain.api_key import digest
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError
from riskloop.service.api_keys import ApiKeyAdmin, Authenticator, random_key
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_api_keys import MemoryApiKeys

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store() -> MemoryApiKeys:
    return MemoryApiKeys()


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(NOW)


@pytest.fixture
def admin(store: MemoryApiKeys, clock: SteppingClock) -> ApiKeyAdmin:
    counter = itertools.count(1)
    return ApiKeyAdmin(store, clock, mint=lambda: (f"key_{next(counter)}", f"secret-{next(counter)}"))


def test_a_key_authenticates_as_its_principal_with_its_roles(admin: ApiKeyAdmin, store: MemoryApiKeys) -> None:
    created = admin.create("ann", [REVIEWER, CHANNEL, REVIEWER], actor="cli:root")
    assert (created.key.key_id, created.secret, created.key.roles) == ("key_1", "secret-2", ("channel", "reviewer"))
    assert store.digests == {digest("secret-2"): "key_1"}  # the digest only, never the secret
    found = Authenticator(store).authenticate("secret-2")
    assert (found.name, found.roles, found.key_id) == ("ann", frozenset({"channel", "reviewer"}), "key_1")
    (entry,) = store.audit
    assert (entry.actor, entry.action, entry.entity_id, dict(entry.detail)) == (
        "cli:root", "api_key.created", "key_1", {"principal": "ann", "roles": ["channel", "reviewer"]}
    )  # fmt: skip


def test_unknown_and_revoked_keys_are_refused_from_the_next_call(
    admin: ApiKeyAdmin, store: MemoryApiKeys, clock: SteppingClock
) -> None:
    auth = Authenticator(store)
    created = admin.create("web", [CHANNEL], actor="cli:root")
    for wrong in ("secret-3", "", created.key.key_id):
        with pytest.raises(UnauthenticatedError, match="unknown or revoked"):
            auth.authenticate(wrong)
    clock.advance(hours=1)
    assert admin.revoke(created.key.key_id, actor="cli:root").revoked_at == NOW + dt.timedelta(hours=1)
    with pytest.raises(UnauthenticatedError, match="unknown or revoked"):
        auth.authenticate(created.secret)
    with pytest.raises(ConflictError, match="was revoked at 2026-06-01T10:00:00"):
        admin.revoke(created.key.key_id, actor="cli:root")
    with pytest.raises(NotFoundError, match="key_nope"):
        admin.revoke("key_nope", actor="cli:root")
    assert [e.action for e in store.audit] == ["api_key.created", "api_key.revoked"]
    assert [k.revoked_at is not None for k in admin.list()] == [True]


def test_a_key_without_the_role_is_forbidden_naming_the_roles(admin: ApiKeyAdmin, store: MemoryApiKeys) -> None:
    created = admin.create("ann", [REVIEWER], actor="cli:root")
    with pytest.raises(ForbiddenError) as caught:
        Authenticator(store).authorize(created.secret, (CHANNEL,), "POST /v1/applications")
    assert caught.value.field == "Authorization"
    assert str(caught.value) == "POST /v1/applications needs the role channel; the key key_1 of ann has reviewer"
    assert Authenticator(store).authorize(created.secret, (CHANNEL, REVIEWER), "GET /v1/decisions/x").name == "ann"


@pytest.mark.parametrize(
    ("principal", "roles", "field"),
    [
        ("ann", [], "role"),
        ("ann", ["root"], "role"),
        ("a b", ["channel"], "principal"),
        ("x" * 81, ["channel"], "principal"),
    ],
)
def test_bad_principals_and_roles_are_refused(admin: ApiKeyAdmin, principal: str, roles: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        admin.create(principal, roles, actor="cli:root")
    assert caught.value.field == field
    assert admin.list() == []


def test_real_keys_are_long_random_and_distinct() -> None:
    (id_a, secret_a), (id_b, secret_b) = random_key(), random_key()
    assert len(secret_a) >= 43  # 256 bits, URL-safe base64
    assert id_a.startswith("key_")
    assert (id_a, secret_a) != (id_b, secret_b)
