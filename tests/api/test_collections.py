"""The collection routes: collectors list cases and record outcomes, calls are checked, leads close QA cases;
problems name the status, the field and the role; without an active QA model the transcript route is a 503."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.domain.collection import INSULT, OFF_HOURS, THREAT
from riskloop.service.collection_ports import Checker
from riskloop.service.collections import CollectionDesk
from riskloop.testing.api_keys import PEOPLE, Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.collections import FixedChooser, PhraseChecker
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.race import Interleaved

PMF = {"agent_call@evening": 0.8, "sms@morning": 0.2}
CHECKER = PhraseChecker({"不还钱就去你单位": THREAT, "老赖": INSULT})
CALL = {
    "call_id": "call-1",
    "started_at": "2026-07-01T19:05:00+08:00",
    "turns": [
        {"turn_no": 1, "speaker": "agent", "text": "您好，我是银行委托的催收专员，本次通话将被录音。"},
        {"turn_no": 2, "speaker": "debtor", "text": "这个月周转不过来。"},
        {"turn_no": 3, "speaker": "agent", "text": "你这个老赖，不还钱就去你单位闹。"},
    ],
}


@dataclass
class Desk:
    """The started app, its callers, and the transcript checker it asks (None: no QA model is active)."""

    client: TestClient
    callers: dict[str, Caller]
    checker: list[Checker | None] = field(default_factory=lambda: [None])

    def __getitem__(self, who: str) -> Caller:
        return self.callers[who]

    @property
    def desk(self) -> CollectionDesk:
        found: CollectionDesk = self.client.app.state.services.collections  # type: ignore[attr-defined]
        return found

    def plan(self, *cases: str) -> None:
        self.desk.plan([(c, 1) for c in cases], list(cases), FixedChooser(PMF), seed=3)


@pytest.fixture
def api(tmp_path: Path, sqlite_url: str) -> Iterator[Desk]:
    holder: list[Checker | None] = [None]
    settings = Settings(home=tmp_path / "home", database_url=sqlite_url)
    app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW)), transcript_checker=lambda: holder[0])
    people = {**PEOPLE, "carl": ("collector",), "cora": ("collector",), "lena": ("collection_lead",)}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Desk(client, authenticate(client, people), holder)


def problem(response: Any) -> tuple[int, str | None]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.status_code, response.json().get("field")


def test_a_collector_lists_cases_and_records_what_each_brought(api: Desk) -> None:
    api.plan("c3", "c1", "c2")
    carl = api["carl"]
    page = carl.get("/v1/collections/cases", params={"limit": 2}).json()
    assert [c["case_id"] for c in page["cases"]] == ["c1", "c2"]
    assert page["next_after"] == "c2"
    first = page["cases"][0]
    assert first["next_best_action"] == {"arm": "agent_call@evening", "action": "agent_call", "channel": "phone",
                                         "window": "evening"}  # fmt: skip
    assert (first["propensity"], first["reasons"], first["status"]) == (0.8, ["fixed test policy"], "open")
    rest = carl.get("/v1/collections/cases", params={"after": "c2"}).json()
    assert ([c["case_id"] for c in rest["cases"]], rest["next_after"]) == (["c3"], None)
    followed = carl.post("/v1/collections/cases/c1/actions", json={"promise_to_pay": True, "amount_paid_cents": 50_000,
                                                                 "agent_id": "A-7"})  # fmt: skip
    assert followed.status_code == 201, followed.text
    assert (followed.json()["propensity"], followed.json()["followed_plan"]) == (0.8, True)
    assert (followed.json()["recorded_by"], followed.json()["channel"]) == ("carl", "phone")
    deviated = api["lena"].post("/v1/collections/cases/c2/actions", json={"arm": "sms@morning", "cured": True,
                                                                        "days_to_cure": 4})  # fmt: skip
    assert (deviated.status_code, deviated.json()["propensity"], deviated.json()["followed_plan"]) == (201, 0.2, False)
    acted = api["dan"].get("/v1/collections/cases", params={"status": "acted"}).json()  # an auditor reads
    assert [c["case_id"] for c in acted["cases"]] == ["c1", "c2"]
    assert len(carl.get("/v1/collections/cases", params={"status": "all"}).json()["cases"]) == 3
    case = carl.get("/v1/collections/cases/c1").json()
    assert case["plan"] is None
    assert [(a["arm"], a["amount_paid_cents"], a["agent_id"]) for a in case["actions"]] == [
        ("agent_call@evening", 50_000, "A-7")
    ]
    assert carl.get("/v1/collections/cases/c3").json()["plan"]["case_id"] == "c3"


def test_recording_problems_name_the_status_and_the_field(api: Desk) -> None:
    api.plan("c1")
    carl = api["carl"]
    url = "/v1/collections/cases/c1/actions"
    assert problem(carl.post(url, json={"amount_paid_cents": -1})) == (422, "amount_paid_cents")
    assert problem(carl.post(url, json={"amount_paid_cents": 1.5})) == (422, "amount_paid_cents")
    assert problem(carl.post(url, json={"arm": "sms@midnight"})) == (422, "arm")
    assert problem(carl.post(url, json={"cured": True})) == (422, "days_to_cure")
    assert problem(carl.post(url, json={"days_to_cure": 2})) == (422, "days_to_cure")
    assert problem(carl.post(url, json={"agent_id": ""})) == (422, "agent_id")
    assert problem(carl.post(url, json={"paid": 1})) == (422, "paid")
    assert problem(carl.post("/v1/collections/cases/c9/actions", json={}))[0] == 404
    assert problem(carl.get("/v1/collections/cases/c9"))[0] == 404
    assert problem(carl.get("/v1/collections/cases/bad%20id")) == (422, "case_id")
    assert problem(carl.get("/v1/collections/cases", params={"status": "done"})) == (422, "status")
    assert problem(carl.get("/v1/collections/cases", params={"limit": 501})) == (422, "limit")
    assert problem(api["dan"].post(url, json={}))[0] == 403  # auditors read, never record
    refused = api.client.get("/v1/collections/cases")  # the channel's key
    assert problem(refused)[0] == 403
    assert "collector" in refused.json()["detail"]
    assert carl.post(url, json={}).status_code == 201
    assert "no open plan" in carl.post(url, json={}).json()["detail"]  # acted on once: 404 after


def test_of_two_collectors_recording_on_one_plan_the_second_gets_409(api: Desk) -> None:
    api.plan("c1")
    services = api.client.app.state.services  # type: ignore[attr-defined]
    store, clock = services.collections.store, services.collections.clock
    rival = CollectionDesk(store, clock)
    racing = Interleaved(store, lambda: rival.record(_principal(api, "cora"), "c1", {}), writes=frozenset({"record"}))
    services.collections = CollectionDesk(racing, clock)
    lost = api["carl"].post("/v1/collections/cases/c1/actions", json={"amount_paid_cents": 10})
    assert problem(lost) == (409, "plan")
    (won,) = api["lena"].get("/v1/collections/cases/c1").json()["actions"]
    assert (won["recorded_by"], won["amount_paid_cents"]) == ("cora", 0)


def _principal(api: Desk, who: str) -> Any:
    auth = api.client.app.state.services.auth  # type: ignore[attr-defined]
    return auth.authenticate(api[who].secret)


def test_without_an_active_qa_model_a_transcript_is_a_503_naming_the_command(api: Desk) -> None:
    refused = api["carl"].post("/v1/collections/transcripts", json=CALL)
    assert problem(refused) == (503, None)
    assert "riskloop collections qa-train" in refused.json()["detail"]
    assert api["carl"].get("/v1/collections/transcripts/call-1/findings").json()["findings"] == []


def test_a_checked_call_opens_a_qa_case_the_lead_closes(api: Desk) -> None:
    api.checker[0] = CHECKER  # a QA model became active: the next check uses it
    carl, lena = api["carl"], api["lena"]
    checked = carl.post("/v1/collections/transcripts", json=CALL)
    assert checked.status_code == 200, checked.text
    out = checked.json()
    assert sorted((f["issue_type"], f["turn_no"], f["dimension"]) for f in out["findings"]) == [
        (INSULT, 3, "courtesy"), (THREAT, 3, "compliance"),
    ]  # fmt: skip
    assert out["qa_case"]["issue_types"] == [INSULT, THREAT]
    late = {**CALL, "call_id": "call-2", "started_at": "2026-07-01T13:30:00Z", "turns": CALL["turns"][:2]}
    assert carl.post("/v1/collections/transcripts", json=late).json()["qa_case"]["issue_types"] == [OFF_HOURS]
    clean = {**CALL, "call_id": "call-3", "turns": CALL["turns"][:2]}
    assert carl.post("/v1/collections/transcripts", json=clean).json()["qa_case"] is None
    found = api["dan"].get("/v1/collections/transcripts/call-1/findings").json()["findings"]
    assert [(f["turn_no"], f["source"]) for f in found] == [(3, "rule:老赖"), (3, "rule:不还钱就去你单位")]
    cases = lena.get("/v1/collections/qa-cases").json()["qa_cases"]
    assert [c["call_id"] for c in cases] == ["call-2", "call-1"]  # highest score first
    assert problem(carl.get("/v1/collections/qa-cases"))[0] == 403
    qa_id = cases[1]["qa_case_id"]
    close = f"/v1/collections/qa-cases/{qa_id}/close"
    assert problem(carl.post(close, json={"resolution": "confirmed"}))[0] == 403  # a collector never closes
    assert problem(lena.post(close, json={"resolution": "maybe"})) == (422, "resolution")
    closed = lena.post(close, json={"resolution": "confirmed", "comment": "coached"})
    assert (closed.status_code, closed.json()["closed_by"], closed.json()["status"]) == (200, "lena", "closed")
    assert problem(lena.post(close, json={"resolution": "dismissed"})) == (409, "status")
    assert problem(lena.post("/v1/collections/qa-cases/qac_none/close", json={"resolution": "confirmed"}))[0] == 404
    listed = api["dan"].get("/v1/collections/qa-cases", params={"status": "closed"}).json()["qa_cases"]
    assert [(c["qa_case_id"], c["comment"]) for c in listed] == [(qa_id, "coached")]


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"turns": [{"turn_no": i, "speaker": "agent", "text": "您好"} for i in range(501)]}, "turns"),
        ({"turns": [{"turn_no": 1, "speaker": "agent", "text": "好" * 2_001}]}, "turns.0.text"),
        ({"turns": [{"turn_no": 1, "speaker": "boss", "text": "您好"}]}, "turns.0.speaker"),
        ({"turns": []}, "turns"),
        ({"started_at": "2026-07-01T19:05:00"}, "started_at"),
        ({"started_at": 1_780_000_000}, "started_at"),
        ({"call_id": "a b"}, "call_id"),
        ({"turns": [{"turn_no": 2, "speaker": "agent", "text": "a"}, {"turn_no": 1, "speaker": "debtor", "text": "b"}]},
         "turns.1.turn_no"),  # the checker's own refusal of a malformed transcript
    ],
)  # fmt: skip
def test_a_malformed_transcript_is_a_422_naming_the_field(api: Desk, change: dict[str, Any], field_name: str) -> None:
    api.checker[0] = CHECKER
    assert problem(api["carl"].post("/v1/collections/transcripts", json={**CALL, **change})) == (422, field_name)
    assert api["carl"].get(f"/v1/collections/transcripts/{CALL['call_id']}/findings").json()["findings"] == []


def test_a_transcript_over_the_body_limit_is_a_413(api: Desk) -> None:
    api.checker[0] = CHECKER
    turns = [{"turn_no": i, "speaker": "debtor", "text": "我这个月实在周转不过来" * 10} for i in range(400)]
    assert problem(api["carl"].post("/v1/collections/transcripts", json={**CALL, "turns": turns})) == (413, "body")
    assert problem(api["dan"].post("/v1/collections/transcripts", json=CALL))[0] == 403
