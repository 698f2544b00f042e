"""Strategy lifecycle over HTTP: four eyes, immutability, activation and rollback as approved changes."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.errors import NotFoundError
from riskloop.rules.loaders import reference_strategy
from riskloop.storage.decision_models import audit_log
from riskloop.storage.strategies import SQLStrategyLoader

CONTENT = reference_strategy().content
BASE = "/v1/strategies/sme"


def test_lifecycle_with_four_eyes_and_rollback(client: TestClient) -> None:
    assert client.post(f"{BASE}/versions", json={"content": CONTENT, "author": "ann"}).json()["version"] == 1
    assert client.put(f"{BASE}/versions/1", json={"content": CONTENT, "actor": "bob"}).status_code == 403
    assert client.post(f"{BASE}/versions/1/submit", json={"actor": "ann"}).json()["status"] == "submitted"
    immutable = client.put(f"{BASE}/versions/1", json={"content": CONTENT + " ", "actor": "ann"})
    assert immutable.status_code == 409
    assert client.post(f"{BASE}/versions/1/approve", json={"actor": "ann"}).status_code == 403  # author ≠ approver
    assert client.post(f"{BASE}/versions/1/approve", json={"actor": "bob"}).json()["approved_by"] == "bob"
    change = client.post(f"{BASE}/activations", json={"version": 1, "actor": "ann"}).json()["change_id"]
    assert client.post(f"/v1/strategy-changes/{change}/approve", json={"actor": "ann"}).status_code == 403
    assert client.post(f"/v1/strategy-changes/{change}/approve", json={"actor": "bob"}).json()["status"] == "active"

    client.post(f"{BASE}/versions", json={"content": CONTENT.replace(">= 600", ">= 610"), "author": "cat"})
    client.post(f"{BASE}/versions/2/submit", json={"actor": "cat"})
    client.post(f"{BASE}/versions/2/approve", json={"actor": "ann"})
    change = client.post(f"{BASE}/activations", json={"version": 2, "actor": "cat"}).json()["change_id"]
    client.post(f"/v1/strategy-changes/{change}/approve", json={"actor": "bob"})
    statuses = {v["version"]: v["status"] for v in client.get(f"{BASE}/versions").json()["versions"]}
    assert statuses == {1: "retired", 2: "active"}

    rollback = client.post(f"{BASE}/activations", json={"version": 1, "actor": "cat", "note": "rollback"})
    client.post(f"/v1/strategy-changes/{rollback.json()['change_id']}/approve", json={"actor": "dan"})
    statuses = {v["version"]: v["status"] for v in client.get(f"{BASE}/versions").json()["versions"]}
    assert statuses == {1: "active", 2: "retired"}

    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        actions = conn.execute(sa.select(audit_log.c.action).where(audit_log.c.entity_id == "sme@1")).scalars().all()
    assert actions == [
        "strategy.created", "strategy.submitted", "strategy.approved", "strategy.activation_requested",
        "strategy.activated", "strategy.retired", "strategy.activation_requested", "strategy.activated",
    ]  # fmt: skip
    assert SQLStrategyLoader(engine).load("sme@1").sha256 == reference_strategy().sha256


def test_drafts_are_not_loadable_and_bad_content_is_rejected(client: TestClient) -> None:
    client.post(f"{BASE}/versions", json={"content": CONTENT, "author": "ann"})
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    try:
        SQLStrategyLoader(engine).load("sme@1")
        raise AssertionError("a draft was loadable")
    except NotFoundError:
        pass
    bad = client.post(f"{BASE}/versions", json={"content": '{"nodes": []}', "author": "ann"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "strategy"
    assert client.post(f"{BASE}/activations", json={"version": 1, "actor": "ann"}).status_code == 409
