"""GET /v1/decisions/{id}/identifiers: masked for the channel and reviewers, whole for an auditor, always audited."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.storage.decision_models import audit_log
from riskloop.testing.api_keys import Caller
from riskloop.testing.decider import application_body as body

RID, PHONE = "110105199003071239", "13800138000"


def _decide(client: TestClient) -> str:
    app = body(applicant_id=RID, phone=PHONE, device_id="dev-9f2c", ip="203.0.113.7")
    r = client.post("/v1/applications", json=app, headers={"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.text
    return str(r.json()["decision_id"])


def test_roles_see_what_they_need_and_every_read_is_audited(client: TestClient, as_: Callable[[str], Caller]) -> None:
    auditor_name = "dan"  # approver and auditor
    decision_id = _decide(client)
    masked = client.get(f"/v1/decisions/{decision_id}/identifiers")
    assert masked.status_code == 200, masked.text
    assert masked.json() == {
        "decision_id": decision_id,
        "view": "masked",
        "applicant_id": "110105**********39",
        "phone": "138****8000",
        "device_id": "dev-****",
        "ip": "203.0.*.*",
        "address": None,  # not posted (masked when posted: test_application_contacts.py)
        "email": None,
        "bank_account": None,
    }
    assert client.get(f"/v1/decisions/{decision_id}").text.count(PHONE) == 0  # the decision read has none
    whole = as_(auditor_name).get(f"/v1/decisions/{decision_id}/identifiers")
    assert whole.status_code == 200, whole.text
    assert (whole.json()["view"], whole.json()["applicant_id"], whole.json()["phone"]) == ("full", RID, PHONE)
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "pii.reveal")
        ).all()
    assert [(a, '"identifiers:masked"' in d or '"identifiers:full"' in d) for a, d in rows] == [
        ("channel", True),
        (auditor_name, True),
    ]


def test_a_reviewer_sees_them_masked_and_an_unknown_decision_is_404(
    client: TestClient, as_: Callable[[str], Caller]
) -> None:
    decision_id = _decide(client)
    seen = as_("cat").get(f"/v1/decisions/{decision_id}/identifiers")  # reviewer and analyst
    assert (seen.status_code, seen.json()["view"], seen.json()["phone"]) == (200, "masked", "138****8000")
    assert client.get("/v1/decisions/nope/identifiers").status_code == 404
