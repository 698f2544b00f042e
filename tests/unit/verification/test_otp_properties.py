"""Properties of a challenge under any sequence of codes and times: at most ``max_attempts`` wrong guesses are
ever judged, a code passes at most once, nothing passes after expiry or a lock."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from riskloop.domain.otp import ChallengeStatus, OtpPolicy, Verdict, attempt, code_digest, issue

KEY = b"k" * 32
T0 = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
CODE = "493021"
guesses = st.lists(
    st.tuples(st.sampled_from([CODE, "000000", "493020", "999999"]), st.integers(0, 400)), max_size=30
)  # (code, seconds after issue)


@settings(max_examples=300, deadline=None)
@given(guesses, st.integers(1, 6))
def test_a_challenge_judges_at_most_its_attempts_and_passes_at_most_once(
    seq: list[tuple[str, int]], limit: int
) -> None:
    policy = OtpPolicy(max_attempts=limit)
    digest = code_digest(KEY, "chl_1", CODE)
    challenge = issue("chl_1", purpose="session", owner_id="vrf_1", phone="p", code_hash=digest, at=T0, policy=policy)
    verdicts = []
    for code, seconds in sorted(seq, key=lambda g: g[1]):
        challenge, verdict = attempt(challenge, KEY, code, T0 + dt.timedelta(seconds=seconds))
        verdicts.append((verdict, code, seconds))
    judged_wrong = [v for v, _, _ in verdicts if v in (Verdict.WRONG, Verdict.LOCKED)]
    assert challenge.attempts <= limit
    assert sum(v is Verdict.PASSED for v, _, _ in verdicts) <= 1
    assert len([v for v in judged_wrong if v is Verdict.WRONG]) <= limit - 1
    for verdict, code, seconds in verdicts:
        if verdict is Verdict.PASSED:
            assert code == CODE
            assert seconds < 300
    if challenge.status is ChallengeStatus.LOCKED:
        assert challenge.attempts == limit
        assert not any(v is Verdict.PASSED for v, _, _ in verdicts)
