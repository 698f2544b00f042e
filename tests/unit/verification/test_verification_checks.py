"""Face, device and carrier checks of a session, and what a decision reads of it."""

from __future__ import annotations

import pytest
from verification_rig import OTHER, PERSON, PHONE, Rig

from riskloop.domain.device_check import DeviceReport, check_device
from riskloop.errors import ConflictError, ValidationError
from riskloop.service.verifications import IDV_EXPIRED, IDV_MISSING, IDV_SUBJECT

IDFV = "6F9619FF-8B86-D011-B42D-00CF4FC964FF"
ANDROID_ID = "9774d56d682e549c"


@pytest.mark.parametrize(
    ("report", "reasons"),
    [
        (DeviceReport(IDFV, "ios", "iPhone14,2"), ()),
        (DeviceReport(ANDROID_ID, "android", "SM-G9910"), ()),
        (DeviceReport(IDFV, "android", "iPhone14,2"), ("IDV_DEVICE_MODEL_MISMATCH",)),  # an IDFV with an Apple model
        (DeviceReport(IDFV, "ios", "SM-G9910"), ("IDV_DEVICE_MODEL_MISMATCH",)),  # an iOS device of Android's model
        (DeviceReport(ANDROID_ID, "ios", "iPhone14,2"), ("IDV_DEVICE_ID_FORMAT",)),
        (DeviceReport(IDFV.lower(), "ios", "iPad13,1"), ("IDV_DEVICE_ID_FORMAT",)),  # an IDFV is upper case
        (DeviceReport(ANDROID_ID, "android", "Pixel 8", emulator=True, hooked=True),
         ("IDV_DEVICE_EMULATOR", "IDV_DEVICE_HOOKED")),
        (DeviceReport(IDFV, "ios", "iPhone14,2", rooted=True), ("IDV_DEVICE_ROOTED",)),
    ],
)  # fmt: skip
def test_device_consistency_rules(report: DeviceReport, reasons: tuple[str, ...]) -> None:
    result = check_device(report, 1, 1, 2)
    assert result.reasons == reasons
    assert result.ok is (not reasons)


def test_an_unknown_os_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        DeviceReport(IDFV, "symbian", "N95")
    assert err.value.field == "os"


def test_one_device_many_identities_within_the_window(rig: Rig) -> None:
    people = [PERSON, OTHER, "440308199901010012"]
    results = []
    for person in people:
        session = rig.desk.open("bank-app", person, PHONE)
        results.append(rig.desk.device("bank-app", session.session_id, DeviceReport(ANDROID_ID, "android", "Mi 11")))
    assert [r.reasons for r in results] == [(), (), ("IDV_DEVICE_SHARED",)]
    assert results[-1].identities == 3
    rig.clock.advance(days=31)  # the sightings left the window
    later = rig.desk.open("bank-app", people[-1], PHONE)
    assert rig.desk.device("bank-app", later.session_id, DeviceReport(ANDROID_ID, "android", "Mi 11")).ok
    assert ANDROID_ID not in repr(rig.store.sightings)


def test_one_device_many_enterprises(rig: Rig) -> None:
    codes = ["91420100000000001Y", "91350100M000100Y43", "91110000100000000R"]
    for code in codes:
        session = rig.desk.open("bank-app", PERSON, PHONE, credit_code=code)
        last = rig.desk.device("bank-app", session.session_id, DeviceReport(ANDROID_ID, "android", "Mi 11"))
    assert (last.companies, last.identities, last.reasons) == (3, 1, ("IDV_DEVICE_SHARED",))


def test_face_answers_are_kept_and_a_vendor_fault_is_not_verified(rig: Rig) -> None:
    session = rig.desk.open("bank-app", PERSON, PHONE)
    rig.face.answer(91.0)
    assert rig.desk.face("bank-app", session.session_id, PERSON, b"jpeg").verified(0.8)
    rig.face.fault("error")
    answer = rig.desk.face("bank-app", session.session_id, PERSON, b"jpeg")
    assert not answer.verified(0.8)
    assert answer.error == "error"
    assert rig.desk.get("bank-app", session.session_id).identity()["face_match_score"] == 0.0
    with pytest.raises(ValidationError) as err:
        rig.desk.face("bank-app", session.session_id, OTHER, b"jpeg")
    assert err.value.field == "applicant_id"


def test_the_carrier_says_who_owns_the_phone_and_a_failure_is_no_match(rig: Rig) -> None:
    session = rig.desk.open("bank-app", PERSON, PHONE)
    rig.carrier.register(PHONE, PERSON, tenure_months=7)
    answer = rig.desk.phone_owner("bank-app", session.session_id, PERSON, PHONE)
    assert answer.registered_to_person is True
    assert answer.tenure_months == 7
    assert rig.desk.get("bank-app", session.session_id).phone_owner_match is True
    rig.carrier.register(PHONE, OTHER)
    assert rig.desk.phone_owner("bank-app", session.session_id, PERSON, PHONE).registered_to_person is False
    rig.carrier.fail = True
    failed = rig.desk.phone_owner("bank-app", session.session_id, PERSON, PHONE)
    assert failed.error is not None
    assert rig.desk.get("bank-app", session.session_id).phone_owner_match is False


def test_a_decision_reads_the_servers_results_or_why_it_cannot(rig: Rig) -> None:
    session = rig.desk.open("bank-app", PERSON, PHONE)
    at = rig.clock.now()
    assert rig.desk.identity_for(session.session_id, PERSON, PHONE, at) == {
        "sms_verified": False,
        "face_match_score": 0.0,
        "device_fingerprint_ok": False,
        "phone_owner_match": False,
    }  # fmt: skip  (nothing checked yet: nothing verified)
    rig.desk.send_code("bank-app", session.session_id, PHONE)
    challenge_id = next(iter(rig.store.challenges))
    rig.desk.verify_code("bank-app", session.session_id, challenge_id, rig.sms.last_code(PHONE))
    rig.face.answer(93.0)
    rig.desk.face("bank-app", session.session_id, PERSON, b"jpeg")
    rig.desk.device("bank-app", session.session_id, DeviceReport(IDFV, "ios", "iPhone14,2"))
    rig.carrier.register(PHONE, PERSON)
    rig.desk.phone_owner("bank-app", session.session_id, PERSON, PHONE)
    assert rig.desk.identity_for(session.session_id, PERSON, PHONE, at) == {
        "sms_verified": True, "face_match_score": 0.93, "device_fingerprint_ok": True, "phone_owner_match": True,
    }  # fmt: skip
    assert rig.desk.identity_for(session.session_id, OTHER, PHONE, at) == IDV_SUBJECT
    assert rig.desk.identity_for(session.session_id, PERSON, "13900139000", at) == IDV_SUBJECT
    assert rig.desk.identity_for("vrf_nope", PERSON, PHONE, at) == IDV_MISSING
    rig.clock.advance(minutes=30)
    assert rig.desk.identity_for(session.session_id, PERSON, PHONE, rig.clock.now()) == IDV_EXPIRED
    with pytest.raises(ConflictError, match="expired"):
        rig.desk.send_code("bank-app", session.session_id, PHONE)
