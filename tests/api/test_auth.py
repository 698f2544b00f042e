"""Authentication and roles: 401 without a valid key, 403 for a missing role or a body naming someone else,
four eyes between principals, the bearer scheme in the OpenAPI document, and the keys CLI end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api.app import create_app
from riskloop.cli.main import app as cli
from riskloop.config import Settings
from riskloop.rules.loaders import reference_strategy
from riskloop.service.api_keys import ApiKeyAdmin
from riskloop.storage.decision_models import audit_log, decisions
from riskloop.testing.api_keys import Caller, authenticate, bearer
from riskloop.testing.decider import application_body, make_decider

AsPerson = Callable[[str], Caller]
KEY = {"Idempotency-Key": "k-1"}
CONTENT = reference_strategy().content
BASE = "/v1/strategies/sme"

SIGNED = ("/v1/core/confirmations",)  # the core's confirmations: X-Riskloop-Signature (docs/drawdowns.md)


def anonymous(client: TestClient) -> TestClient:
    """A client of the same started app without the fixture's default channel key."""
    return TestClient(client.app, raise_server_exceptions=False)


def keys_of(client: TestClient) -> ApiKeyAdmin:
    found: ApiKeyAdmin = client.app.state.services.keys  # type: ignore[attr-defined]
    return found


def assert_unauthenticated(response: object) -> None:
    assert response.status_code == 401, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"] == "UnauthenticatedError"
    assert body["field"] == "Authorization"
    assert response.headers["WWW-Authenticate"] == "Bearer"  # type: ignore[attr-defined]
    assert "Traceback" not in response.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/applications"),
        ("GET", "/v1/decisions/some-id"),
        ("GET", "/v1/reviews"),
        ("POST", "/v1/reviews/some-id/claim"),
        ("POST", "/v1/reviews/some-id/decision"),
        ("POST", "/v1/decisions/some-id/review"),
        ("POST", f"{BASE}/versions"),
        ("GET", f"{BASE}/versions"),
        ("PUT", f"{BASE}/versions/1"),
        ("POST", f"{BASE}/versions/1/submit"),
        ("POST", f"{BASE}/versions/1/approve"),
        ("POST", f"{BASE}/activations"),
        ("POST", "/v1/strategy-changes/1/approve"),
    ],
)
def test_every_route_needs_a_key(client: TestClient, method: str, path: str) -> None:
    r = anonymous(client).request(method, path, json={})
    assert_unauthenticated(r)


def test_missing_malformed_unknown_and_revoked_keys_are_401s(client: TestClient) -> None:
    body, nobody = application_body(), anonymous(client)
    assert_unauthenticated(nobody.post("/v1/applications", json=body, headers=KEY))
    basic = {"Authorization": "Basic YW5uOnNlY3JldA==", **KEY}
    assert_unauthenticated(nobody.post("/v1/applications", json=body, headers=basic))
    assert_unauthenticated(nobody.post("/v1/applications", json=body, headers={"Authorization": "Bearer ", **KEY}))
    assert_unauthenticated(nobody.post("/v1/applications", json=body, headers={**bearer("not-a-key"), **KEY}))
    created = keys_of(client).create("web", ["channel"], actor="test")
    mine = {**bearer(created.secret), **KEY}
    assert nobody.post("/v1/applications", json=body, headers=mine).status_code == 201
    keys_of(client).revoke(created.key.key_id, actor="test")
    again = {**bearer(created.secret), "Idempotency-Key": "k-2"}
    assert_unauthenticated(nobody.post("/v1/applications", json=body, headers=again))  # the very next request
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one() == 1


def test_a_key_without_the_role_is_a_403_naming_it(client: TestClient, as_: AsPerson) -> None:
    r = as_("ann").post("/v1/applications", json=application_body(), headers=KEY)
    assert r.status_code == 403
    assert r.json()["field"] == "Authorization"
    assert "needs the role channel" in r.json()["message"]
    r = client.get("/v1/reviews")  # the channel key
    assert r.status_code == 403
    assert "needs the role reviewer or auditor" in r.json()["message"]
    r = as_("cat").post(f"{BASE}/versions/1/approve", json={})
    assert r.status_code == 403
    assert "needs the role approver" in r.json()["message"]
    r = as_("dan").post(f"{BASE}/versions", json={"content": CONTENT})  # an approver does not author
    assert r.status_code == 403
    assert "needs the role analyst" in r.json()["message"]
    assert as_("dan").get(f"{BASE}/versions").status_code == 200  # the auditor reads


