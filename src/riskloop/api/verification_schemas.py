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

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"applicant_id": "110105199003071239", "phone": "13800138000", "credit_code": "91420100000000001Y"}
            ]
        },
    )
    applicant_id: ResidentId
    phone: PhoneNumber
    credit_code: Annotated[str | None, Raw, AfterValidator(_optional(validate_uscc, "credit_code"))] = None


class PhoneIn(BaseModel):
    """Text a code to the session's phone (the number the session was opened with)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{"phone": "13800138000"}]})
    phone: PhoneNumber


class CodeIn(BaseModel):
    """A code the applicant typed."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"challenge_id": "chl_Xq3v8kT0bN2mR7wY1cZf4A", "code": "493021"}]},
    )
    challenge_id: Id
    code: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")]


class FaceIn(BaseModel):
    """A live capture to compare with the applicant's ID photo."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"applicant_id": "110105199003071239", "image": "/9j/4AAQSkZJRgABAQ=="}]},
    )
    applicant_id: ResidentId
    image: Image


class DeviceIn(BaseModel):
    """What the channel's SDK reported about the device."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "device_id": "6F9619FF-8B86-D011-B42D-00CF4FC964FF",
                    "os": "ios",
                    "model": "iPhone14,2",
                    "emulator": False,
                    "rooted": False,
                    "hooked": False,
                }
            ]
        },
    )
    device_id: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,64}$")]
    os: Literal["ios", "android", "harmonyos"]
    model: Annotated[str, Field(min_length=1, max_length=60)]
    emulator: bool = False
    rooted: bool = False
    hooked: bool = False


class OwnerIn(BaseModel):
    """Ask the carrier whether the phone is registered to the applicant (本机号码)."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"applicant_id": "110105199003071239", "phone": "13800138000"}]},
    )
    applicant_id: ResidentId
    phone: PhoneNumber


class StepUpIn(BaseModel):
    """Ask for a second confirmation of an applicant before ``action``."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"applicant_id": "110105199003071239", "phone": "13800138000", "action": "drawdown"}]
        },
    )
    applicant_id: ResidentId
    phone: PhoneNumber
    action: Action


class ConfirmIn(BaseModel):
    """The code texted for a step-up; a drawdown also needs the applicant's face."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"code": "493021", "applicant_id": "110105199003071239", "image": "/9j/4AAQSkZJRgABAQ=="}]
        },
    )
    code: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")]
    applicant_id: ResidentId | None = None
    image: Image | None = None


class RedeemIn(BaseModel):
    """A protected action presents its step-up token (valid once, for that action and person)."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "step_up_token": "Jm1c9kQ0yXb2vT8rW4zN6pLs3dFh7gAe5uIo1KqYtRw",
                    "action": "drawdown",
                    "applicant_id": "110105199003071239",
                }
            ]
        },
    )
    step_up_token: Annotated[str, Field(min_length=1, max_length=100)]
    action: Action
    applicant_id: ResidentId


class SessionOut(BaseModel):
    """A session: when it lapses and what the server verified in it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "verification_id": "vrf_q3Xv8kT0bN2mR7wY1cZf4A",
                    "created_at": "2026-07-01T09:00:00+00:00",
                    "expires_at": "2026-07-01T09:30:00+00:00",
                    "otp_passed": True,
                    "face": {"score": 0.93, "live": True, "verified": True, "error": None},
                    "device": {"ok": True, "reasons": []},
                    "phone_owner": {"match": True, "tenure_months": 48, "error": None},
                    "identity": {
                        "sms_verified": True,
                        "face_match_score": 0.93,
                        "device_fingerprint_ok": True,
                        "phone_owner_match": True,
                    },
                }
            ]
        }
    )

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "challenge_id": "chl_Xq3v8kT0bN2mR7wY1cZf4A",
                    "expires_at": "2026-07-01T09:05:00+00:00",
                    "attempts_left": 5,
                }
            ]
        }
    )

    challenge_id: str
    expires_at: str
    attempts_left: int


class VerdictOut(BaseModel):
    """A code that passed."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"verdict": "passed", "challenge_id": "chl_Xq3v8kT0bN2mR7wY1cZf4A"}]}
    )

    verdict: Literal["passed"]
    challenge_id: str


class FaceOut(BaseModel):
    """The vendor's answer."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"score": 0.93, "live": True, "verified": True, "error": None}]}
    )

    score: float
    live: bool
    verified: bool
    error: str | None


class DeviceOut(BaseModel):
    """The device check: ok, or the reason codes that failed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"ok": False, "reasons": ["IDV_DEVICE_MODEL_MISMATCH"], "identities": 1, "companies": 1}]
        }
    )

    ok: bool
    reasons: list[str]
    identities: int
    companies: int


class OwnerOut(BaseModel):
    """The carrier's answer (``match`` false when it could not answer; ``error`` says why)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"match": True, "tenure_months": 48, "error": None}]})

    match: bool
    tenure_months: int | None
    error: str | None


class StepUpOut(BaseModel):
    """A step-up: confirm it with the texted code (and a face for a drawdown) before ``expires_at``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "step_up_id": "stp_Lm2n8kT0bN2mR7wY1cZf4B",
                    "challenge_id": "chl_Xq3v8kT0bN2mR7wY1cZf4A",
                    "action": "drawdown",
                    "face_required": True,
                    "expires_at": "2026-07-01T09:05:00+00:00",
                }
            ]
        }
    )

    step_up_id: str
    challenge_id: str
    action: str
    face_required: bool
    expires_at: str


class TokenOut(BaseModel):
    """The step-up token, shown once: the protected action presents it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "step_up_token": "Jm1c9kQ0yXb2vT8rW4zN6pLs3dFh7gAe5uIo1KqYtRw",
                    "action": "drawdown",
                    "expires_at": "2026-07-01T09:02:00+00:00",
                }
            ]
        }
    )

    step_up_token: str
    action: str
    expires_at: str


class RedeemOut(BaseModel):
    """The token was spent for ``action``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"redeemed": True, "action": "drawdown"}]})

    redeemed: bool
    action: str
