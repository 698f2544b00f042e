"""A decision naming a verification session uses the server's results; a session it cannot use refers (IDV_...)."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.decision import Tier
from riskloop.domain.device_check import DeviceReport
from riskloop.service.decide import DecisionInputs
from riskloop.service.verifications import VerificationDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import IDENTITY, NOW, make_decider, request
from riskloop.testing.memory_verifications import MemoryVerificationStore
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender

PERSON, PHONE = IDENTITY["applicant_id"], IDENTITY["phone"]


@pytest.fixture
def desk() -> VerificationDesk:
    return VerificationDesk(store=MemoryVerificationStore(), sms=MemorySmsSender(), face=MemoryFaceVendor(),
                            carrier=MemoryCarrier(), key=b"k" * 32, clock=SteppingClock(NOW))  # fmt: skip


def verified(desk: VerificationDesk, *, face: float = 96.0) -> str:
    """A session where every check passed (the face at ``face`` of 100)."""
    session = desk.open("bank-app", PERSON, PHONE)
    sid = session.session_id
    challenge = desk.send_code("bank-app", sid, PHONE)
    sms = desk.codes.sms
    assert isinstance(sms, MemorySmsSender)
    desk.verify_code("bank-app", sid, challenge.challenge_id, sms.last_code(PHONE))
    face_vendor = desk.face_matcher
    assert isinstance(face_vendor, MemoryFaceVendor)
    face_vendor.answer(face)
    desk.face("bank-app", sid, PERSON, b"jpeg")
    desk.device("bank-app", sid, DeviceReport("9774d56d682e549c", "android", "SM-G9910"))
    carrier = desk.carrier
    assert isinstance(carrier, MemoryCarrier)
    carrier.register(PHONE, PERSON)
    desk.phone_owner("bank-app", sid, PERSON, PHONE)
    return sid


def test_the_servers_results_replace_the_channels_claims(desk: VerificationDesk) -> None:
    sid = verified(desk, face=30.0)
    claims = request(verification_id=sid, face_match_score=0.99)  # the channel claims a strong face
    outcome = make_decider(verifications=desk).decide(claims)
    assert outcome.inputs.request.face_match_score == pytest.approx(0.30)
    assert outcome.context["identity"]["face_match"] == pytest.approx(0.30)
    assert outcome.decision.tier is Tier.AUTO_REJECT  # the reference strategy rejects a face mismatch
    assert "ID_FACE_MISMATCH" in [r.code for r in outcome.decision.reasons]


def test_a_fully_verified_session_decides_as_the_same_claims_would(desk: VerificationDesk) -> None:
    sid = verified(desk)
    with_session = make_decider(verifications=desk).decide(request(verification_id=sid, sms_verified=False))
    assert with_session.decision.tier is Tier.AUTO_APPROVE
    assert with_session.inputs.request.sms_verified is True


def test_unchecked_steps_count_as_failed(desk: VerificationDesk) -> None:
    sid = desk.open("bank-app", PERSON, PHONE).session_id  # nothing checked
    decision = make_decider(verifications=desk).decide(request(verification_id=sid)).decision
    assert decision.tier is Tier.AUTO_REJECT  # the server has no evidence of any check
    assert [r.code for r in decision.reasons] == ["ID_FACE_MISMATCH", "ID_SMS_FAILED", "ID_DEVICE_FINGERPRINT",
                                                  "ID_PHONE_OWNER"]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda desk: ("vrf_unknown", {}), "IDV_SESSION_MISSING"),
        (lambda desk: (verified(desk), {"applicant_id": "11010519491231002X"}), "IDV_SESSION_SUBJECT"),
        (lambda desk: (verified(desk), {"phone": "13900139000"}), "IDV_SESSION_SUBJECT"),
    ],
)
def test_a_session_that_cannot_be_used_refers_with_its_reason(desk: VerificationDesk, make, reason: str) -> None:
    sid, changes = make(desk)
    outcome = make_decider(verifications=desk).decide(request(verification_id=sid, **changes))
    assert outcome.decision.tier is Tier.MANUAL_REVIEW  # the same claims alone are auto-approved
    assert outcome.decision.reasons[0].code == reason
    notes = [s["values"] for s in outcome.decision.trace if s.get("node") == "pipeline"]
    assert notes[0]["verification_floor"] == f"auto_approve referred: {reason}"


def test_an_expired_session_refers(desk: VerificationDesk) -> None:
    sid = verified(desk)
    later = SteppingClock(NOW + dt.timedelta(minutes=31))
    decision = make_decider(verifications=desk, clock=later).decide(request(verification_id=sid)).decision
    assert (decision.tier, decision.reasons[0].code) == (Tier.MANUAL_REVIEW, "IDV_SESSION_EXPIRED")


def test_no_verification_service_refers() -> None:
    decision = make_decider().decide(request(verification_id="vrf_x")).decision
    assert (decision.tier, decision.reasons[0].code) == (Tier.MANUAL_REVIEW, "IDV_UNAVAILABLE")


def test_a_decline_stays_a_decline(desk: VerificationDesk) -> None:
    decision = make_decider(verifications=desk).decide(request(verification_id="vrf_x", face_match_score=0.3))
    assert decision.decision.tier is Tier.AUTO_REJECT
    assert "IDV_SESSION_MISSING" not in [r.code for r in decision.decision.reasons]


def test_stored_inputs_replay_to_the_same_decision(desk: VerificationDesk) -> None:
    sid = verified(desk, face=30.0)
    decider = make_decider(verifications=desk)
    first = decider.decide(request(verification_id=sid))
    stored = DecisionInputs.from_dict(first.inputs.to_dict())
    again = make_decider().decide_inputs(stored, first.decision.decided_at)  # no verification service needed
    assert again.decision == first.decision


def test_a_request_without_a_session_stores_the_same_inputs_as_before() -> None:
    assert "verification_id" not in request().to_dict()
    assert request(verification_id="vrf_1").to_dict()["verification_id"] == "vrf_1"