def test_an_auditor_reads_but_never_writes(client: TestClient, tmp_path: Path) -> None:
    auditor = Caller(client, keys_of(client).create("eve", ["auditor"], actor="test").secret)
    did = client.post("/v1/applications", json=application_body(), headers=KEY).json()["decision_id"]
    assert auditor.get(f"/v1/decisions/{did}").status_code == 200
    assert auditor.get("/v1/reviews").status_code == 200
    assert auditor.get(f"{BASE}/versions").status_code == 200
    assert (
        auditor.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "k-9"}).status_code == 403
    )
    assert auditor.post(f"/v1/decisions/{did}/review", json={"comment": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        (f"{BASE}/versions", {"content": CONTENT, "author": "bob"}),
        ("/v1/reviews/some-id/claim", {"reviewer": "bob"}),
        ("/v1/decisions/some-id/review", {"actor": "bob", "comment": "appeal"}),
    ],
)
def test_a_body_naming_someone_else_is_a_403(client: TestClient, as_: AsPerson, path: str, payload: dict) -> None:
    r = as_("ann").post(path, json=payload)
    assert r.status_code == 403, r.text
    field = next(k for k in ("author", "reviewer", "actor") if k in payload)
    assert r.json()["field"] == field
    assert "'bob'" in r.json()["message"]
    assert "'ann'" in r.json()["message"]
    assert as_("ann").get(f"{BASE}/versions").json()["versions"] == []  # nothing was created in bob's name


def test_the_actor_is_the_principal_when_the_body_names_nobody(client: TestClient, as_: AsPerson) -> None:
    created = as_("cat").post(f"{BASE}/versions", json={"content": CONTENT})
    assert created.status_code == 201, created.text
    assert created.json()["author"] == "cat"
    assert as_("cat").post(f"{BASE}/versions/1/submit", json={}).json()["status"] == "submitted"
    assert as_("bob").post(f"{BASE}/versions/1/approve", json={}).json()["approved_by"] == "bob"
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        actors = conn.execute(sa.select(audit_log.c.actor).where(audit_log.c.entity_id == "sme@1")).scalars().all()
    assert actors == ["cat", "cat", "bob"]
    did = client.post("/v1/applications", json=application_body(), headers=KEY).json()["decision_id"]
    with engine.connect() as conn:
        actor = conn.execute(sa.select(audit_log.c.actor).where(audit_log.c.entity_id == did)).scalar_one()
    assert actor == "channel"  # the channel key's principal, not a constant


def test_author_and_approver_are_two_different_keys(client: TestClient, as_: AsPerson) -> None:
    as_("ann").post(f"{BASE}/versions", json={"content": CONTENT})
    as_("ann").post(f"{BASE}/versions/1/submit", json={})
    own = as_("ann").post(f"{BASE}/versions/1/approve", json={})  # ann holds approver, but wrote it
    assert own.status_code == 403
    assert own.json()["message"] == "the approver is never the author"
    pretend = as_("ann").post(f"{BASE}/versions/1/approve", json={"actor": "bob"})  # typing another name
    assert pretend.status_code == 403
    assert pretend.json()["field"] == "actor"
    assert as_("bob").post(f"{BASE}/versions/1/approve", json={}).json()["approved_by"] == "bob"
    change = as_("ann").post(f"{BASE}/activations", json={"version": 1}).json()["change_id"]
    assert as_("ann").post(f"/v1/strategy-changes/{change}/approve", json={}).status_code == 403
    assert as_("bob").post(f"/v1/strategy-changes/{change}/approve", json={}).json()["status"] == "active"


def test_one_principal_with_both_roles_cannot_approve_its_own_version(client: TestClient) -> None:
    keys = keys_of(client)
    both = Caller(client, keys.create("zoe", ["analyst", "approver"], actor="test").secret)
    second_key = Caller(client, keys.create("zoe", ["approver"], actor="test").secret)  # another key, same person
    other = Caller(client, keys.create("yan", ["approver"], actor="test").secret)
    assert both.post(f"{BASE}/versions", json={"content": CONTENT}).status_code == 201
    assert both.post(f"{BASE}/versions/1/submit", json={}).status_code == 200
    assert both.post(f"{BASE}/versions/1/approve", json={}).status_code == 403
    assert second_key.post(f"{BASE}/versions/1/approve", json={}).status_code == 403
    assert other.post(f"{BASE}/versions/1/approve", json={}).json()["approved_by"] == "yan"


