"""POST /v1/applications and GET /v1/decisions: idempotency, strict validation, audit, OpenAPI."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.schemas import ApplicationIn
from riskloop.rules.loaders import REFERENCE_KEY
from riskloop.storage.decision_models import audit_log, decisions, idempotency_keys, reviews
from riskloop.testing.decider import application_body as body

KEY = {"Idempotency-Key": "k-1"}


def count(client: TestClient, table: sa.Table) -> int:
    """Rows of ``table``; of the audit log, the decisions' rows (the fixture's API keys have theirs too)."""
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    stmt = sa.select(sa.func.count()).select_from(table)
    if table is audit_log:
        stmt = stmt.where(audit_log.c.entity == "decision")
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def test_post_decides_and_get_explains(client: TestClient) -> None:
    r = client.post("/v1/applications", json=body(), headers=KEY)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["tier"] == "auto_approve"
    assert out["status"] == "final"
    assert out["final_outcome"] == "approved"
    assert out["limit_cents"] == 50_000_000
    assert r.headers["Location"] == f"/v1/decisions/{out['decision_id']}"
    got = client.get(r.headers["Location"])
    assert got.status_code == 200
    explained = got.json()
    assert explained["tier"] == out["tier"]
    assert explained["trace"][0]["node"] == "product_bounds"
    assert explained["versions"]["strategy"].startswith(f"{REFERENCE_KEY}:")
    assert count(client, audit_log) == 1


def test_a_retry_returns_the_original_bytes(client: TestClient) -> None:
    first = client.post("/v1/applications", json=body(), headers=KEY)
    headers = {**KEY, "Content-Type": "application/json"}
    again = client.post("/v1/applications", content=json.dumps(body(), indent=3), headers=headers)
    assert again.status_code == first.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(client, decisions) == 1


def test_the_same_key_with_another_body_is_rejected_naming_the_header(client: TestClient) -> None:
    client.post("/v1/applications", json=body(), headers=KEY)
    r = client.post("/v1/applications", json=body(amount_cents=40_000_000), headers=KEY)
    assert r.status_code == 409
    assert r.json()["field"] == "Idempotency-Key"
    assert count(client, decisions) == 1


def test_referrals_enter_the_review_queue_in_the_same_transaction(client: TestClient) -> None:
    r = client.post("/v1/applications", json=body(bureau={"score": 540}), headers=KEY)
    assert r.json()["tier"] != "auto_approve"
    assert r.json()["status"] == "in_review"
    assert 1 <= len(r.json()["reasons"]) <= 4
    assert count(client, reviews) == 1


def test_concurrent_duplicates_make_one_decision_per_key(client: TestClient) -> None:
    keys = [f"key-{i}" for i in range(200)]

    def post(i: int) -> tuple[str, int, bytes]:
        key = keys[i % len(keys)]
        r = client.post("/v1/applications", json=body(application_id=f"APP-{key}"), headers={"Idempotency-Key": key})
        return key, r.status_code, r.content

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(post, range(len(keys) * 5)))
    assert {status for _, status, _ in results} == {201}
    by_key: dict[str, set[bytes]] = {}
    for key, _, content in results:
        by_key.setdefault(key, set()).add(content)
    assert all(len(bodies) == 1 for bodies in by_key.values())  # every caller got the same bytes
    assert count(client, decisions) == 200
    assert count(client, idempotency_keys) == 200
    assert count(client, audit_log) == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(unexpected=1), "unexpected"),
        (body(amount_cents="5000000"), "amount_cents"),
        (body(amount_cents=0), "amount_cents"),
        (body(term_months=121), "term_months"),
        (body(channel="fax"), "channel"),
        (body(credit_code="91420100000000001X"), "credit_code"),
        (body(identity={**body()["identity"], "face_match_score": 1.5}), "identity.face_match_score"),
        (body(identity={**body()["identity"], "sms_verified": "yes"}), "identity.sms_verified"),
        (body(identity={**body()["identity"], "extra": True}), "identity.extra"),
        (body(bureau={"score": 1000}), "bureau.score"),
        ({k: v for k, v in body().items() if k != "identity"}, "identity"),
    ],
)
def test_strict_validation_names_the_field(client: TestClient, payload: dict[str, Any], field: str) -> None:
    r = client.post("/v1/applications", json=payload, headers=KEY)
    assert r.status_code == 422, r.text
    assert field in [f["field"] for f in r.json()["fields"]]
    assert count(client, decisions) == 0


def test_missing_header_and_malformed_json_are_422s(client: TestClient) -> None:
    r = client.post("/v1/applications", json=body())
    assert r.status_code == 422
    assert r.json()["field"] == "Idempotency-Key"
    r = client.post("/v1/applications", content=b"{not json", headers={**KEY, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert "Traceback" not in r.text


def test_unknown_decision_is_404(client: TestClient) -> None:
    r = client.get("/v1/decisions/nope")
    assert r.status_code == 404
    assert r.json()["error"] == "NotFoundError"


def test_openapi_documents_the_routes(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "/v1/applications" in doc["paths"]
    assert "/v1/decisions/{decision_id}" in doc["paths"]
    post = doc["paths"]["/v1/applications"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])


def test_a_request_round_trips_through_its_body() -> None:
    sent = body(applicant_id=None, phone="13800138000", device_id="dev-1", ip="10.1.2.3")
    request = ApplicationIn.model_validate(sent).to_request()
    again = ApplicationIn.from_request(request)
    assert again.to_request() == request
    assert again.model_dump(mode="json", exclude_none=True) == {k: v for k, v in sent.items() if v is not None}
