"""POST /v1/applications logs each decided application for the graph checks of every worker, exactly once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.storage.models import graph_arrivals
from riskloop.storage.secrets import graph_key
from riskloop.testing.api_keys import bearer
from riskloop.testing.decider import NOW
from riskloop.testing.decider import application_body as body


def arrivals(client: TestClient) -> list[dict[str, object]]:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(graph_arrivals).order_by(graph_arrivals.c.seq)).mappings().all()
    return [dict(r) for r in rows]


def test_a_decision_logs_the_fields_the_graph_checks_read(client: TestClient, tmp_path: Path) -> None:
    posted = {
        "phone": "13800138000",
        "device_id": "Dev-1",
        "ip": "10.0.0.1",
        "address": "湖北省武汉市洪山区珞喻路129号 301室",
        "email": "Finance@Example.com",
        "bank_account": "6222 0212 3456 7890 123",
    }
    r = client.post("/v1/applications", json=body(applicant_id=None, **posted), headers={"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.text
    (row,) = arrivals(client)
    at = row["applied_at"]
    assert isinstance(at, dt.datetime)
    assert (at if at.tzinfo else at.replace(tzinfo=dt.UTC)) == NOW  # the decision time
    assert (row["application_id"], row["credit_code"], row["applicant_id"]) == ("APP-1", body()["credit_code"], None)
    assert row["recorded_at"] is not None
    # every identifier by keyed token with a masked label: no raw identifier at rest (ADR 0016), and each token is
    # the graph's key of the normalised value (the key the batch graph gives the same identifier)
    tokens = Tokenizer(graph_key(tmp_path / "home"))
    normalised = {
        "phone": ("phone", "13800138000"),
        "device_id": ("device", "dev-1"),
        "ip": ("ip", "10.0.0.1"),
        "ip_subnet": ("ip_subnet", "10.0.0"),
        "address": ("address", "420111|珞喻路129号"),  # 洪山区's division code and the street (ADR 0023)
        "email": ("email", "finance@example.com"),
        "bank_account": ("bank_account", "6222021234567890123"),
    }
    for column, (kind, value) in normalised.items():
        keyed = Keyed.parse(row[column])
        assert keyed is not None, column
        assert keyed.key64 == tokens.key64(kind, value), column
    labels = {column: Keyed.parse(row[column]).label for column in normalised}  # type: ignore[union-attr]
    assert labels == {
        "phone": "138****8000",
        "device_id": "dev-****",
        "ip": "10.0.*.*",
        "ip_subnet": "10.0****",
        "address": "420111****",
        "email": "f***@example.com",
        "bank_account": "****0123",
    }
    text = " ".join(str(v) for v in row.values())
    assert not [v for v in (*posted.values(), "13800138000", "6222021234567890123", "10.0.0.1") if v in text]


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