def test_a_second_reviewer_must_be_another_principal(client: TestClient, as_: AsPerson) -> None:
    did = client.post("/v1/applications", json=application_body(bureau={"score": 320}), headers=KEY).json()[
        "decision_id"
    ]
    assert as_("cat").post(f"/v1/decisions/{did}/review", json={"comment": "appeal"}).status_code == 201
    as_("ann").post(f"/v1/reviews/{did}/claim", json={})
    first = as_("ann").post(f"/v1/reviews/{did}/decision", json={"outcome": "approved", "comment": "x"})
    assert first.json()["status"] == "awaiting_second"
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={"reviewer": "bob"}).status_code == 403  # no disguise
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={}).status_code == 403  # four eyes
    assert as_("bob").post(f"/v1/reviews/{did}/claim", json={}).status_code == 200
    second = as_("bob").post(f"/v1/reviews/{did}/decision", json={"outcome": "approved", "comment": "y"})
    assert second.json()["final_outcome"] == "approved"


def test_openapi_declares_the_bearer_scheme_and_stays_public(client: TestClient) -> None:
    r = anonymous(client).get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"]: s["scheme"] for s in schemes.values()} == {"http": "bearer"}
    (name,) = schemes
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if path in ("/healthz", "/readyz"):  # probes answer anyone: orchestrators send no key
                assert "security" not in operation, f"{method} {path}"
                continue
            if path in SIGNED:  # a system's callback: authenticated by its body's signature, not by a key
                assert "security" not in operation, f"{method} {path}"
                assert "401" in operation["responses"], f"{method} {path}"
                continue
            assert operation.get("security") == [{name: []}], f"{method} {path}"
            assert "401" in operation["responses"], f"{method} {path}"
    assert anonymous(client).get("/docs").status_code == 200


def test_keys_cli_creates_lists_and_revokes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runner = CliRunner()
    created = runner.invoke(cli, ["--home", str(home), "keys", "create", "--principal", "web", "--role", "channel",
                                  "--json"])  # fmt: skip
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)
    assert (key["principal"], key["roles"], key["revoked_at"]) == ("web", ["channel"], None)
    listed = runner.invoke(cli, ["--home", str(home), "keys", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [k["key_id"] for k in json.loads(listed.stdout)["keys"]] == [key["key_id"]]
    assert key["secret"] not in listed.stdout
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")
    with TestClient(create_app(settings, decider=make_decider()), raise_server_exceptions=False) as client:
        ok = client.post("/v1/applications", json=application_body(), headers={**bearer(key["secret"]), **KEY})
        assert ok.status_code == 201, ok.text
        revoked = runner.invoke(cli, ["--home", str(home), "keys", "revoke", key["key_id"], "--json"])
        assert revoked.exit_code == 0, revoked.output
        assert json.loads(revoked.stdout)["revoked_at"] is not None
        late = client.post("/v1/applications", json=application_body(), headers={**bearer(key["secret"]), **KEY})
        assert_unauthenticated(late)
    again = runner.invoke(cli, ["--home", str(home), "keys", "revoke", key["key_id"], "--json"])
    assert again.exit_code == 1
    assert json.loads(again.stderr)["error"] == "ConflictError"
    unknown = runner.invoke(cli, ["--home", str(home), "keys", "revoke", "key_nope"])
    assert unknown.exit_code == 3
    bad = runner.invoke(cli, ["--home", str(home), "keys", "create", "--principal", "x", "--role", "root", "--json"])
    assert bad.exit_code == 2
    assert json.loads(bad.stderr)["error"] == "ValidationError"
    assert "secret" not in bad.stdout


def test_the_revocation_reaches_every_worker_at_once(tmp_path: Path, db_url: str) -> None:
    # Two apps on one database stand for two `riskloop serve` workers: a key revoked through one (or the CLI)
    # is refused by the other on its next request: nothing is cached.
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    with (
        TestClient(create_app(settings, decider=make_decider()), raise_server_exceptions=False) as one,
        TestClient(create_app(settings, decider=make_decider()), raise_server_exceptions=False) as two,
    ):
        callers = authenticate(one, {"web": ("channel",)})
        secret = callers["web"].secret
        headers = {**bearer(secret), **KEY}
        assert two.post("/v1/applications", json=application_body(), headers=headers).status_code == 201
        keys_of(one).revoke(keys_of(one).list()[0].key_id, actor="test")
        assert_unauthenticated(two.get("/v1/decisions/x", headers=bearer(secret)))
