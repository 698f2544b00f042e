"""Step-up: a token is bound to its person and action, single use and short-lived; a drawdown also needs a face."""

from __future__ import annotations

import pytest
from verification_rig import OTHER, PERSON, PHONE, Rig

from riskloop.domain.verification import StepUpStatus
from riskloop.errors import ConflictError, ForbiddenError, ValidationError


def confirmed(rig: Rig, action: str = "login") -> str:
    step_up, _ = rig.step_ups.issue("bank-app", PERSON, PHONE, action)
    extra = {"applicant_id": PERSON, "image": b"jpeg"} if action == "drawdown" else {}
    _, token = rig.step_ups.confirm("bank-app", step_up.step_up_id, rig.sms.last_code(PHONE), **extra)
    return token


def test_a_token_is_spent_once(rig: Rig) -> None:
    token = confirmed(rig)
    spent = rig.step_ups.redeem("bank-app", token, "login", PERSON)
    assert spent.status is StepUpStatus.REDEEMED
    with pytest.raises(ForbiddenError, match="already used") as again:
        rig.step_ups.redeem("bank-app", token, "login", PERSON)
    assert again.value.field == "step_up_token"


def test_a_token_is_bound_to_its_action_and_person(rig: Rig) -> None:
    token = confirmed(rig, "authorisation")
    with pytest.raises(ForbiddenError, match="issued for authorisation, not drawdown"):
        rig.step_ups.redeem("bank-app", token, "drawdown", PERSON)
    with pytest.raises(ForbiddenError, match="another person"):
        rig.step_ups.redeem("bank-app", token, "authorisation", OTHER)
    with pytest.raises(ForbiddenError, match="unknown token"):
        rig.step_ups.redeem("other-channel", token, "authorisation", PERSON)
    assert rig.step_ups.redeem("bank-app", token, "authorisation", PERSON).status is StepUpStatus.REDEEMED


def test_a_token_expires(rig: Rig) -> None:
    token = confirmed(rig)
    rig.clock.advance(minutes=2)
    with pytest.raises(ForbiddenError, match="expired"):
        rig.step_ups.redeem("bank-app", token, "login", PERSON)


def test_a_forged_token_is_refused(rig: Rig) -> None:
    confirmed(rig)
    with pytest.raises(ForbiddenError, match="unknown token"):
        rig.step_ups.redeem("bank-app", "forged", "login", PERSON)


def test_a_wrong_code_gives_no_token_and_the_step_up_locks(rig: Rig) -> None:
    step_up, _ = rig.step_ups.issue("bank-app", PERSON, PHONE, "login")
    code = rig.sms.last_code(PHONE)
    bad = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(ValidationError, match="wrong code"):
            rig.step_ups.confirm("bank-app", step_up.step_up_id, bad)
    with pytest.raises(ConflictError, match="locked"):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, bad)
    with pytest.raises(ConflictError, match="locked"):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, code)
    assert rig.store.step_ups[step_up.step_up_id].token_hash is None


def test_one_step_up_gives_one_token(rig: Rig) -> None:
    step_up, _ = rig.step_ups.issue("bank-app", PERSON, PHONE, "login")
    rig.step_ups.confirm("bank-app", step_up.step_up_id, rig.sms.last_code(PHONE))
    with pytest.raises(ConflictError, match="already confirmed"):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, rig.sms.last_code(PHONE))


def test_a_drawdown_needs_a_matching_live_face(rig: Rig) -> None:
    step_up, _ = rig.step_ups.issue("bank-app", PERSON, PHONE, "drawdown")
    code = rig.sms.last_code(PHONE)
    with pytest.raises(ValidationError, match="needs applicant_id and a face image"):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, code)
    rig.face.answer(40.0)
    with pytest.raises(ForbiddenError, match="did not match"):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, code, applicant_id=PERSON, image=b"jpeg")
    rig.face.answer(95.0, live=False)  # a photo of a photo
    with pytest.raises(ForbiddenError):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, code, applicant_id=PERSON, image=b"jpeg")
    rig.face.fault("timeout")
    with pytest.raises(ForbiddenError):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, code, applicant_id=PERSON, image=b"jpeg")
    rig.face.answer(95.0)
    _, token = rig.step_ups.confirm("bank-app", step_up.step_up_id, code, applicant_id=PERSON, image=b"jpeg")
    assert rig.step_ups.redeem("bank-app", token, "drawdown", PERSON).status is StepUpStatus.REDEEMED


def test_a_step_up_expires_before_it_is_confirmed(rig: Rig) -> None:
    step_up, _ = rig.step_ups.issue("bank-app", PERSON, PHONE, "login")
    rig.clock.advance(minutes=5)
    with pytest.raises(ConflictError, match="expired"):
        rig.step_ups.confirm("bank-app", step_up.step_up_id, rig.sms.last_code(PHONE))


def test_an_unknown_action_names_the_field(rig: Rig) -> None:
    with pytest.raises(ValidationError) as err:
        rig.step_ups.issue("bank-app", PERSON, PHONE, "transfer")
    assert err.value.field == "action"
