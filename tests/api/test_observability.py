"""One JSON log line per request (request id, route template, principal, decision; never PII) and the metrics."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from riskloop.domain.identifiers import resident_id_check_char
from riskloop.rules.loaders import REFERENCE_KEY
from riskloop.testing.api_keys import Caller
from riskloop.testing.decider import application_body

RESIDENT_ID = "11010519900307123" + resident_id_check_char("11010519900307123")
PHONE = "13912345678"


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="riskloop.api")
    return caplog


def _requests(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    parsed = [json.loads(r.getMessage()) for r in caplog.records if r.name == "riskloop.api"]
    return [p for p in parsed if p["event"] == "request"]


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _secret(client: TestClient) -> str:
    callers: dict[str, Caller] = client.app.state.callers  # type: ignore[attr-defined]
    return callers["channel"].secret


def test_a_sane_request_id_is_echoed_and_any_other_replaced(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "req-42.a:b"})
    assert given.headers["X-Request-ID"] == "req-42.a:b"
    for insane in ("has space", "x" * 129, "-leading-dash", "é".encode()):
        made = client.get("/healthz", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert made != insane
        assert len(made) == 32
        int(made, 16)
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_a_decision_logs_one_line_with_its_id_tier_and_principal(
    client: TestClient, lines: pytest.LogCaptureFixture
) -> None:
    before = _sample("riskloop_decisions_total", tier="auto_approve", strategy=REFERENCE_KEY)
    r = client.post(
        "/v1/applications", json=application_body(), headers={"Idempotency-Key": "k-1", "X-Request-ID": "r1"}
    )
    again = client.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "k-1"})
    got = client.get(r.headers["Location"])
    first, replay, read = _requests(lines)
    decision_id = r.json()["decision_id"]
    assert first["request_id"] == "r1"
    assert {k: first[k] for k in ("method", "route", "status", "principal", "decision_id", "tier", "strategy")} == {
        "method": "POST", "route": "/v1/applications", "status": 201, "principal": "channel",
        "decision_id": decision_id, "tier": "auto_approve", "strategy": REFERENCE_KEY,
    }  # fmt: skip
    assert first["level"] == "info"
    assert isinstance(first["duration_ms"], float)
    assert first["duration_ms"] >= 0
    assert (replay["decision_id"], replay["replayed"], "tier" in replay) == (decision_id, True, False)
    assert replay["request_id"] == again.headers["X-Request-ID"]
    assert (read["route"], read["status"], got.status_code) == ("/v1/decisions/{decision_id}", 200, 200)
    # the replay is not a second decision
    assert _sample("riskloop_decisions_total", tier="auto_approve", strategy=REFERENCE_KEY) == before + 1


def test_latency_is_by_route_template_and_errors_by_kind(client: TestClient, lines: pytest.LogCaptureFixture) -> None:
    template = {"method": "GET", "route": "/v1/decisions/{decision_id}", "status": "404"}
    count = "riskloop_http_request_duration_seconds_count"
    before = _sample(count, **template), _sample("riskloop_errors_total", kind="NotFoundError", status="404")
    unauth = _sample("riskloop_errors_total", kind="UnauthenticatedError", status="401")
    for n in range(3):
        assert client.get(f"/v1/decisions/missing-{n}").status_code == 404
    assert client.get("/v1/decisions/x", headers={"Authorization": ""}).status_code == 401
    assert _sample(count, **template) == before[0] + 3
    assert _sample("riskloop_errors_total", kind="NotFoundError", status="404") == before[1] + 3
    assert _sample("riskloop_errors_total", kind="UnauthenticatedError", status="401") == unauth + 1
    *_, refused = _requests(lines)
    assert (refused["principal"], refused["error"], refused["status"]) == (None, "UnauthenticatedError", 401)
    exposed = client.get("/metrics", headers={"Authorization": ""})
    assert exposed.status_code == 200
    assert exposed.headers["content-type"].startswith("text/plain")
    assert (
        'riskloop_http_request_duration_seconds_count{method="GET",route="/v1/decisions/{decision_id}",status="404"}'
        in (exposed.text)
    )
    assert "missing-0" not in exposed.text  # never a raw path


def test_an_unexpected_error_is_a_logged_500_problem_with_the_request_id(
    client: TestClient, lines: pytest.LogCaptureFixture
) -> None:
    def boom() -> None:
        raise RuntimeError("secret detail 13800138000")

    client.app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    before = _sample("riskloop_errors_total", kind="RuntimeError", status="500")
    r = client.get("/boom", headers={"X-Request-ID": "r-500"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["X-Request-ID"] == "r-500"
    assert r.json()["detail"] == "internal error"
    (line,) = _requests(lines)
    assert (line["status"], line["error"], line["level"], line["route"]) == (500, "RuntimeError", "error", "/boom")
    assert _sample("riskloop_errors_total", kind="RuntimeError", status="500") == before + 1
    assert "13800138000" not in lines.text


def test_no_pii_or_secret_reaches_the_log(
    client: TestClient, lines: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    body = application_body(applicant_id=RESIDENT_ID, phone=PHONE, device_id="dev-1", ip="203.0.113.9")
    r = client.post("/v1/applications", json=body, headers={"Idempotency-Key": "pii-1"})
    assert r.status_code == 201, r.text
    bad = client.post("/v1/applications", json={**body, "phone": PHONE + "x"}, headers={"Idempotency-Key": "pii-2"})
    assert bad.status_code == 422
    client.get(f"/v1/decisions/{r.json()['decision_id']}?phone={PHONE}")
    records = _requests(lines)
    assert [x["status"] for x in records] == [201, 422, 200]
    captured = lines.text + "".join(capfd.readouterr())
    for secret in (RESIDENT_ID, PHONE, _secret(client), "Bearer", "203.0.113.9"):
        assert secret not in captured
    assert r.json()["decision_id"] in lines.text  # the check can fail: the lines were captured
