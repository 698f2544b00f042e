"""From an approval to money in the account over HTTP: offer, acceptance with a step-up, drawdown with its re-check,
the core's answers (confirmed, refused, lost, repeated), booking once, and every refusal as a clear 4xx."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api.app import create_app
from riskloop.api.limits import LimitSettings
from riskloop.cli.main import app as cli
from riskloop.config import Settings
from riskloop.domain.access import Principal
from riskloop.domain.decision_request import GraphSignals
from riskloop.domain.outbox import SIGNATURE_HEADER, signature
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.jobs.demo_serving import release_strategy
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.service.lists import ListDesk, StoreListScreen
from riskloop.service.recheck import RECHECK
from riskloop.service.verification_ports import VerificationVendors
from riskloop.storage.audit import audit_trail
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import CODE, HEALTHY, NOW, application_body, make_decider
from riskloop.testing.fake_core import FakeCore
from riskloop.testing.fake_decision_ports import MemoryGraphChecks
from riskloop.testing.fake_feature_store import InMemoryFeatureStore
from riskloop.testing.memory_lists import MemoryListStore
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender
from riskloop.workspace import Workspace

PERSON, PHONE, ACCOUNT = "110105199003071239", "13800138000", "6222021234567890123"
IMAGE = base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
PEOPLE = {"channel": ("channel",), "other": ("channel",), "olga": ("post_loan_officer",)}
SECRET = "core-secret-for-tests"
ANN, BOB = Principal("ann", frozenset({"analyst"}), "k-ann"), Principal("bob", frozenset({"approver"}), "k-bob")


@dataclass
class Api:
    client: TestClient
    callers: dict[str, Caller]
    sms: MemorySmsSender
    core: FakeCore
    features: InMemoryFeatureStore
    graph: MemoryGraphChecks
    settings: Settings
    clock: SteppingClock
    lists: MemoryListStore

    def post(self, path: str, body: dict[str, Any], who: str = "channel", **headers: str) -> Any:
        return self.callers[who].post(path, json=body, headers=headers)


@pytest.fixture
def api(tmp_path: Path, db_url: str) -> Iterator[Api]:
    clock, core, graph, lists = SteppingClock(NOW), FakeCore(), MemoryGraphChecks(), MemoryListStore()
    decider = make_decider(clock=clock, graph=graph, lists=StoreListScreen(lists))
    features = decider.features
    assert isinstance(features, InMemoryFeatureStore)
    settings = Settings(home=tmp_path / "home", database_url=db_url, core_secret=SECRET)
    sms = MemorySmsSender()
    vendors = VerificationVendors(sms, MemoryFaceVendor(), MemoryCarrier())
    app = create_app(settings, decider=decider, verification_vendors=vendors, core=core,
                     limits=LimitSettings(max_in_flight=64))  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        with Workspace.open(settings) as ws:  # the re-check policy, released with four eyes as the demo does
            release_strategy(ws.strategies(), ws.strategy_repository(), ANN, BOB,
                             shipped=PackageStrategyLoader().load(f"{RECHECK}@1"))  # fmt: skip
        yield Api(client, authenticate(client, PEOPLE), sms, core, features, graph, settings, clock, lists)


def approved(api: Api, application_id: str = "APP-1") -> dict[str, Any]:
    body = application_body(application_id=application_id, bank_account=ACCOUNT)
    decided = api.post("/v1/applications", body, **{"Idempotency-Key": f"key-{application_id}"})
    assert decided.status_code == 201, decided.text
    assert decided.json()["tier"] in {"auto_approve", "approve"}, decided.json()
    offer = api.post("/v1/offers", {"application_id": application_id})
    assert offer.status_code == 201, offer.text
    return dict(offer.json())


def token(api: Api) -> str:
    api.clock.advance(seconds=61)  # one code a minute per phone
    issued = api.post("/v1/verifications/step-ups", {"applicant_id": PERSON, "phone": PHONE, "action": "drawdown"})
    step_up_id = issued.json()["step_up_id"]
    confirmed = api.post(f"/v1/verifications/step-ups/{step_up_id}/confirm",
                         {"code": api.sms.last_code(PHONE), "applicant_id": PERSON, "image": IMAGE})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    return str(confirmed.json()["step_up_token"])


def accepted(api: Api, application_id: str = "APP-1") -> dict[str, Any]:
    offer = approved(api, application_id)
    body = {"contract_sha256": offer["contract_sha256"], "step_up_token": token(api), "applicant_id": PERSON}
    answer = api.post(f"/v1/offers/{offer['offer_id']}/acceptance", body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def draw(api: Api, offer: dict[str, Any], amount: int, key: str, **more: Any) -> Any:
    return api.post("/v1/drawdowns", {"offer_id": offer["offer_id"], "amount_cents": amount, **more},
                    **{"Idempotency-Key": key})  # fmt: skip


def test_an_approval_becomes_an_offer_with_its_terms_and_contract_text(api: Api) -> None:
    offer = approved(api)
    assert offer["status"] == "offered"
    assert offer["remaining_cents"] == offer["limit_cents"] > 0
    assert offer["contract"]["sha256"] == offer["contract_sha256"]
    assert f"{offer['limit_cents'] / 100:,.2f}" in offer["contract"]["text"]
    again = api.post("/v1/offers", {"application_id": "APP-1"})
    assert again.status_code == 200
    assert again.json()["offer_id"] == offer["offer_id"]
    other = api.post("/v1/offers", {"application_id": "APP-1"}, who="other")
    assert other.status_code == 404  # another channel's application


def test_acceptance_needs_the_contract_digest_and_a_step_up_of_the_applicant(api: Api) -> None:
    offer = approved(api)
    path = f"/v1/offers/{offer['offer_id']}/acceptance"
    wrong = api.post(path, {"contract_sha256": "0" * 64, "step_up_token": token(api), "applicant_id": PERSON})
    assert wrong.status_code == 409
    assert wrong.json()["field"] == "contract_sha256"
    forged = api.post(path, {"contract_sha256": offer["contract_sha256"], "step_up_token": "x" * 40,
                             "applicant_id": PERSON})  # fmt: skip
    assert forged.status_code == 403
    assert forged.json()["field"] == "step_up_token"
    ok = api.post(path, {"contract_sha256": offer["contract_sha256"], "step_up_token": token(api),
                         "applicant_id": PERSON})  # fmt: skip
    assert ok.status_code == 200
    assert ok.json()["status"] == "accepted"
    with Workspace.open(api.settings) as ws:
        trail = [row["action"] for row in audit_trail(ws.engine, offer["offer_id"])]
    assert trail == ["offer.made", "offer.accepted"]


def test_a_drawdown_before_acceptance_is_a_409_and_bad_amounts_are_422s(api: Api) -> None:
    offer = approved(api)
    early = draw(api, offer, 1_000_000, "k1")
    assert early.status_code == 409
    assert early.json()["field"] == "offer_id"
    offer = accepted(api, "APP-2")
    over = draw(api, offer, offer["limit_cents"] + 1, "k2")
    assert over.status_code == 422
    assert over.json()["field"] == "amount_cents"
    assert draw(api, offer, 0, "k3").status_code == 422
    assert draw(api, offer, 1000, "k4", term_months=offer["term_months"] + 1).json()["field"] == "term_months"


def test_a_confirmed_drawdown_books_one_loan_with_its_schedule(api: Api) -> None:
    offer = accepted(api)
    answer = draw(api, offer, 1_000_000, "dd-1")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "disbursed"
    assert body["core_ref"].startswith("CORE-")
    loan = body["loan"]
    assert sum(i["principal_cents"] for i in loan["schedule"]) == 1_000_000
    assert len(loan["schedule"]) == offer["term_months"]
    assert api.core.sent[0].account == ACCOUNT  # paid into the application's own settlement account
    retry = draw(api, offer, 1_000_000, "dd-1")
    assert retry.status_code == 200
    assert retry.json()["loan_id"] == body["loan_id"]
    assert sum(api.core.payments.values()) == 1
    other_body = draw(api, offer, 2_000_000, "dd-1")
    assert other_body.status_code == 409
    assert other_body.json()["field"] == "Idempotency-Key"
    now = api.client.get(f"/v1/offers/{offer['offer_id']}").json()
    assert (now["drawn_cents"], now["reserved_cents"]) == (1_000_000, 0)


def test_a_core_refusal_releases_the_amount(api: Api) -> None:
    offer = accepted(api)
    api.core.mode = "reject"
    answer = draw(api, offer, 1_000_000, "dd-r")
    assert answer.json()["status"] == "failed"
    assert answer.json()["core_reason"] == "account frozen"
    now = api.client.get(f"/v1/offers/{offer['offer_id']}").json()
    assert now["remaining_cents"] == offer["limit_cents"]


def _signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = int(dt.datetime.now(dt.UTC).timestamp())
    return raw, {SIGNATURE_HEADER: signature(SECRET.encode(), stamp, raw), "Content-Type": "application/json"}


def test_a_timeout_then_a_late_confirmation_twice_books_one_loan(api: Api) -> None:
    offer = accepted(api)
    api.core.mode = "timeout"  # the core pays, the answer is lost
    answer = draw(api, offer, 3_000_000, "dd-t")
    assert answer.json()["status"] == "unconfirmed"
    held = api.client.get(f"/v1/offers/{offer['offer_id']}").json()
    assert held["reserved_cents"] == 3_000_000  # an unknown outcome keeps the amount
    late = [a.to_dict() for a in api.core.callbacks]
    assert late
    assert late[-1]["status"] == "confirmed"
    for _ in range(2):  # the core retries its post-back
        raw, headers = _signed(late[-1])
        settled = api.client.post("/v1/core/confirmations", content=raw, headers=headers)
        assert settled.status_code == 200, settled.text
        assert settled.json()["status"] == "disbursed"
    assert sum(api.core.payments.values()) == 1
    loans = api.client.get(f"/v1/drawdowns/{answer.json()['drawdown_id']}").json()
    assert loans["loan"]["principal_cents"] == 3_000_000
    now = api.client.get(f"/v1/offers/{offer['offer_id']}").json()
    assert (now["drawn_cents"], now["reserved_cents"]) == (3_000_000, 0)


def test_an_unsigned_or_forged_confirmation_is_refused(api: Api) -> None:
    raw, headers = _signed({"instruction_id": "drw_x", "status": "confirmed", "core_ref": "C-1"})
    assert api.client.post("/v1/core/confirmations", content=raw).status_code == 401
    headers[SIGNATURE_HEADER] = headers[SIGNATURE_HEADER][:-2] + "00"
    assert api.client.post("/v1/core/confirmations", content=raw, headers=headers).status_code == 401


def test_an_operator_reconciles_an_instruction_the_core_never_received(api: Api) -> None:
    offer = accepted(api)
    api.core.mode = "unreceived"
    drawdown = draw(api, offer, 1_000_000, "dd-u").json()
    assert drawdown["status"] == "unconfirmed"
    assert not api.core.payments
    path = f"/v1/drawdowns/{drawdown['drawdown_id']}/reconcile"
    assert api.post(path, {}).status_code == 403  # a channel cannot
    api.core.mode = "accept"
    asked = api.post(path, {}, who="olga")
    assert asked.json()["status"] == "unconfirmed"  # the core knows nothing of it: nothing re-sent unasked
    resent = api.callers["olga"].post(path + "?resend=true")
    assert resent.status_code == 200
    assert resent.json()["status"] == "disbursed"
    assert sum(api.core.payments.values()) == 1


def test_an_operator_lists_the_drawdowns_to_reconcile_and_a_channel_cannot(api: Api) -> None:
    offer = accepted(api)
    paid = draw(api, offer, 1_000_000, "dd-l1").json()
    api.core.mode = "unreceived"
    lost = draw(api, offer, 2_000_000, "dd-l2").json()
    officer = api.callers["olga"]
    listed = officer.get("/v1/drawdowns", params={"status": "unconfirmed"})
    assert listed.status_code == 200, listed.text
    assert [d["drawdown_id"] for d in listed.json()["drawdowns"]] == [lost["drawdown_id"]]
    assert listed.json()["drawdowns"][0]["amount_cents"] == 2_000_000
    every = officer.get("/v1/drawdowns", params={"offer_id": offer["offer_id"]}).json()["drawdowns"]
    assert {d["drawdown_id"]: d["status"] for d in every} == {paid["drawdown_id"]: "disbursed",
                                                              lost["drawdown_id"]: "unconfirmed"}  # fmt: skip
    assert all(d["loan"] is None for d in every)  # a listing names the loan; its schedule is one drawdown's read
    assert officer.get("/v1/drawdowns", params={"limit": 1}).json()["limit"] == 1
    assert len(officer.get("/v1/drawdowns", params={"limit": 1}).json()["drawdowns"]) == 1
    assert api.callers["channel"].get("/v1/drawdowns").status_code == 403
    opened = officer.get(f"/v1/drawdowns/{paid['drawdown_id']}").json()  # any channel's, with its loan
    assert opened["loan"]["loan_id"] == paid["loan_id"]
    assert len(opened["loan"]["schedule"]) == opened["term_months"]
    assert api.callers["other"].get(f"/v1/drawdowns/{paid['drawdown_id']}").status_code == 404  # not its own
    for params, field in (({"status": "lost"}, "status"), ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"),
                          ({"offer_id": "../x"}, "offer_id")):  # fmt: skip
        refused = officer.get("/v1/drawdowns", params=params)
        assert refused.status_code == 422, refused.text
        assert field in refused.text


def test_the_cli_lists_the_same_drawdowns_and_names_a_bad_option(api: Api) -> None:
    offer = accepted(api)
    api.core.mode = "unreceived"
    lost = draw(api, offer, 2_000_000, "dd-c").json()
    env = {"RISKLOOP_DATABASE_URL": api.settings.database_url}
    home = ["--home", str(api.settings.home), "drawdowns", "list"]
    listed = CliRunner().invoke(cli, [*home, "--status", "unconfirmed", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [d["drawdown_id"] for d in json.loads(listed.stdout)["drawdowns"]] == [lost["drawdown_id"]]
    for args, option in ((["--status", "lost"], "--status"), (["--limit", "0"], "--limit")):
        refused = CliRunner().invoke(cli, [*home, *args], env=env)
        assert refused.exit_code == 2, refused.output
        assert option in refused.stderr
        assert "Traceback" not in refused.output


def _core_line(client: TestClient) -> dict[str, Any]:
    answer = client.get("/readyz").json()  # a 200 or a 503 problem: both list every check
    return next(c for c in answer["checks"] if c["name"] == "core")


def test_readyz_says_when_the_core_stops_answering_and_when_it_answers_again(api: Api) -> None:
    assert _core_line(api.client) == {"name": "core", "ok": True,
                                      "reason": "configured; not called since the process started"}  # fmt: skip
    offer = accepted(api)
    api.core.mode = "unreceived"
    at = api.clock.now()
    drawdown = draw(api, offer, 1_000_000, "dd-r").json()
    line = _core_line(api.client)
    assert line["ok"] is True  # the decision path never calls the core: it never makes the process unready
    assert line["reason"].startswith(f"no answer 1 time(s) in a row since {at:%Y-%m-%dT%H:%M:%S}Z (timeout)")
    assert "drawdowns stay unconfirmed" in line["reason"]
    api.core.mode = "accept"
    resent = api.callers["olga"].post(f"/v1/drawdowns/{drawdown['drawdown_id']}/reconcile?resend=true")
    assert resent.json()["status"] == "disbursed"
    assert _core_line(api.client)["reason"].startswith("configured; last answered at ")


def test_a_listing_after_the_decision_stops_the_drawdown_with_its_reason(api: Api) -> None:
    offer = accepted(api)
    api.features.publish(ENTERPRISE_FEATURE_SET, NOW.date() + dt.timedelta(days=1),
                         _table({**HEALTHY, "risk_dishonest_listed": 1}))  # fmt: skip
    answer = draw(api, offer, 1_000_000, "dd-l")
    assert answer.status_code == 201
    assert answer.json()["status"] == "refused"
    assert [r["code"] for r in answer.json()["reasons"]] == ["ADMISSION_DISHONEST"]
    assert answer.json()["reasons"][0]["text_zh"]
    assert not api.core.sent  # nothing instructed, nothing reserved
    assert api.client.get(f"/v1/offers/{offer['offer_id']}").json()["reserved_cents"] == 0


def test_a_black_listing_after_the_decision_refuses_the_drawdown(api: Api) -> None:
    offer = accepted(api)
    keeper = Principal("kim", frozenset({"list_keeper"}), "k-kim")
    ListDesk(api.lists, api.clock).add(keeper, list_kind="black", identifier_kind="phone", value=PHONE,
                                       reason="fraud confirmed after the approval")  # fmt: skip
    api.clock.advance(seconds=1)
    answer = draw(api, offer, 1_000_000, "dd-b")
    assert answer.json()["status"] == "refused"
    assert [r["code"] for r in answer.json()["reasons"]] == ["BLACKLIST"]
    assert not api.core.sent


def test_a_gang_found_since_the_decision_refers_the_drawdown(api: Api) -> None:
    offer = accepted(api)
    api.graph.by_credit_code[CODE] = GraphSignals(gang_member=True, gang_size=5)
    answer = draw(api, offer, 1_000_000, "dd-g")
    assert answer.json()["status"] == "referred"
    assert "FRAUD_GANG" in [r["code"] for r in answer.json()["reasons"]]


def test_a_failing_source_refers_the_drawdown_and_pays_nothing(api: Api) -> None:
    offer = accepted(api)

    def broken(*_: object) -> None:
        raise OSError("feature store down")

    api.features.lookup = broken  # type: ignore[method-assign]
    answer = draw(api, offer, 1_000_000, "dd-f")
    assert answer.json()["status"] == "referred"
    assert "DATA_UNAVAILABLE_FEATURES" in [r["code"] for r in answer.json()["reasons"]]
    assert not api.core.sent


def test_concurrent_drawdowns_never_exceed_the_limit(api: Api) -> None:
    offer = accepted(api)
    amount = offer["limit_cents"] // 10 + 1  # nine fit, the tenth does not

    def one(i: int) -> Any:
        return draw(api, offer, amount, f"c-{i}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(50)))
    statuses = [a.json()["status"] for a in answers]
    assert statuses.count("disbursed") == 9
    refused = [a.json() for a in answers if a.json()["status"] != "disbursed"]
    assert len(refused) == 41
    assert all(r["status"] == "refused" and r["reasons"][0]["code"] == "DRAWDOWN_OVER_LIMIT" for r in refused)
    now = api.client.get(f"/v1/offers/{offer['offer_id']}").json()
    assert now["drawn_cents"] == 9 * amount <= now["limit_cents"]
    assert sum(api.core.payments.values()) == 9


def test_without_a_core_a_drawdown_is_a_503_naming_the_setting(tmp_path: Path, sqlite_url: str) -> None:
    settings = Settings(home=tmp_path / "home", database_url=sqlite_url)
    app = create_app(settings, decider=make_decider())
    with TestClient(app, raise_server_exceptions=False) as client:
        callers = authenticate(client, PEOPLE)
        answer = callers["channel"].post("/v1/drawdowns", json={"offer_id": "ofr_x", "amount_cents": 100},
                                         headers={"Idempotency-Key": "k"})  # fmt: skip
        line = _core_line(client)
    assert answer.status_code == 503
    assert "RISKLOOP_CORE_URL" in answer.json()["detail"]
    assert line["reason"].startswith("no core configured: drawdowns are refused")


def _table(values: dict[str, Any]) -> Any:
    import pyarrow as pa

    return pa.Table.from_pylist([{"credit_code": CODE, **values}])
