"""POST /v1/applications logs each decided application for the graph checks of every worker, exactly once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.graph.tokens import Keyed
from riskloop.storage.models import graph_arrivals
from riskloop.testing.api_keys import bearer
from riskloop.testing.decider import NOW
from riskloop.testing.decider import application_body as body


def arrivals(client: TestClient) -> list[dict[str, object]]:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(graph_arrivals).order_by(graph_arrivals.c.seq)).mappings().all()
    return [dict(r) for r in rows]


def test_a_decision_logs_the_fields_the_graph_checks_read(client: TestClient) -> None:
    r = client.post(
        "/v1/applications",
        json=body(applicant_id=None, phone="13800138000", device_id="dev-1", ip="10.0.0.1"),
        headers={"Idempotency-Key": "k-1"},
    )
    assert r.status_code == 201, r.text
    (row,) = arrivals(client)
    at = row["applied_at"]
    assert isinstance(at, dt.datetime)
    assert (at if at.tzinfo else at.replace(tzinfo=dt.UTC)) == NOW  # the decision time
    assert {k: row[k] for k in ("application_id", "credit_code", "phone", "device_id", "ip", "applicant_id")} == {
        "application_id": "APP-1",
        "credit_code": body()["credit_code"],
        "phone": row["phone"],  # a keyed token with a masked label: no raw phone at rest (ADR 0016)
        "device_id": "dev-1",
        "ip": "10.0.0.1",
        "applicant_id": None,
    }
    assert row["recorded_at"] is not None
    keyed = Keyed.parse(row["phone"])
    assert keyed is not None
    assert keyed.label == "138****8000"
    assert "13800138000" not in str(row["phone"])


def test_a_retried_key_does_not_log_the_application_again(client: TestClient) -> None:
    first = client.post("/v1/applications", json=body(), headers={"Idempotency-Key": "k-1"})
    again = client.post("/v1/applications", json=body(), headers={"Idempotency-Key": "k-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    other_key = client.post("/v1/applications", json=body(), headers={"Idempotency-Key": "k-2"})
    assert other_key.status_code == 409  # one decision per application id and channel (ADR 0014)
    other = client.app.state.services.keys.create("branch-channel", ("channel",), actor="test")  # type: ignore[attr-defined]
    other_channel = client.post(
        "/v1/applications", json=body(), headers={"Idempotency-Key": "k-2", **bearer(other.secret)}
    )
    assert other_channel.status_code == 201  # another channel's decision of the same id: the log keeps the first
    assert [r["application_id"] for r in arrivals(client)] == ["APP-1"]


def test_concurrent_duplicates_log_one_row_per_application(client: TestClient) -> None:
    keys = [f"key-{i}" for i in range(40)]

    def post(i: int) -> int:
        key = keys[i % len(keys)]
        r = client.post("/v1/applications", json=body(application_id=f"APP-{key}"), headers={"Idempotency-Key": key})
        return r.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(post, range(len(keys) * 3))) == {201}
    assert sorted(str(r["application_id"]) for r in arrivals(client)) == sorted(f"APP-{k}" for k in keys)
