"""/v1/lists: roles, masked and revealed reads (audited), uploads naming bad rows, gang confirmation to decision."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.domain.identifiers import uscc_check_char
from riskloop.domain.lists import DetectedGang, GraphIdentifier
from riskloop.graph.shared import request_keys
from riskloop.service.lists import StoreListScreen
from riskloop.storage.decision_models import audit_log
from riskloop.testing.api_keys import Caller
from riskloop.testing.decider import CODE, IDENTITY
from riskloop.testing.decider import application_body as body
from riskloop.testing.memory_lists import MemoryGangFinder

PHONE = IDENTITY["phone"]
CSV = b"identifier_kind,value,reason\nphone,13900139000,fraud\nphone,12,typo\n"


@pytest.fixture
def kim(client: TestClient) -> Caller:
    """A list keeper."""
    secret = client.app.state.services.keys.create("kim", ("list_keeper",), actor="test").secret  # type: ignore[attr-defined]
    return Caller(client, secret)


def _upload(caller: Caller, data: bytes, **params: object) -> object:
    query = {"kind": "black", "filename": "bl.csv", **params}
    return caller.post("/v1/lists/files", params=query, content=data, headers={"Content-Type": "text/csv"})


def test_a_list_keeper_adds_and_ends_an_entry_others_may_not(client: TestClient, as_: Callable[[str], Caller], kim):
    new = {"kind": "grey", "identifier_kind": "phone", "value": PHONE, "reason": "watch"}
    assert as_("ann").post("/v1/lists", json=new).status_code == 403
    assert client.get("/v1/lists").status_code == 403  # a channel reads no list
    added = kim.post("/v1/lists", json=new)
    assert added.status_code == 201, added.text
    assert (added.json()["label"], added.json()["value"]) == ("138****8000", None)
    entry_id = added.json()["entry_id"]
    assert kim.post(f"/v1/lists/{entry_id}/end", json={"reason": "cleared"}).json()["ended_by"] == "kim"
    assert kim.post(f"/v1/lists/{entry_id}/end", json={"reason": "again"}).status_code == 409
    assert as_("cat").get("/v1/lists").json() == {"entries": []}
    assert len(as_("cat").get("/v1/lists", params={"ended": True}).json()["entries"]) == 1
    bad = kim.post("/v1/lists", json={**new, "value": "12"})
    assert bad.status_code == 422
    assert "value" in bad.text


def test_values_are_masked_unless_an_auditor_reveals_them_and_the_reveal_is_audited(
    client: TestClient, as_: Callable[[str], Caller], kim
) -> None:
    kim.post("/v1/lists", json={"kind": "black", "identifier_kind": "phone", "value": PHONE, "reason": "fraud"})
    assert PHONE not in as_("cat").get("/v1/lists").text
    assert as_("cat").get("/v1/lists", params={"reveal": True}).status_code == 403
    revealed = as_("dan").get("/v1/lists", params={"reveal": True})
    assert revealed.json()["entries"][0]["value"] == PHONE
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        actors = conn.execute(sa.select(audit_log.c.actor).where(audit_log.c.action == "pii.reveal")).scalars().all()
    assert actors == ["dan"]


def test_an_upload_with_a_bad_row_is_refused_naming_it_or_quarantines_it(as_: Callable[[str], Caller], kim):
    refused = _upload(kim, CSV)
    assert refused.status_code == 422
    assert refused.json()["problems"] == [{"file": "bl.csv", "row": 3, "field": "value",
                                           "reason": refused.json()["problems"][0]["reason"]}]  # fmt: skip
    loaded = _upload(kim, CSV, quarantine=True)
    assert loaded.status_code == 200, loaded.text
    assert (loaded.json()["stored"], loaded.json()["quarantined"]) == (1, 1)
    assert [v["action"] for v in as_("cat").get("/v1/lists/versions").json()["versions"]] == ["list.load"]
    assert _upload(kim, b"%PDF", filename="bl.xlsx").status_code == 422
    assert _upload(as_("ann"), CSV).status_code == 403


def test_a_confirmed_gang_declines_its_next_application_with_the_blacklist_reason(
    client: TestClient, as_: Callable[[str], Caller], kim
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    services.intake.decider.lists = StoreListScreen(services.lists().store)  # the test pipeline on the SQL lists
    first = client.post("/v1/applications", json=body(application_id="A-1"), headers={"Idempotency-Key": "k1"})
    assert first.json()["tier"] == "auto_approve"
    gang = {"credit_codes": [CODE], "identifiers": [{"kind": "phone", "value": PHONE}], "evidence": "case://G-7"}
    assert kim.post("/v1/lists/gangs/G-7/confirm", json=gang).status_code == 403  # reviewers confirm
    confirmed = as_("cat").post("/v1/lists/gangs/G-7/confirm", json=gang)
    assert confirmed.status_code == 201, confirmed.text
    assert {e["provenance"]["reviewer"] for e in confirmed.json()["entries"]} == {"cat"}
    second = client.post("/v1/applications", json=body(application_id="A-2"), headers={"Idempotency-Key": "k2"})
    assert second.json()["tier"] == "auto_reject"
    assert "BLACKLIST" in [r["code"] for r in second.json()["reasons"]]


def test_with_detect_a_gangs_shared_device_is_listed_by_graph_key_and_declines_another_enterprise(
    client: TestClient, as_: Callable[[str], Caller]
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    tokenizer = services.lists().store.tokenizer  # the workspace's graph key
    services.intake.decider.lists = StoreListScreen(services.lists().store, partial(request_keys, tokenizer=tokenizer))
    member = "91420100000000002" + uscc_check_char("91420100000000002")
    device = GraphIdentifier("device", tokenizer.token("device", "dev-ring-01"), "dev-****", "uses_device")
    services.gangs = lambda: MemoryGangFinder([DetectedGang("G-8", (member,), (device,))])
    assert as_("cat").post("/v1/lists/gangs/G-8/confirm", json={"evidence": "case://8"}).status_code == 422
    missing = as_("cat").post("/v1/lists/gangs/G-9/confirm", json={"detect": True, "evidence": "case://9"})
    assert missing.status_code == 404
    confirmed = as_("cat").post("/v1/lists/gangs/G-8/confirm", json={"detect": True, "evidence": "case://8"})
    assert confirmed.status_code == 201, confirmed.text
    [listed] = [e for e in confirmed.json()["entries"] if e["identifier_kind"] == "device_id"]
    assert (listed["value"], listed["label"], listed["provenance"]["link"]) == (None, "dev-****", "uses_device")
    new = body(application_id="A-3", device_id="Dev-Ring-01")  # CODE: another enterprise than the member
    declined = client.post("/v1/applications", json=new, headers={"Idempotency-Key": "k3"}).json()
    assert (declined["tier"], "BLACKLIST" in [r["code"] for r in declined["reasons"]]) == ("auto_reject", True)
    other = client.post("/v1/applications", json=body(application_id="A-4"), headers={"Idempotency-Key": "k4"})
    assert other.json()["tier"] == "auto_approve"
