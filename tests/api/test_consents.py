"""The consent routes: the channel records and revokes; reviewers and auditors read; the subject is never
returned nor put in a URL; problems name the field; every change is audited."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from riskloop.storage.audit import audit_trail
from riskloop.testing.api_keys import Caller
from riskloop.testing.clock import SteppingClock

As = Callable[[str], Caller]
BODY = {
    "subject": "91420100000000001Y",
    "subject_kind": "enterprise",
    "sources": ["pboc"],
    "purpose": "credit_assessment",
    "expires_at": "2026-12-31T00:00:00+00:00",
    "evidence": "AUTH-2026-000123",
}


def test_a_channel_records_a_consent_others_read_it_and_the_channel_revokes_it(
    client: TestClient, as_: As, clock: SteppingClock
) -> None:
    made = as_("channel").post("/v1/consents", json=BODY)
    assert made.status_code == 201, made.text
    consent = made.json()
    assert consent["status"] == "active"
    assert consent["recorded_by"] == "channel"
    assert "subject" not in consent
    assert "91420100000000001Y" not in made.text
    found = as_("ann").post("/v1/consents/search", json={"subject": "91420100000000001y"})  # case folded
    assert [c["consent_id"] for c in found.json()["consents"]] == [consent["consent_id"]]
    assert as_("dan").get(f"/v1/consents/{consent['consent_id']}").json()["purpose"] == "credit_assessment"
    clock.advance(hours=1)
    gone = as_("channel").post(f"/v1/consents/{consent['consent_id']}/revoke")
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "revoked"
    again = as_("channel").post(f"/v1/consents/{consent['consent_id']}/revoke")
    assert again.status_code == 409
    trail = audit_trail(client.app.state.services.engine, consent["consent_id"])  # type: ignore[attr-defined]
    assert [(r["actor"], r["action"]) for r in trail] == [
        ("channel", "consent.recorded"),
        ("channel", "consent.revoked"),
    ]


def test_roles_are_checked(as_: As) -> None:
    assert as_("ann").post("/v1/consents", json=BODY).status_code == 403  # a reviewer records nothing
    assert as_("paul").post("/v1/consents/search", json={"subject": "X"}).status_code == 403
    assert as_("channel").get("/v1/consents/cns_nope").status_code == 404


def test_problems_name_the_field(as_: As) -> None:
    channel = as_("channel")
    cases = {
        "purpose": {**BODY, "purpose": "resale"},
        "expires_at": {**BODY, "expires_at": "2026-01-01T00:00:00+00:00"},  # before it is granted
        "sources": {**BODY, "sources": []},
        "granted_at": {**BODY, "granted_at": "2030-01-01T00:00:00+00:00"},  # in the future
    }
    for field, body in cases.items():
        answer = channel.post("/v1/consents", json=body)
        assert answer.status_code == 422, (field, answer.text)
        assert field in answer.text, (field, answer.text)
    naive = channel.post("/v1/consents", json={**BODY, "expires_at": "2026-12-31T00:00:00"})
    assert naive.status_code == 422
    assert "expires_at" in naive.text
