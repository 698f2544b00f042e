"""The alert routes: officers list, read, acknowledge, act and close; auditors read; problems name the field."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from riskloop.service.alerts import AlertDesk
from riskloop.testing.alerts import propagated, raised
from riskloop.testing.api_keys import Caller

As = Callable[[str], Caller]


def raise_alerts(client: TestClient) -> list[str]:
    desk: AlertDesk = client.app.state.services.alerts  # type: ignore[attr-defined]
    source = raised(1, level="warning")
    batch = [source, raised(2, level="notice", officer="pia"), raised(3), propagated(source, 4)]
    return [a.alert_id for a in desk.raise_many(batch, actor="job:monitor").alerts]


def test_an_officer_works_an_alert_from_open_to_closed(client: TestClient, as_: As) -> None:
    ids = raise_alerts(client)
    paul = as_("paul")
    listed = paul.get("/v1/alerts", params={"level": "warning"}).json()
    assert listed["total"] == 1
    assert listed["alerts"][0]["alert_id"] == ids[0]
    assert listed["alerts"][0]["level_zh"] == "预警"
    detail = paul.get(f"/v1/alerts/{ids[3]}").json()
    assert detail["origin"] == "propagated"
    assert detail["evidence"]["source_alert_id"] == ids[0]
    assert detail["evidence"]["path"][0]["from"] == detail["evidence"]["path"][0]["from"].upper()
    ack = paul.post(f"/v1/alerts/{ids[0]}/acknowledge", json={"comment": "called the CFO"})
    assert ack.status_code == 200, ack.text
    assert (ack.json()["status"], ack.json()["officer"]) == ("acknowledged", "paul")
    acted = paul.post(f"/v1/alerts/{ids[0]}/actions", json={"action": "reduce_limit", "reason": "inflows down"})
    assert acted.status_code == 201, acted.text
    assert acted.json()["action"]["action_zh"] == "压降额度"
    assert acted.json()["alert"]["status"] == "actioned"
    closed = as_("pia").post(f"/v1/alerts/{ids[0]}/close", json={"comment": "limit reduced"})
    assert closed.json()["status"] == "closed"
    shown = as_("dan").get(f"/v1/alerts/{ids[0]}").json()  # an auditor reads
    assert [h["action"] for h in shown["history"]] == ["alert.raised", "alert.acknowledged", "alert.actioned",
                                                      "alert.closed"]  # fmt: skip
    assert shown["actions"][0]["reasons"] == ["inflows down"]
    assert paul.get("/v1/alerts", params={"status": "closed"}).json()["total"] == 1
    assert paul.get("/v1/alerts", params={"officer": "pia"}).json()["total"] == 1
    assert paul.get("/v1/alerts", params={"origin": "propagated", "industry": "F"}).json()["total"] == 1
    page = paul.get("/v1/alerts", params={"limit": 3}).json()
    assert (len(page["alerts"]), page["next_offset"]) == (3, 3)


def test_problems_name_the_status_the_field_and_the_role(client: TestClient, as_: As) -> None:
    ids = raise_alerts(client)
    paul = as_("paul")
    early = paul.post(f"/v1/alerts/{ids[1]}/actions", json={"action": "start_collection", "reason": "x"})
    assert (early.status_code, early.json()["field"]) == (409, "status")
    assert early.headers["content-type"] == "application/problem+json"
    missing = paul.post("/v1/alerts/alr_nope/acknowledge", json={"comment": "x"})
    assert (missing.status_code, missing.json()["detail"]) == (404, "alert alr_nope does not exist")
    bad = paul.post(f"/v1/alerts/{ids[1]}/actions", json={"action": "write_off", "reason": "x"})
    assert (bad.status_code, bad.json()["field"]) == (422, "action")
    blank = paul.post(f"/v1/alerts/{ids[1]}/close", json={"comment": ""})
    assert (blank.status_code, blank.json()["field"]) == (422, "comment")
    assert paul.get("/v1/alerts", params={"level": "red"}).json()["field"] == "level"
    assert paul.get("/v1/alerts/bad%20id").status_code == 422
    refused = as_("dan").post(f"/v1/alerts/{ids[1]}/acknowledge", json={"comment": "x"})
    assert refused.status_code == 403
    assert "post_loan_officer" in refused.json()["detail"]
    assert client.get("/v1/alerts").status_code == 403  # a channel never sees alerts
