"""Verification sessions and step-up confirmations: what the server itself verified about one applicant.

A session belongs to the channel that opened it and to one subject (tokens of the resident ID and phone). Its
results replace the channel's identity claims in a decision that names it (``service.verification_gate``): a
check never run counts as failed, since the server has no evidence of it. A step-up binds a subject to one
action (login, authorisation, drawdown); confirmed by a code (and a face match for a drawdown), it gives a
token the protected action presents once, before it expires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from riskloop.domain import _checks as check
from riskloop.errors import ValidationError

STEP_UP_ACTIONS = ("login", "authorisation", "drawdown")
FACE_REQUIRED = frozenset({"drawdown"})  # moving money also needs the person's face
ERROR_MAX = 200  # a vendor's failure is kept this long (its messages can be pages)


def _cut(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if value is not None and len(value) > ERROR_MAX:
        object.__setattr__(obj, name, value[:ERROR_MAX])


@dataclass(frozen=True)
class VerificationPolicy:
    """How long sessions, step-ups and their tokens live, and the many-identities limit of a device."""

    session_ttl: dt.timedelta = dt.timedelta(minutes=30)
    step_up_ttl: dt.timedelta = dt.timedelta(minutes=5)
    token_ttl: dt.timedelta = dt.timedelta(minutes=2)
    face_threshold: float = 0.8  # a live face scoring at least this is a match
    device_window: dt.timedelta = dt.timedelta(days=30)
    device_max_identities: int = 2  # more distinct applicants or enterprises on one device is a reason


@dataclass(frozen=True)
class FaceMatch:
    """A face-match vendor's answer: similarity in [0, 1], liveness, or the error that stood for one."""

    score: float
    live: bool
    error: str | None = None

    def __post_init__(self) -> None:
        check.unit_interval("score", self.score)
        _cut(self, "error")

    @classmethod
    def failed(cls, error: str) -> FaceMatch:
        """The answer of a vendor that failed (error, timeout, malformed reply): not verified."""
        return cls(0.0, False, error)

    def verified(self, threshold: float) -> bool:
        """A live face at or above ``threshold``, from a vendor that answered."""
        return self.error is None and self.live and self.score >= threshold


@dataclass(frozen=True)
class CarrierAnswer:
    """The carrier's answer: is the phone registered to the person's ID (None: unknown), and since how long."""

    registered_to_person: bool | None
    tenure_months: int | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        _cut(self, "error")


@dataclass(frozen=True)
class Session:
    """One verification session and the results checked in it (None: not checked)."""

    session_id: str
    channel: str  # principal that opened it
    subject: str  # token of the resident ID
    phone: str  # token of the phone
    credit_code: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    otp_passed: bool = False
    face: FaceMatch | None = None
    device_ok: bool | None = None
    device_reasons: tuple[str, ...] = ()
    phone_owner_match: bool | None = None
    phone_tenure_months: int | None = None
    carrier_error: str | None = None
    row_version: int = 0

    def __post_init__(self) -> None:
        _cut(self, "carrier_error")

    def expired(self, at: dt.datetime) -> bool:
        """Whether the session has lapsed at ``at``."""
        return at >= self.expires_at

    def identity(self) -> dict[str, Any]:
        """The four identity results of a decision request, as the server verified them."""
        face_score = self.face.score if self.face is not None and self.face.error is None and self.face.live else 0.0
        return {
            "sms_verified": self.otp_passed,
            "face_match_score": face_score,
            "device_fingerprint_ok": self.device_ok is True,
            "phone_owner_match": self.phone_owner_match is True,
        }

    def summary(self, threshold: float) -> dict[str, Any]:
        """JSON-ready view for the channel (no identifier, tokens included)."""
        face = self.face
        return {
            "verification_id": self.session_id,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "otp_passed": self.otp_passed,
            "face": None
            if face is None
            else {"score": face.score, "live": face.live, "verified": face.verified(threshold), "error": face.error},
            "device": None if self.device_ok is None else {"ok": self.device_ok, "reasons": list(self.device_reasons)},
            "phone_owner": None
            if self.phone_owner_match is None and self.carrier_error is None
            else {"match": self.phone_owner_match is True, "tenure_months": self.phone_tenure_months,
                  "error": self.carrier_error},
            "identity": self.identity(),
        }  # fmt: skip


class StepUpStatus(StrEnum):
    """Where a step-up is: waiting for its code, confirmed (a token issued), or its token spent."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    REDEEMED = "redeemed"


@dataclass(frozen=True)
class StepUp:
    """A second confirmation of ``subject`` for ``action``; ``token_hash`` is set once confirmed."""

    step_up_id: str
    channel: str
    subject: str
    phone: str
    action: str
    challenge_id: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    face_required: bool
    status: StepUpStatus = StepUpStatus.OPEN
    token_hash: str | None = None
    token_expires_at: dt.datetime | None = None
    redeemed_at: dt.datetime | None = None
    row_version: int = 0


def step_up_action(action: str) -> str:
    """``action`` if a step-up protects it; else a ValidationError naming ``action``."""
    if action not in STEP_UP_ACTIONS:
        raise ValidationError("action", f"{action!r} is not one of {', '.join(STEP_UP_ACTIONS)}")
    return action


def redeem_problem(step_up: StepUp, subject: str, action: str, at: dt.datetime) -> str | None:
    """Why a token of ``step_up`` cannot be spent by ``subject`` for ``action`` at ``at`` (None: it can)."""
    if step_up.status is StepUpStatus.REDEEMED:
        return "the token was already used (a step-up token is single use)"
    if step_up.status is not StepUpStatus.CONFIRMED or step_up.token_expires_at is None:
        return "the step-up is not confirmed"
    if step_up.action != action:
        return f"the token was issued for {step_up.action}, not {action}"
    if step_up.subject != subject:
        return "the token was issued for another person"
    if at >= step_up.token_expires_at:
        return "the token expired"
    return None
