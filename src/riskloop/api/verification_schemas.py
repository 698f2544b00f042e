"""Request and response schemas of /v1/verifications (strict: unknown fields and wrong types are 422s)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from riskloop.api.schemas import Raw, _optional
from riskloop.domain.identifiers import normalize_phone, validate_resident_id, validate_uscc

Strict = ConfigDict(extra="forbid", strict=True)
MAX_IMAGE_CHARS = 60_000  # base64 of a ~45 KB JPEG: a liveness capture, within the API's 64 KiB body limit


def _image(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be base64 (RFC 4648) of a JPEG or PNG") from None
    return value


def image_bytes(value: str) -> bytes:
    """The bytes of a validated base64 image."""
    return base64.b64decode(value, validate=True)


ResidentId = Annotated[str, Raw, AfterValidator(_optional(validate_resident_id, "applicant_id"))]
PhoneNumber = Annotated[str, Raw, AfterValidator(_optional(normalize_phone, "phone"))]
Image = Annotated[str, Field(min_length=4, max_length=MAX_IMAGE_CHARS), AfterValidator(_image)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Action = Literal["login", "authorisation", "drawdown"]


class SessionIn(BaseModel):
    """Open a verification session of an applicant."""

    model_config = Strict
    applicant_id: ResidentId
    phone: PhoneNumber
    credit_code: Annotated[str | None, Raw, AfterValidator(_optional(validate_uscc, "credit_code"))] = None


class PhoneIn(BaseModel):
    """Text a code to the session's phone (the number the session was opened with)."""

    model_config = Strict
    phone: PhoneNumber


class CodeIn(BaseModel):
    """A code the applicant typed."""

    model_config = Strict
    challenge_id: Id
    code: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")]


class FaceIn(BaseModel):
    """A live capture to compare with the applicant's ID photo."""

    model_config = Strict
    applicant_id: ResidentId
    image: Image


class DeviceIn(BaseModel):
    """What the channel's SDK reported about the device."""

    model_config = Strict
    device_id: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,64}$")]
    os: Literal["ios", "android", "harmonyos"]
    model: Annotated[str, Field(min_length=1, max_length=60)]
    emulator: bool = False
    rooted: bool = False
    hooked: bool = False


class OwnerIn(BaseModel):
    """Ask the carrier whether the phone is registered to the applicant (本机号码)."""

    model_config = Strict
    applicant_id: ResidentId
    phone: PhoneNumber


class StepUpIn(BaseModel):
    """Ask for a second confirmation of an applicant before ``action``."""

    model_config = Strict
    applicant_id: ResidentId
    phone: PhoneNumber
    action: Action


class ConfirmIn(BaseModel):
    """The code texted for a step-up; a drawdown also needs the applicant's face."""

    model_config = Strict
    code: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")]
    applicant_id: ResidentId | None = None
    image: Image | None = None


class RedeemIn(BaseModel):
    """A protected action presents its step-up token (valid once, for that action and person)."""

    model_config = Strict
    step_up_token: Annotated[str, Field(min_length=1, max_length=100)]
    action: Action
    applicant_id: ResidentId


class SessionOut(BaseModel):
    """A session: when it lapses and what the server verified in it."""

    verification_id: str
    created_at: str
    expires_at: str
    otp_passed: bool
    face: dict[str, Any] | None
    device: dict[str, Any] | None
    phone_owner: dict[str, Any] | None
    identity: dict[str, Any]


class ChallengeOut(BaseModel):
    """A code was texted: check it with ``challenge_id`` before ``expires_at``."""

    challenge_id: str
    expires_at: str
    attempts_left: int


class VerdictOut(BaseModel):
    """A code that passed."""

    verdict: Literal["passed"]
    challenge_id: str


class FaceOut(BaseModel):
    """The vendor's answer."""

    score: float
    live: bool
    verified: bool
    error: str | None


class DeviceOut(BaseModel):
    """The device check: ok, or the reason codes that failed."""

    ok: bool
    reasons: list[str]
    identities: int
    companies: int


class OwnerOut(BaseModel):
    """The carrier's answer (``match`` false when it could not answer; ``error`` says why)."""

    match: bool
    tenure_months: int | None
    error: str | None


class StepUpOut(BaseModel):
    """A step-up: confirm it with the texted code (and a face for a drawdown) before ``expires_at``."""

    step_up_id: str
    challenge_id: str
    action: str
    face_required: bool
    expires_at: str


class TokenOut(BaseModel):
    """The step-up token, shown once: the protected action presents it."""

    step_up_token: str
    action: str
    expires_at: str


class RedeemOut(BaseModel):
    """The token was spent for ``action``."""

    redeemed: bool
    action: str
