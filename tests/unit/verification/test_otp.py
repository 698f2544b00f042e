"""SMS codes: brute force stops at the attempt limit, a replayed code is refused, codes expire, resends are
throttled, and only a keyed digest of a code is stored."""

from __future__ import annotations

import pytest
from verification_rig import PERSON, PHONE, Rig

from riskloop.domain.otp import OtpPolicy, Verdict, resend_wait
from riskloop.errors import ConflictError, ThrottledError, ValidationError
from riskloop.service.verifications import otp_refusal


def opened(rig: Rig) -> tuple[str, str, str]:
    session = rig.desk.open("bank-app", PERSON, PHONE)
    challenge = rig.desk.send_code("bank-app", session.session_id, PHONE)
    return session.session_id, challenge.challenge_id, rig.sms.last_code(PHONE)


def wrong(code: str) -> str:
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


def test_brute_force_is_stopped_after_the_attempt_limit_even_for_the_right_code(rig: Rig) -> None:
    session_id, challenge_id, code = opened(rig)
    verdicts = [rig.desk.verify_code("bank-app", session_id, challenge_id, wrong(code)).verdict for _ in range(5)]
    assert verdicts == [Verdict.WRONG] * 4 + [Verdict.LOCKED]
    after = rig.desk.verify_code("bank-app", session_id, challenge_id, code)
    assert after.verdict is Verdict.LOCKED
    assert rig.desk.get("bank-app", session_id).otp_passed is False
    assert rig.store.challenges[challenge_id].attempts == 5  # refusals after the lock count nothing more


def test_the_attempts_left_are_told_and_a_wrong_code_names_the_field(rig: Rig) -> None:
    session_id, challenge_id, code = opened(rig)
    result = rig.desk.verify_code("bank-app", session_id, challenge_id, wrong(code))
    refusal = otp_refusal(result)
    assert isinstance(refusal, ValidationError)
    assert refusal.field == "code"
    assert result.attempts_left == 4


def test_a_replayed_code_is_refused(rig: Rig) -> None:
    session_id, challenge_id, code = opened(rig)
    assert rig.desk.verify_code("bank-app", session_id, challenge_id, code).verdict is Verdict.PASSED
    replay = rig.desk.verify_code("bank-app", session_id, challenge_id, code)
    assert replay.verdict is Verdict.USED
    assert isinstance(otp_refusal(replay), ConflictError)
    assert rig.desk.get("bank-app", session_id).otp_passed is True


def test_a_code_expires_after_its_ttl(rig: Rig) -> None:
    session_id, challenge_id, code = opened(rig)
    rig.clock.advance(minutes=5)
    assert rig.desk.verify_code("bank-app", session_id, challenge_id, code).verdict is Verdict.EXPIRED
    assert rig.desk.get("bank-app", session_id).otp_passed is False


def test_a_code_just_before_expiry_passes(rig: Rig) -> None:
    session_id, challenge_id, code = opened(rig)
    rig.clock.advance(minutes=4, seconds=59)
    assert rig.desk.verify_code("bank-app", session_id, challenge_id, code).verdict is Verdict.PASSED


def test_only_a_keyed_digest_of_the_code_is_stored(rig: Rig) -> None:
    _session_id, challenge_id, code = opened(rig)
    stored = rig.store.challenges[challenge_id]
    assert code not in repr(stored)
    assert PHONE not in repr(stored)
    assert PHONE not in repr(rig.store.sessions)
    assert len(stored.code_hash) == 64


def test_resends_wait_the_interval_then_stop_at_the_hourly_cap(rig: Rig) -> None:
    session_id, _, _ = opened(rig)
    with pytest.raises(ThrottledError) as too_soon:
        rig.desk.send_code("bank-app", session_id, PHONE)
    assert too_soon.value.retry_after == 60
    assert too_soon.value.field == "phone"
    for _ in range(4):
        rig.clock.advance(seconds=60)
        rig.desk.send_code("bank-app", session_id, PHONE)
    rig.clock.advance(seconds=60)  # 5 codes in the last 4 minutes: the hour's share is spent
    with pytest.raises(ThrottledError) as capped:
        rig.desk.send_code("bank-app", session_id, PHONE)
    assert capped.value.retry_after == 55 * 60
    assert len(rig.sms.messages) == 5


def test_the_throttle_is_per_phone(rig: Rig) -> None:
    opened(rig)
    other = rig.desk.open("bank-app", PERSON, "13900139000")
    rig.desk.send_code("bank-app", other.session_id, "13900139000")
    assert [p for p, _ in rig.sms.messages] == [PHONE, "13900139000"]


def test_resend_wait_over_a_sliding_hour() -> None:
    import datetime as dt

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    policy = OtpPolicy(max_per_hour=2, resend_interval=dt.timedelta(0))
    sent = [t0, t0 + dt.timedelta(minutes=10)]
    assert resend_wait(sent, t0 + dt.timedelta(minutes=20), policy) == 40 * 60
    assert resend_wait(sent, t0 + dt.timedelta(minutes=60), policy) == 0
    assert resend_wait([], t0, policy) == 0


def test_a_code_is_checked_only_against_its_own_session(rig: Rig) -> None:
    _, challenge_id, code = opened(rig)
    other = rig.desk.open("bank-app", PERSON, PHONE)
    from riskloop.errors import NotFoundError

    with pytest.raises(NotFoundError):
        rig.desk.verify_code("bank-app", other.session_id, challenge_id, code)
    with pytest.raises(NotFoundError):
        rig.desk.get("other-channel", other.session_id)


def test_codes_are_six_uniform_digits(rig: Rig) -> None:
    from riskloop.domain.otp import new_code

    codes = [new_code(6) for _ in range(2000)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 1990  # a CSPRNG over a million values: collisions are rare
