"""Second confirmation (step-up) at login, authorisation and drawdown.

``issue`` binds a subject to an action and texts a code; ``confirm`` checks the code (and, for a drawdown, a
live face matching the ID photo) and returns a token, shown once and stored hashed; the protected action
``redeem``s it: valid once, for that action and person, until it expires.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from riskloop.domain import otp
from riskloop.domain.identifiers import normalize_phone, validate_resident_id
from riskloop.domain.otp import Challenge
from riskloop.domain.verification import (
    FACE_REQUIRED,
    StepUp,
    StepUpStatus,
    VerificationPolicy,
    redeem_problem,
    step_up_action,
)
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.service.verification_ports import FaceMatcher
from riskloop.service.verifications import Codes, OtpResult, face_answer, new_id, otp_refusal


class StepUps:
    """Step-up challenges and tokens of the channels."""

    def __init__(self, codes: Codes, face: FaceMatcher, policy: VerificationPolicy | None = None) -> None:
        self.codes, self.face, self.policy = codes, face, policy or VerificationPolicy()
        self.store = codes.store

    def issue(self, channel: str, applicant_id: str, phone: str, action: str) -> tuple[StepUp, Challenge]:
        """A step-up of the applicant for ``action``, its code texted to ``phone``."""
        step_up_action(action)
        number = normalize_phone(phone)
        at, step_up_id = self.codes.clock.now(), new_id("stp")
        challenge = self.codes.send("step_up", step_up_id, number)
        step_up = StepUp(
            step_up_id, channel, self._subject(applicant_id), self.codes.token("phone", number), action,
            challenge.challenge_id, at, at + self.policy.step_up_ttl, action in FACE_REQUIRED,
        )  # fmt: skip
        self.store.add_step_up(step_up)
        return step_up, challenge

    def confirm(
        self, channel: str, step_up_id: str, code: str, applicant_id: str | None = None, image: bytes | None = None
    ) -> tuple[StepUp, str]:
        """Check the code (and the face where required); the step-up and its token (returned once)."""
        step_up = self._get(channel, step_up_id)
        if step_up.status is not StepUpStatus.OPEN:
            raise ConflictError("step_up_id", "already confirmed (a step-up gives one token)")
        if self.codes.clock.now() >= step_up.expires_at:
            raise ConflictError("step_up_id", "the step-up expired; issue a new one")
        if step_up.face_required:
            self._check_face(step_up, applicant_id, image)
        result: OtpResult = self.codes.check(step_up_id, step_up.challenge_id, code)
        refusal = otp_refusal(result)
        if refusal is not None:
            raise refusal
        token = secrets.token_urlsafe(32)
        confirmed = replace(
            step_up, status=StepUpStatus.CONFIRMED, token_hash=self._hash(token),
            token_expires_at=self.codes.clock.now() + self.policy.token_ttl, row_version=step_up.row_version + 1,
        )  # fmt: skip
        self.store.save_step_up(confirmed)
        return confirmed, token

    def redeem(self, channel: str, token: str, action: str, applicant_id: str) -> StepUp:
        """Spend ``token`` for ``action`` of the applicant; ForbiddenError naming ``step_up_token`` when refused."""
        step_up_action(action)
        step_up = self.store.step_up_by_token(self._hash(token)) if isinstance(token, str) and token else None
        if step_up is None or step_up.channel != channel:
            raise ForbiddenError("step_up_token: unknown token", field="step_up_token")
        at = self.codes.clock.now()
        problem = redeem_problem(step_up, self._subject(applicant_id), action, at)
        if problem is not None:
            raise ForbiddenError(f"step_up_token: {problem}", field="step_up_token")
        spent = replace(step_up, status=StepUpStatus.REDEEMED, redeemed_at=at, row_version=step_up.row_version + 1)
        self.store.save_step_up(spent)  # compare-and-set: two requests never both spend it
        return spent

    def _check_face(self, step_up: StepUp, applicant_id: str | None, image: bytes | None) -> None:
        if applicant_id is None or image is None:
            raise ValidationError("image", f"a {step_up.action} step-up needs applicant_id and a face image")
        resident = validate_resident_id(applicant_id, "applicant_id")
        if self._subject(resident) != step_up.subject:
            raise ValidationError("applicant_id", "is not the one this step-up was issued for")
        if not face_answer(self.face, resident, image).verified(self.policy.face_threshold):
            raise ForbiddenError("image: the face did not match the ID photo (or the vendor did not answer)",
                                 field="image")  # fmt: skip

    def _get(self, channel: str, step_up_id: str) -> StepUp:
        step_up = self.store.step_up(step_up_id)
        if step_up is None or step_up.channel != channel:
            raise NotFoundError(f"step_up_id: no step-up {step_up_id!r}")
        return step_up

    def _subject(self, applicant_id: str) -> str:
        return self.codes.token("resident_id", validate_resident_id(applicant_id, "applicant_id"))

    def _hash(self, token: str) -> str:
        return otp.keyed_digest(self.codes.key, "step_up_token", token)
