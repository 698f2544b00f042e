"""Every error body is RFC 9457 problem+json and keeps the members clients read since the first release."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from riskloop.testing.decider import application_body

MEMBERS = {"type", "title", "status", "detail", "instance", "error", "message", "field"}


def _problem(r: httpx.Response, status: int, kind: str, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert set(body) >= MEMBERS
    assert (body["status"], body["error"], body["type"]) == (status, kind, f"urn:riskloop:problem:{slug}")
    assert body["detail"] == body["message"]
    assert body["instance"] == r.request.url.path
    assert body["title"]
    return body


def test_validation_problems_list_every_field(client: TestClient) -> None:
    sent = application_body(amount_cents=0, term_months=0)
    body = _problem(client.post("/v1/applications", json=sent, headers={"Idempotency-Key": "v"}), 422,
                    "ValidationError", "validation-error")  # fmt: skip
    assert {f["field"] for f in body["fields"]} == {"amount_cents", "term_months"}
    assert body["field"] in {"amount_cents", "term_months"}
    assert body["title"] == "The request is invalid"


def test_conflict_unauthenticated_and_not_found_problems(client: TestClient) -> None:
    assert client.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "c"}).status_code == 201
    changed = application_body(amount_cents=1_000)
    body = _problem(client.post("/v1/applications", json=changed, headers={"Idempotency-Key": "c"}), 409,
                    "ConflictError", "conflict")  # fmt: skip
    assert body["field"] == "Idempotency-Key"
    refused = client.get("/v1/decisions/x", headers={"Authorization": ""})
    assert _problem(refused, 401, "UnauthenticatedError", "unauthenticated")["field"] == "Authorization"
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    _problem(client.get("/v1/decisions/nope"), 404, "NotFoundError", "not-found")


def test_routing_errors_are_problems_too(client: TestClient) -> None:
    body = _problem(client.get("/v2/nothing"), 404, "NotFoundError", "not-found")
    assert body["detail"] == "GET /v2/nothing: not found"
    wrong = client.delete("/v1/applications")
    _problem(wrong, 405, "MethodNotAllowed", "method-not-allowed")
    assert wrong.headers["Allow"] == "POST"
