"""VerificationStore conformance: the fake and the SQL adapter (SQLite, PostgreSQL) keep sessions, hashed codes,
step-ups, sends and sightings alike, and every save is a compare-and-set."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from riskloop.domain.device_check import DeviceReport
from riskloop.domain.otp import Challenge, ChallengeStatus, OtpPolicy, Verdict
from riskloop.domain.verification import FaceMatch, Session, StepUp, StepUpStatus
from riskloop.errors import ConflictError, ForbiddenError
from riskloop.service.step_up import StepUps
from riskloop.service.verifications import Codes, VerificationDesk
from riskloop.storage.verifications import SQLVerificationStore
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_verifications import MemoryVerificationStore
from riskloop.testing.race import Interleaved
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender

AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
PERSON, PHONE = "110105199003071239", "13800138000"


@pytest.fixture
def store(port_engine: sa.Engine | None) -> object:
    return MemoryVerificationStore() if port_engine is None else SQLVerificationStore(port_engine)


def test_sessions_round_trip_and_saves_are_compare_and_set(store) -> None:
    session = Session("vrf_1", "bank-app", "s" * 32, "p" * 32, None, AT, AT + dt.timedelta(minutes=30))
    store.add_session(session)
    assert store.session("vrf_1") == session
    assert store.session("vrf_2") is None
    checked = dataclasses.replace(session, otp_passed=True, face=FaceMatch(0.91, True), device_ok=False,
                                  device_reasons=("IDV_DEVICE_ROOTED",), phone_owner_match=True,
                                  phone_tenure_months=12, row_version=1)  # fmt: skip
    store.save_session(checked)
    assert store.session("vrf_1") == checked
    with pytest.raises(ConflictError):
        store.save_session(dataclasses.replace(session, otp_passed=True, row_version=1))  # read before the save
    failed = dataclasses.replace(checked, face=FaceMatch.failed("timeout"), carrier_error="x" * 500, row_version=2)
    store.save_session(failed)
    assert store.session("vrf_1").face == FaceMatch.failed("timeout")
    assert store.session("vrf_1").carrier_error == "x" * 200  # a vendor's long message is cut, not refused


def test_challenges_and_step_ups_round_trip(store) -> None:
    challenge = Challenge("chl_1", "step_up", "stp_1", "p" * 32, "a" * 64, AT, AT + dt.timedelta(minutes=5), 5)
    store.add_challenge(challenge)
    assert store.challenge("chl_1") == challenge
    locked = dataclasses.replace(challenge, attempts=5, status=ChallengeStatus.LOCKED, row_version=1)
    store.save_challenge(locked)
    assert store.challenge("chl_1") == locked
    with pytest.raises(ConflictError):
        store.save_challenge(dataclasses.replace(challenge, status=ChallengeStatus.PASSED, row_version=1))
    step_up = StepUp("stp_1", "bank-app", "s" * 32, "p" * 32, "drawdown", "chl_1", AT, AT + dt.timedelta(minutes=5),
                     True)  # fmt: skip
    store.add_step_up(step_up)
    confirmed = dataclasses.replace(step_up, status=StepUpStatus.CONFIRMED, token_hash="t" * 64,
                                    token_expires_at=AT + dt.timedelta(minutes=2), row_version=1)  # fmt: skip
    store.save_step_up(confirmed)
    assert store.step_up("stp_1") == confirmed
    assert store.step_up_by_token("t" * 64) == confirmed
    assert store.step_up_by_token("u" * 64) is None


def test_sends_and_sightings_are_counted_in_their_window(store) -> None:
    for minutes in (0, 10, 70):
        store.record_send("p" * 32, AT + dt.timedelta(minutes=minutes))
    store.record_send("q" * 32, AT)
    assert store.sends_since("p" * 32, AT) == [AT + dt.timedelta(minutes=10), AT + dt.timedelta(minutes=70)]
    for subject, company, days in [("a", "x", 0), ("a", "y", 1), ("b", None, 2), ("c", "x", 40)]:
        store.add_sighting("d" * 32, subject * 32, None if company is None else company * 32,
                           AT + dt.timedelta(days=days))  # fmt: skip
    assert store.identities_on("d" * 32, AT - dt.timedelta(days=1)) == (3, 2)
    assert store.identities_on("d" * 32, AT + dt.timedelta(days=30)) == (1, 1)
    assert store.identities_on("e" * 32, AT) == (0, 0)


def test_the_use_cases_hold_on_every_backend(store) -> None:
    sms, face, clock = MemorySmsSender(), MemoryFaceVendor(), SteppingClock(AT)
    desk = VerificationDesk(store=store, sms=sms, face=face, carrier=MemoryCarrier(), key=b"k" * 32, clock=clock)
    session = desk.open("bank-app", PERSON, PHONE)
    challenge = desk.send_code("bank-app", session.session_id, PHONE)
    code = sms.last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    verdicts = [desk.verify_code("bank-app", session.session_id, challenge.challenge_id, wrong).verdict
                for _ in range(5)]  # fmt: skip
    assert verdicts[-1] is Verdict.LOCKED
    assert desk.verify_code("bank-app", session.session_id, challenge.challenge_id, code).verdict is Verdict.LOCKED
    clock.advance(minutes=1)
    second = desk.send_code("bank-app", session.session_id, PHONE)
    code = sms.last_code(PHONE)
    assert desk.verify_code("bank-app", session.session_id, second.challenge_id, code).verdict is Verdict.PASSED
    assert desk.verify_code("bank-app", session.session_id, second.challenge_id, code).verdict is Verdict.USED
    desk.device("bank-app", session.session_id, DeviceReport("9774d56d682e549c", "android", "SM-G9910"))
    assert desk.identity_for(session.session_id, PERSON, PHONE, clock.now())["sms_verified"] is True
    steps = StepUps(desk.codes, face)
    clock.advance(minutes=1)
    step_up, _ = steps.issue("bank-app", PERSON, PHONE, "authorisation")
    _, token = steps.confirm("bank-app", step_up.step_up_id, sms.last_code(PHONE))
    with pytest.raises(ForbiddenError, match="not login"):
        steps.redeem("bank-app", token, "login", PERSON)
    steps.redeem("bank-app", token, "authorisation", PERSON)
    with pytest.raises(ForbiddenError, match="already used"):
        steps.redeem("bank-app", token, "authorisation", PERSON)


def test_two_requests_never_both_spend_one_code_or_one_token(store) -> None:
    sms, face, clock = MemorySmsSender(), MemoryFaceVendor(), SteppingClock(AT)
    desk = VerificationDesk(store=store, sms=sms, face=face, carrier=MemoryCarrier(), key=b"k" * 32, clock=clock)
    sid = desk.open("bank-app", PERSON, PHONE).session_id
    challenge = desk.send_code("bank-app", sid, PHONE).challenge_id
    code = sms.last_code(PHONE)
    rival = Interleaved(
        store, lambda: desk.verify_code("bank-app", sid, challenge, code), frozenset({"save_challenge"})
    )
    racing = VerificationDesk(store=rival, sms=sms, face=face, carrier=MemoryCarrier(), key=b"k" * 32, clock=clock)
    with pytest.raises(ConflictError):  # the rival spent the code between our read and our write
        racing.verify_code("bank-app", sid, challenge, code)
    assert desk.verify_code("bank-app", sid, challenge, code).verdict is Verdict.USED
    steps = StepUps(desk.codes, face)
    clock.advance(minutes=1)
    step_up, _ = steps.issue("bank-app", PERSON, PHONE, "login")
    _, token = steps.confirm("bank-app", step_up.step_up_id, sms.last_code(PHONE))
    spend = Interleaved(store, lambda: steps.redeem("bank-app", token, "login", PERSON), frozenset({"save_step_up"}))
    racing_steps = StepUps(Codes(spend, sms, b"k" * 32, clock, OtpPolicy()), face)
    with pytest.raises(ConflictError):
        racing_steps.redeem("bank-app", token, "login", PERSON)
    assert store.step_up(step_up.step_up_id).status is StepUpStatus.REDEEMED
