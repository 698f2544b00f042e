"""The review queue over HTTP: leases on the injected clock, four-eyes overrides, outbox and audit."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.storage.decision_models import audit_log, outbox
from riskloop.testing.api_keys import Caller
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import application_body as body

AsPerson = Callable[[str], Caller]  # tests/api/conftest.py: as_(name) sends requests with name's API key


def rows(client: TestClient, table: sa.Table) -> list[dict[str, object]]:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table))]


def post(client: TestClient, key: str, **changes: object) -> dict[str, object]:
    r = client.post("/v1/applications", json=body(application_id=key, **changes), headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    out: dict[str, object] = r.json()
    return out


def test_referral_is_claimed_with_an_expiring_lease_and_decided(
    client: TestClient, clock: SteppingClock, as_: AsPerson
) -> None:
    referral = post(client, "A1", bureau={"score": 540})
    did = referral["decision_id"]
    clock.advance(minutes=30)
    queue = as_("ann").get("/v1/reviews", params={"tier": referral["tier"], "min_age_minutes": 20}).json()["reviews"]
    assert [q["decision_id"] for q in queue] == [did]
    assert queue[0]["age_seconds"] == 1800
    assert as_("dan").get("/v1/reviews", params={"min_age_minutes": 60}).json()["reviews"] == []

    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={"reviewer": "ann", "lease_minutes": 10}).status_code == 200
    taken = as_("bob").post(f"/v1/reviews/{did}/claim", json={"reviewer": "bob"})
    assert taken.status_code == 409
    assert taken.json()["field"] == "lease"
    clock.advance(minutes=11)  # ann's lease expired
    late = as_("ann").post(
        f"/v1/reviews/{did}/decision", json={"reviewer": "ann", "outcome": "approved", "comment": "ok"}
    )
    assert late.status_code == 409
    assert as_("bob").post(f"/v1/reviews/{did}/claim", json={"reviewer": "bob"}).status_code == 200
    done = as_("bob").post(
        f"/v1/reviews/{did}/decision", json={"reviewer": "bob", "outcome": "declined", "comment": "thin"}
    )
    assert done.status_code == 200
    assert done.json()["status"] == "closed"
    assert client.get(f"/v1/decisions/{did}").json()["final_outcome"] == "declined"
    notes = [json.loads(str(r["payload"])) for r in rows(client, outbox)]
    assert {"application_id": "A1", "decision_id": did, "outcome": "declined"} in notes
    actions = [r["action"] for r in rows(client, audit_log) if r["entity_id"] == did]
    assert actions == ["decision.champion", "review.claimed", "review.claimed", "review.decided"]


def test_overriding_an_automatic_decline_needs_a_second_reviewer(client: TestClient, as_: AsPerson) -> None:
    declined = post(client, "A2", bureau={"score": 320})
    did = declined["decision_id"]
    assert declined["tier"] == "auto_reject"
    assert declined["final_outcome"] == "declined"
    reopened = as_("cat").post(f"/v1/decisions/{did}/review", json={"actor": "cat", "comment": "customer appeal"})
    assert reopened.status_code == 201
    as_("ann").post(f"/v1/reviews/{did}/claim", json={"reviewer": "ann"})
    first = as_("ann").post(
        f"/v1/reviews/{did}/decision", json={"reviewer": "ann", "outcome": "approved", "comment": "x"}
    )
    assert first.json()["status"] == "awaiting_second"
    assert client.get(f"/v1/decisions/{did}").json()["status"] == "in_review"
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={"reviewer": "ann"}).status_code == 403
    assert as_("bob").post(f"/v1/reviews/{did}/claim", json={"reviewer": "bob"}).status_code == 200
    second = as_("bob").post(
        f"/v1/reviews/{did}/decision", json={"reviewer": "bob", "outcome": "approved", "comment": "y"}
    )
    assert second.json()["status"] == "closed"
    assert second.json()["final_outcome"] == "approved"
    final = client.get(f"/v1/decisions/{did}").json()
    assert (final["status"], final["final_outcome"]) == ("final", "approved")
    outcomes = [json.loads(str(r["payload"]))["outcome"] for r in rows(client, outbox)]
    assert outcomes == ["declined", "approved"]  # the automatic decline, then the overridden final result


def test_review_requests_validate_strictly(client: TestClient, as_: AsPerson) -> None:
    did = post(client, "A3", bureau={"score": 540})["decision_id"]
    bad = as_("ann").post(f"/v1/reviews/{did}/claim", json={"reviewer": "ann", "lease_minutes": 0})
    assert bad.status_code == 422
    assert bad.json()["field"] == "lease_minutes"
    assert (
        as_("ann")
        .post(f"/v1/reviews/{did}/decision", json={"reviewer": "a", "outcome": "maybe", "comment": "c"})
        .status_code
        == 422
    )
    assert as_("ann").post("/v1/reviews/none/claim", json={"reviewer": "ann"}).status_code == 404
