"""/v1/verifications over HTTP: the steps of a session, the 4xx of each refusal, 429 with Retry-After, step-up
tokens, and an application naming its session decided on the server's results."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.service.verification_ports import VerificationVendors
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, application_body, make_decider
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender

PERSON, PHONE = "110105199003071239", "13800138000"
IMAGE = base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
PEOPLE = {"channel": ("channel",), "other": ("channel",), "rita": ("reviewer",)}


@dataclass
class Api:
    client: TestClient
    callers: dict[str, Caller]
    sms: MemorySmsSender
    face: MemoryFaceVendor
    carrier: MemoryCarrier
    clock: SteppingClock


@pytest.fixture
def api(tmp_path: Path, sqlite_url: str) -> Iterator[Api]:
    sms, face, carrier, clock = MemorySmsSender(), MemoryFaceVendor(), MemoryCarrier(), SteppingClock(NOW)
    settings = Settings(home=tmp_path / "home", database_url=sqlite_url)
    app = create_app(settings, decider=make_decider(clock=clock),
                     verification_vendors=VerificationVendors(sms, face, carrier))  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, authenticate(client, PEOPLE), sms, face, carrier, clock)


def opened(api: Api) -> str:
    answer = api.client.post("/v1/verifications", json={"applicant_id": PERSON, "phone": PHONE})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["verification_id"])


def send(api: Api, sid: str) -> str:
    answer = api.client.post(f"/v1/verifications/{sid}/otp", json={"phone": PHONE})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["challenge_id"])


def test_a_session_verified_step_by_step_decides_on_the_servers_results(api: Api) -> None:
    sid = opened(api)
    challenge = send(api, sid)
    passed = api.client.post(f"/v1/verifications/{sid}/otp/verify",
                             json={"challenge_id": challenge, "code": api.sms.last_code(PHONE)})  # fmt: skip
    assert passed.status_code == 200
    assert passed.json()["verdict"] == "passed"
    api.face.answer(35.0)  # not the applicant
    face = api.client.post(f"/v1/verifications/{sid}/face", json={"applicant_id": PERSON, "image": IMAGE})
    assert face.json() == {"score": 0.35, "live": True, "verified": False, "error": None}
    device = api.client.post(f"/v1/verifications/{sid}/device",
                             json={"device_id": "9774d56d682e549c", "os": "ios", "model": "iPhone14,2"})  # fmt: skip
    assert device.json()["reasons"] == ["IDV_DEVICE_ID_FORMAT"]
    api.carrier.register(PHONE, PERSON, 48)
    owner = api.client.post(f"/v1/verifications/{sid}/phone-owner", json={"applicant_id": PERSON, "phone": PHONE})
    assert owner.json() == {"match": True, "tenure_months": 48, "error": None}
    summary = api.client.get(f"/v1/verifications/{sid}").json()
    assert summary["identity"] == {"sms_verified": True, "face_match_score": 0.35, "device_fingerprint_ok": False,
                                   "phone_owner_match": True}  # fmt: skip
    body = application_body(verification_id=sid)  # its identity block claims everything passed
    decided = api.client.post("/v1/applications", json=body, headers={"Idempotency-Key": "k1"})
    assert decided.status_code in (200, 201), decided.text
    assert decided.json()["tier"] == "auto_reject"
    codes = [r["code"] for r in decided.json()["reasons"]]
    assert "ID_FACE_MISMATCH" in codes
    assert "ID_DEVICE_FINGERPRINT" in codes


def test_an_unknown_session_on_an_application_refers_with_its_reason(api: Api) -> None:
    decided = api.client.post("/v1/applications", json=application_body(verification_id="vrf_nope"),
                              headers={"Idempotency-Key": "k2"})  # fmt: skip
    assert decided.json()["tier"] == "manual_review"
    assert decided.json()["reasons"][0]["code"] == "IDV_SESSION_MISSING"


def test_wrong_codes_then_lock_then_replay_over_http(api: Api) -> None:
    sid = opened(api)
    challenge = send(api, sid)
    code = api.sms.last_code(PHONE)
    bad = "000000" if code != "000000" else "111111"
    answers = [api.client.post(f"/v1/verifications/{sid}/otp/verify", json={"challenge_id": challenge, "code": bad})
               for _ in range(5)]  # fmt: skip
    assert [a.status_code for a in answers] == [422] * 4 + [409]
    assert answers[0].json()["field"] == "code"
    assert "4 attempts left" in answers[0].json()["detail"]
    locked = api.client.post(f"/v1/verifications/{sid}/otp/verify", json={"challenge_id": challenge, "code": code})
    assert locked.status_code == 409
    assert locked.json()["field"] == "challenge_id"
    api.clock.advance(seconds=60)
    second = send(api, sid)
    code = api.sms.last_code(PHONE)
    ok = api.client.post(f"/v1/verifications/{sid}/otp/verify", json={"challenge_id": second, "code": code})
    replay = api.client.post(f"/v1/verifications/{sid}/otp/verify", json={"challenge_id": second, "code": code})
    assert (ok.status_code, replay.status_code) == (200, 409)
    assert "already used" in replay.json()["detail"]


def test_resending_too_soon_is_a_429_with_retry_after(api: Api) -> None:
    sid = opened(api)
    send(api, sid)
    again = api.client.post(f"/v1/verifications/{sid}/otp", json={"phone": PHONE})
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "60"
    assert again.json()["field"] == "phone"
    assert again.json()["type"].endswith("too-many-requests")


def test_step_up_over_http_is_single_use_and_bound_to_its_action(api: Api) -> None:
    issued = api.client.post("/v1/verifications/step-ups",
                             json={"applicant_id": PERSON, "phone": PHONE, "action": "drawdown"})  # fmt: skip
    assert issued.status_code == 201
    assert issued.json()["face_required"] is True
    step_up_id = issued.json()["step_up_id"]
    code = api.sms.last_code(PHONE)
    no_face = api.client.post(f"/v1/verifications/step-ups/{step_up_id}/confirm", json={"code": code})
    assert no_face.status_code == 422
    assert no_face.json()["field"] == "image"
    confirmed = api.client.post(f"/v1/verifications/step-ups/{step_up_id}/confirm",
                                json={"code": code, "applicant_id": PERSON, "image": IMAGE})  # fmt: skip
    token = confirmed.json()["step_up_token"]
    redeem = {"step_up_token": token, "action": "login", "applicant_id": PERSON}
    wrong_action = api.client.post("/v1/verifications/step-ups/redeem", json=redeem)
    assert wrong_action.status_code == 403
    assert wrong_action.json()["field"] == "step_up_token"
    spent = api.client.post("/v1/verifications/step-ups/redeem", json={**redeem, "action": "drawdown"})
    again = api.client.post("/v1/verifications/step-ups/redeem", json={**redeem, "action": "drawdown"})
    assert (spent.status_code, again.status_code) == (200, 403)


def test_roles_channels_and_fields(api: Api) -> None:
    sid = opened(api)
    assert api.callers["other"].get(f"/v1/verifications/{sid}").status_code == 404
    assert api.callers["rita"].get(f"/v1/verifications/{sid}").status_code == 403
    bad = api.client.post("/v1/verifications", json={"applicant_id": "110105199003071238", "phone": PHONE})
    assert bad.status_code == 422
    assert bad.json()["field"] == "applicant_id"
    other_phone = api.client.post(f"/v1/verifications/{sid}/otp", json={"phone": "13900139000"})
    assert other_phone.status_code == 422
    assert other_phone.json()["field"] == "phone"
    not_base64 = api.client.post(f"/v1/verifications/{sid}/face", json={"applicant_id": PERSON, "image": "@@@@"})
    assert not_base64.status_code == 422
    assert not_base64.json()["field"] == "image"
    api.clock.advance(minutes=30)
    assert api.client.post(f"/v1/verifications/{sid}/otp", json={"phone": PHONE}).status_code == 409
