"""SMS one-time codes: the policy, keyed digests of codes and identifiers, and the rules of a challenge.

A code is never stored: a challenge keeps ``HMAC-SHA256(key, challenge id + code)``, compared in constant time.
A challenge is passed once (a replayed code is refused), locks after ``max_attempts`` wrong codes (brute force
stops there, even for the right code) and expires after ``ttl``. Resends to one phone are throttled (ADR 0030).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from riskloop.domain import _checks as check

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class OtpPolicy:
    """Limits of SMS codes (the defaults are common practice of Chinese banks' apps)."""

    digits: int = 6
    ttl: dt.timedelta = dt.timedelta(minutes=5)
    max_attempts: int = 5
    resend_interval: dt.timedelta = dt.timedelta(seconds=60)
    max_per_hour: int = 5

    def __post_init__(self) -> None:
        check.integer("digits", self.digits, 4, 10)
        check.integer("max_attempts", self.max_attempts, 1, 20)
        check.integer("max_per_hour", self.max_per_hour, 1, 100)
        if self.ttl <= dt.timedelta(0) or self.resend_interval < dt.timedelta(0):
            raise ValueError("ttl must be positive and resend_interval not negative")


def new_code(digits: int) -> str:
    """A uniformly random code of ``digits`` decimal digits from the OS's CSPRNG."""
    return str(secrets.randbelow(10**digits)).zfill(digits)


def keyed_digest(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``kind:value`` under ``key`` (hex): code digests and identifier tokens alike."""
    return hmac.digest(key, f"{kind}:{value}".encode(), hashlib.sha256).hex()


def code_digest(key: bytes, challenge_id: str, code: str) -> str:
    """The stored digest of ``code`` for one challenge (the id salts it: one code's digests differ per challenge)."""
    return keyed_digest(key, f"otp:{challenge_id}", code)


class Verdict(StrEnum):
    """What one code given to a challenge came to."""

    PASSED = "passed"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"
    USED = "used"  # already passed: a replayed code


class ChallengeStatus(StrEnum):
    """Stored state of a challenge (expiry is read from the time, not stored)."""

    OPEN = "open"
    PASSED = "passed"
    LOCKED = "locked"


@dataclass(frozen=True)
class Challenge:
    """One code sent to one phone for one purpose (a verification session, or a step-up for an action)."""

    challenge_id: str
    purpose: str  # "session" or "step_up"
    owner_id: str  # the session or step-up it belongs to
    phone: str  # token of the phone number
    code_hash: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    max_attempts: int
    attempts: int = 0
    status: ChallengeStatus = ChallengeStatus.OPEN
    row_version: int = 0

    @property
    def attempts_left(self) -> int:
        """Wrong codes it still takes before it locks."""
        return max(0, self.max_attempts - self.attempts)


def issue(
    challenge_id: str, *, purpose: str, owner_id: str, phone: str, code_hash: str, at: dt.datetime, policy: OtpPolicy
) -> Challenge:
    """A new open challenge expiring ``policy.ttl`` after ``at``."""
    return Challenge(challenge_id, purpose, owner_id, phone, code_hash, at, at + policy.ttl, policy.max_attempts)


def attempt(challenge: Challenge, key: bytes, code: str, at: dt.datetime) -> tuple[Challenge, Verdict]:
    """The challenge after ``code`` is given at ``at``, and the verdict.

    Refusals that are not a guess (used, locked, expired) change nothing; a wrong guess counts, and the last
    allowed one locks the challenge.
    """
    if challenge.status is ChallengeStatus.PASSED:
        return challenge, Verdict.USED
    if challenge.status is ChallengeStatus.LOCKED:
        return challenge, Verdict.LOCKED
    if at >= challenge.expires_at:
        return challenge, Verdict.EXPIRED
    given = code_digest(key, challenge.challenge_id, code)
    if hmac.compare_digest(given, challenge.code_hash):  # constant time: no timing hint of a near miss
        return _next(challenge, status=ChallengeStatus.PASSED), Verdict.PASSED
    attempts = challenge.attempts + 1
    if attempts >= challenge.max_attempts:
        return _next(challenge, attempts=attempts, status=ChallengeStatus.LOCKED), Verdict.LOCKED
    return _next(challenge, attempts=attempts), Verdict.WRONG


def _next(challenge: Challenge, **changes: object) -> Challenge:
    return replace(challenge, row_version=challenge.row_version + 1, **changes)  # type: ignore[arg-type]


def resend_wait(sent: Sequence[dt.datetime], at: dt.datetime, policy: OtpPolicy) -> int:
    """Seconds to wait before another code may go to a phone that was sent codes at ``sent`` (0: send now).

    Two limits: ``resend_interval`` since the last code, and ``max_per_hour`` in any sliding hour.
    """
    recent = sorted(t for t in sent if at - t < HOUR)
    wait = dt.timedelta(0)
    if recent and at - recent[-1] < policy.resend_interval:
        wait = policy.resend_interval - (at - recent[-1])
    if len(recent) >= policy.max_per_hour:
        wait = max(wait, recent[len(recent) - policy.max_per_hour] + HOUR - at)
    return 0 if wait <= dt.timedelta(0) else max(1, int(-(-wait.total_seconds() // 1)))
