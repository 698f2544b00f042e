"""/v1/verifications: identity checks the server runs (SMS code, face, device, carrier) and step-up tokens.

Every route is the channel's (role ``channel``); a session or step-up of another channel is a 404. Codes sent
too often to one phone are a 429 with ``Retry-After``; a wrong code a 422 naming ``code``; a locked, expired or
used code a 409 naming ``challenge_id``; a refused step-up token a 403 naming ``step_up_token``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from riskloop.api.auth import AsChannel
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import RETRY_AFTER, problem_responses, shown
from riskloop.api.verification_schemas import (
    ChallengeOut,
    CodeIn,
    ConfirmIn,
    DeviceIn,
    DeviceOut,
    FaceIn,
    FaceOut,
    OwnerIn,
    OwnerOut,
    PhoneIn,
    RedeemIn,
    RedeemOut,
    SessionIn,
    SessionOut,
    StepUpIn,
    StepUpOut,
    TokenOut,
    VerdictOut,
    image_bytes,
)
from riskloop.domain.device_check import DeviceReport
from riskloop.service.verifications import otp_refusal

router = APIRouter(prefix="/v1/verifications", tags=["verifications"])
SessionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown("vrf_q3Xv8kT0bN2mR7wY1cZf4A"))]
StepUpId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown("stp_Lm2n8kT0bN2mR7wY1cZf4B"))]


def _throttled(*codes: int) -> dict[int | str, Any]:
    responses = problem_responses(*codes, 429)
    responses[429]["headers"] = {"Retry-After": RETRY_AFTER}
    return responses


@router.post(
    "/step-ups",
    status_code=201,
    response_model=StepUpOut,
    responses=_throttled(401, 403, 422),
    summary="Ask for a second confirmation before login, authorisation or drawdown (texts a code)",
)
def issue_step_up(body: StepUpIn, services: ServicesDep, channel: AsChannel) -> StepUpOut:
    """Bound to the applicant and the action; a drawdown will also need the applicant's face."""
    step_up, challenge = services.step_ups.issue(channel.name, body.applicant_id, body.phone, body.action)
    return StepUpOut(step_up_id=step_up.step_up_id, challenge_id=challenge.challenge_id, action=step_up.action,
                     face_required=step_up.face_required, expires_at=step_up.expires_at.isoformat())  # fmt: skip


@router.post(
    "/step-ups/{step_up_id}/confirm",
    response_model=TokenOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Confirm a step-up with its code (and face): the token, shown once",
)
def confirm_step_up(step_up_id: StepUpId, body: ConfirmIn, services: ServicesDep, channel: AsChannel) -> TokenOut:
    """Valid once, for the step-up's action and applicant, for two minutes."""
    image = None if body.image is None else image_bytes(body.image)
    step_up, token = services.step_ups.confirm(channel.name, step_up_id, body.code, body.applicant_id, image)
    assert step_up.token_expires_at is not None
    return TokenOut(step_up_token=token, action=step_up.action, expires_at=step_up.token_expires_at.isoformat())


@router.post(
    "/step-ups/redeem",
    response_model=RedeemOut,
    responses=problem_responses(401, 403, 422),
    summary="Spend a step-up token for its action (the protected action calls this)",
)
def redeem_step_up(body: RedeemIn, services: ServicesDep, channel: AsChannel) -> RedeemOut:
    """403 naming ``step_up_token`` when it is unknown, used, expired, or for another action or person."""
    spent = services.step_ups.redeem(channel.name, body.step_up_token, body.action, body.applicant_id)
    return RedeemOut(redeemed=True, action=spent.action)


@router.post(
    "",
    status_code=201,
    response_model=SessionOut,
    responses=problem_responses(401, 403, 422),
    summary="Open a verification session of an applicant",
)
def open_session(body: SessionIn, services: ServicesDep, channel: AsChannel) -> SessionOut:
    """Name its ``verification_id`` on the application: the decision then uses the server's results."""
    desk = services.verifications
    session = desk.open(channel.name, body.applicant_id, body.phone, body.credit_code)
    return SessionOut(**session.summary(desk.policy.face_threshold))


@router.get(
    "/{verification_id}",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="What the server verified in a session",
)
def get_session(verification_id: SessionId, services: ServicesDep, channel: AsChannel) -> SessionOut:
    """The results and the identity a decision would use; another channel's session is a 404."""
    desk = services.verifications
    return SessionOut(**desk.get(channel.name, verification_id).summary(desk.policy.face_threshold))


@router.post(
    "/{verification_id}/otp",
    status_code=201,
    response_model=ChallengeOut,
    responses=_throttled(401, 403, 404, 409, 422),
    summary="Text a one-time code to the session's phone",
)
def send_code(verification_id: SessionId, body: PhoneIn, services: ServicesDep, channel: AsChannel) -> ChallengeOut:
    """At most one code a minute and five an hour per phone (429 with Retry-After beyond)."""
    challenge = services.verifications.send_code(channel.name, verification_id, body.phone)
    return ChallengeOut(challenge_id=challenge.challenge_id, expires_at=challenge.expires_at.isoformat(),
                        attempts_left=challenge.attempts_left)  # fmt: skip


@router.post(
    "/{verification_id}/otp/verify",
    response_model=VerdictOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Check a code",
)
def verify_code(verification_id: SessionId, body: CodeIn, services: ServicesDep, channel: AsChannel) -> VerdictOut:
    """Five wrong codes lock the challenge; a code passes once."""
    result = services.verifications.verify_code(channel.name, verification_id, body.challenge_id, body.code)
    refusal = otp_refusal(result)
    if refusal is not None:
        raise refusal
    return VerdictOut(verdict="passed", challenge_id=result.challenge_id)


@router.post(
    "/{verification_id}/face",
    response_model=FaceOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Compare a live capture with the applicant's ID photo",
)
def face(verification_id: SessionId, body: FaceIn, services: ServicesDep, channel: AsChannel) -> FaceOut:
    """A vendor that fails or times out answers verified false, with its error."""
    desk = services.verifications
    answer = desk.face(channel.name, verification_id, body.applicant_id, image_bytes(body.image))
    return FaceOut(score=answer.score, live=answer.live, verified=answer.verified(desk.policy.face_threshold),
                   error=answer.error)  # fmt: skip


@router.post(
    "/{verification_id}/device",
    response_model=DeviceOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Check the device's consistency",
)
def device(verification_id: SessionId, body: DeviceIn, services: ServicesDep, channel: AsChannel) -> DeviceOut:
    """Id vs OS and model, emulator/root/hook signals, and how many identities used the device lately."""
    report = DeviceReport(**body.model_dump())
    result = services.verifications.device(channel.name, verification_id, report)
    return DeviceOut(ok=result.ok, reasons=list(result.reasons), identities=result.identities,
                     companies=result.companies)  # fmt: skip


@router.post(
    "/{verification_id}/phone-owner",
    response_model=OwnerOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Ask the carrier who owns the phone",
)
def phone_owner(verification_id: SessionId, body: OwnerIn, services: ServicesDep, channel: AsChannel) -> OwnerOut:
    """An unavailable carrier answers match false with its error."""
    answer = services.verifications.phone_owner(channel.name, verification_id, body.applicant_id, body.phone)
    return OwnerOut(match=answer.registered_to_person is True, tenure_months=answer.tenure_months,
                    error=answer.error)  # fmt: skip
