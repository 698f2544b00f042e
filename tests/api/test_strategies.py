"""Strategy lifecycle over HTTP: four eyes, immutability, activation and rollback as approved changes."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.errors import NotFoundError
from riskloop.rules.loaders import reference_strategy
from riskloop.storage.decision_models import audit_log
from riskloop.storage.strategies import SQLStrategyLoader
from riskloop.testing.api_keys import Caller

CONTENT = reference_strategy().content
BASE = "/v1/strategies/sme"
AsPerson = Callable[[str], Caller]  # tests/api/conftest.py: as_(name) sends requests with name's API key


def test_lifecycle_with_four_eyes_and_rollback(client: TestClient, as_: AsPerson) -> None:
    assert as_("ann").post(f"{BASE}/versions", json={"content": CONTENT, "author": "ann"}).json()["version"] == 1
    assert as_("bob").put(f"{BASE}/versions/1", json={"content": CONTENT, "actor": "bob"}).status_code == 403
    assert as_("ann").post(f"{BASE}/versions/1/submit", json={"actor": "ann"}).json()["status"] == "submitted"
    immutable = as_("ann").put(f"{BASE}/versions/1", json={"content": CONTENT + " ", "actor": "ann"})
    assert immutable.status_code == 409
    assert as_("ann").post(f"{BASE}/versions/1/approve", json={"actor": "ann"}).status_code == 403  # author ≠ approver
    assert as_("bob").post(f"{BASE}/versions/1/approve", json={"actor": "bob"}).json()["approved_by"] == "bob"
    change = as_("ann").post(f"{BASE}/activations", json={"version": 1, "actor": "ann"}).json()["change_id"]
    assert as_("ann").post(f"/v1/strategy-changes/{change}/approve", json={"actor": "ann"}).status_code == 403
    assert as_("bob").post(f"/v1/strategy-changes/{change}/approve", json={"actor": "bob"}).json()["status"] == "active"

    as_("cat").post(f"{BASE}/versions", json={"content": CONTENT.replace(">= 600", ">= 610"), "author": "cat"})
    as_("cat").post(f"{BASE}/versions/2/submit", json={"actor": "cat"})
    as_("ann").post(f"{BASE}/versions/2/approve", json={"actor": "ann"})
    change = as_("cat").post(f"{BASE}/activations", json={"version": 2, "actor": "cat"}).json()["change_id"]
    as_("bob").post(f"/v1/strategy-changes/{change}/approve", json={"actor": "bob"})
    statuses = {v["version"]: v["status"] for v in as_("dan").get(f"{BASE}/versions").json()["versions"]}
    assert statuses == {1: "retired", 2: "active"}

    rollback = as_("cat").post(f"{BASE}/activations", json={"version": 1, "actor": "cat", "note": "rollback"})
    as_("dan").post(f"/v1/strategy-changes/{rollback.json()['change_id']}/approve", json={"actor": "dan"})
    statuses = {v["version"]: v["status"] for v in as_("dan").get(f"{BASE}/versions").json()["versions"]}
    assert statuses == {1: "active", 2: "retired"}

    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        actions = conn.execute(sa.select(audit_log.c.action).where(audit_log.c.entity_id == "sme@1")).scalars().all()
    assert actions == [
        "strategy.created", "strategy.submitted", "strategy.approved", "strategy.activation_requested",
        "strategy.activated", "strategy.retired", "strategy.activation_requested", "strategy.activated",
    ]  # fmt: skip
    assert SQLStrategyLoader(engine).load("sme@1").sha256 == reference_strategy().sha256


def test_drafts_are_not_loadable_and_bad_content_is_rejected(client: TestClient, as_: AsPerson) -> None:
    as_("ann").post(f"{BASE}/versions", json={"content": CONTENT, "author": "ann"})
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    try:
        SQLStrategyLoader(engine).load("sme@1")
        raise AssertionError("a draft was loadable")
    except NotFoundError:
        pass
    bad = as_("ann").post(f"{BASE}/versions", json={"content": '{"nodes": []}', "author": "ann"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "strategy"
    assert as_("ann").post(f"{BASE}/activations", json={"version": 1, "actor": "ann"}).status_code == 409


def test_a_version_is_read_with_its_content_by_readers_only(client: TestClient, as_: AsPerson) -> None:
    edited = CONTENT.replace(">= 600", ">= 605")
    as_("ann").post(f"{BASE}/versions", json={"content": edited, "author": "ann"})
    for reader in ("ann", "dan"):  # the author (analyst) and an auditor: drafts included
        got = as_(reader).get(f"{BASE}/versions/1")
        assert got.status_code == 200, got.text
        assert got.json()["content"] == edited
        assert got.json()["status"] == "draft"
    assert as_("paul").get(f"{BASE}/versions/1").status_code == 403  # a post-loan officer reads no strategy
    assert client.get(f"{BASE}/versions/1").status_code == 403  # nor does the channel
    missing = as_("ann").get(f"{BASE}/versions/9")
    assert missing.status_code == 404
    assert as_("ann").get(f"{BASE}/versions/0").status_code == 422
