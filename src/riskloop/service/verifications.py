"""Identity verification sessions: SMS code, face match, device check and carrier check, each run by the server.

Identifiers are never kept: the session holds keyed tokens of the resident ID, phone, credit code and device id,
and each step re-presents the identifier it needs (the phone to text a code, the ID for the face vendor), which
must be the session's. A session belongs to the channel that opened it: another channel's is a 404.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from riskloop.domain import otp
from riskloop.domain.clock import Clock
from riskloop.domain.device_check import DeviceCheck, DeviceReport, check_device
from riskloop.domain.identifiers import normalize_phone, validate_resident_id, validate_uscc
from riskloop.domain.otp import Challenge, OtpPolicy, Verdict
from riskloop.domain.verification import CarrierAnswer, FaceMatch, Session, VerificationPolicy
from riskloop.errors import ConflictError, NotFoundError, RiskloopError, ThrottledError, ValidationError
from riskloop.service.verification_ports import CarrierLookup, FaceMatcher, SmsSender, VerificationStore

IDV_MISSING, IDV_EXPIRED, IDV_SUBJECT, IDV_UNAVAILABLE = (
    "IDV_SESSION_MISSING", "IDV_SESSION_EXPIRED", "IDV_SESSION_SUBJECT", "IDV_UNAVAILABLE",
)  # fmt: skip
MAX_IMAGE_BYTES = 2_000_000
SMS_TEXT = "【riskloop】您的验证码是{code}，{minutes}分钟内有效，请勿告诉他人。"


def new_id(prefix: str) -> str:
    """A random, unguessable id."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


@dataclass(frozen=True)
class OtpResult:
    """What one code came to, and the guesses the challenge still takes."""

    verdict: Verdict
    attempts_left: int
    challenge_id: str


def otp_refusal(result: OtpResult) -> RiskloopError | None:
    """The error a refused code answers with (None: passed): the wrong code names ``code``, the others the challenge."""
    match result.verdict:
        case Verdict.PASSED:
            return None
        case Verdict.WRONG:
            return ValidationError("code", f"wrong code; {result.attempts_left} attempts left")
        case Verdict.LOCKED:
            return ConflictError("challenge_id", "locked after too many wrong codes; request a new code")
        case Verdict.EXPIRED:
            return ConflictError("challenge_id", "the code expired; request a new code")
    return ConflictError("challenge_id", "the code was already used (a code is single use)")


class Codes:
    """Sends and checks SMS codes (shared by sessions and step-ups): throttled per phone, hashed with ``key``."""

    def __init__(self, store: VerificationStore, sms: SmsSender, key: bytes, clock: Clock, policy: OtpPolicy) -> None:
        self.store, self.sms, self.key, self.clock, self.policy = store, sms, key, clock, policy

    def token(self, kind: str, value: str) -> str:
        """Keyed token of an identifier (the store's only form of it)."""
        return otp.keyed_digest(self.key, f"id:{kind}", value)[:32]

    def send(self, purpose: str, owner_id: str, phone: str) -> Challenge:
        """Text a new code to ``phone`` for ``owner_id``; ThrottledError when the phone had its share."""
        at, phone_token = self.clock.now(), self.token("phone", phone)
        wait = otp.resend_wait(self.store.sends_since(phone_token, at - otp.HOUR), at, self.policy)
        if wait:
            raise ThrottledError("phone", "too many codes sent to this number", wait)
        code, challenge_id = otp.new_code(self.policy.digits), new_id("chl")
        digest = otp.code_digest(self.key, challenge_id, code)
        challenge = otp.issue(challenge_id, purpose=purpose, owner_id=owner_id, phone=phone_token, code_hash=digest,
                              at=at, policy=self.policy)  # fmt: skip
        self.store.record_send(phone_token, at)  # counted even if the gateway fails: no retry storm
        self.sms.send(phone, SMS_TEXT.format(code=code, minutes=int(self.policy.ttl.total_seconds() // 60)))
        self.store.add_challenge(challenge)
        return challenge

    def check(self, owner_id: str, challenge_id: str, code: str) -> OtpResult:
        """Give ``code`` to the challenge of ``owner_id``; the attempt is stored before the answer is known."""
        challenge = self.store.challenge(challenge_id)
        if challenge is None or challenge.owner_id != owner_id:
            raise NotFoundError(f"challenge_id: no challenge {challenge_id!r} here")
        if not isinstance(code, str) or not code.isascii() or not code.isdigit() or len(code) > 10:
            raise ValidationError("code", "must be the digits of the code sent")
        after, verdict = otp.attempt(challenge, self.key, code, self.clock.now())
        if after is not challenge:
            self.store.save_challenge(after)  # compare-and-set: a code is spent once, a guess counted once
        return OtpResult(verdict, after.attempts_left, challenge_id)


class VerificationDesk:
    """The verification use cases, for the channels."""

    def __init__(
        self,
        *,
        store: VerificationStore,
        sms: SmsSender,
        face: FaceMatcher,
        carrier: CarrierLookup,
        key: bytes,
        clock: Clock,
        otp_policy: OtpPolicy | None = None,
        policy: VerificationPolicy | None = None,
    ) -> None:
        self.store, self.face_matcher, self.carrier, self.clock = store, face, carrier, clock
        self.policy = policy or VerificationPolicy()
        self.codes = Codes(store, sms, key, clock, otp_policy or OtpPolicy())

    def open(self, channel: str, applicant_id: str, phone: str, credit_code: str | None = None) -> Session:
        """A new session of the applicant, for ``channel``."""
        at = self.clock.now()
        company = None if credit_code is None else self.codes.token("credit_code", validate_uscc(credit_code))
        session = Session(
            new_id("vrf"), channel, self._subject(applicant_id), self._phone(phone), company, at,
            at + self.policy.session_ttl,
        )  # fmt: skip
        self.store.add_session(session)
        return session

    def get(self, channel: str, session_id: str) -> Session:
        """The session of ``channel``; NotFoundError for an unknown one or another channel's."""
        session = self.store.session(session_id)
        if session is None or session.channel != channel:
            raise NotFoundError(f"verification_id: no verification {session_id!r}")
        return session

    def send_code(self, channel: str, session_id: str, phone: str) -> Challenge:
        """Text a code to the session's phone."""
        session = self._live(channel, session_id)
        self._same(session.phone, self._phone(phone), "phone")
        return self.codes.send("session", session.session_id, normalize_phone(phone))

    def verify_code(self, channel: str, session_id: str, challenge_id: str, code: str) -> OtpResult:
        """Check a code of the session; a pass marks the session's SMS check passed."""
        session = self._live(channel, session_id)
        result = self.codes.check(session.session_id, challenge_id, code)
        if result.verdict is Verdict.PASSED:
            self._update(session, otp_passed=True)
        return result

    def face(self, channel: str, session_id: str, applicant_id: str, image: bytes) -> FaceMatch:
        """Ask the face vendor about ``image`` against the applicant's ID photo; the answer is kept."""
        session = self._live(channel, session_id)
        resident = validate_resident_id(applicant_id, "applicant_id")
        self._same(session.subject, self._subject(resident), "applicant_id")
        answer = face_answer(self.face_matcher, resident, image)
        self._update(session, face=answer)
        return answer

    def device(self, channel: str, session_id: str, report: DeviceReport) -> DeviceCheck:
        """Check the device's consistency and how many identities used it lately; the result is kept."""
        session = self._live(channel, session_id)
        at, device = self.clock.now(), self.codes.token("device", report.device_id)
        self.store.add_sighting(device, session.subject, session.credit_code, at)
        people, companies = self.store.identities_on(device, at - self.policy.device_window)
        result = check_device(report, people, companies, self.policy.device_max_identities)
        self._update(session, device_ok=result.ok, device_reasons=result.reasons)
        return result

    def phone_owner(self, channel: str, session_id: str, applicant_id: str, phone: str) -> CarrierAnswer:
        """Ask the carrier whether the phone is registered to the applicant (a failure: not matched, with why)."""
        session = self._live(channel, session_id)
        resident, number = validate_resident_id(applicant_id, "applicant_id"), normalize_phone(phone)
        self._same(session.subject, self._subject(resident), "applicant_id")
        self._same(session.phone, self._phone(number), "phone")
        try:
            answer = self.carrier.owner(number, resident)
        except Exception as exc:  # an unavailable carrier is an unverified phone, never a failed request
            answer = CarrierAnswer(None, None, f"{type(exc).__name__}: {exc}")
        self._update(session, phone_owner_match=answer.registered_to_person is True,
                     phone_tenure_months=answer.tenure_months, carrier_error=answer.error)  # fmt: skip
        return answer

    def identity_for(
        self, verification_id: str, applicant_id: str | None, phone: str | None, at: dt.datetime
    ) -> Mapping[str, Any] | str:
        """The session's results for a decision of ``applicant_id``/``phone`` at ``at``, or the IDV_ reason."""
        session = self.store.session(verification_id)
        if session is None:
            return IDV_MISSING
        if session.expired(at):
            return IDV_EXPIRED
        if applicant_id is None or phone is None:
            return IDV_SUBJECT
        if session.subject != self._subject(applicant_id) or session.phone != self._phone(phone):
            return IDV_SUBJECT
        return session.identity()

    def _subject(self, applicant_id: str) -> str:
        return self.codes.token("resident_id", validate_resident_id(applicant_id, "applicant_id"))

    def _phone(self, phone: str) -> str:
        return self.codes.token("phone", normalize_phone(phone))

    def _live(self, channel: str, session_id: str) -> Session:
        session = self.get(channel, session_id)
        if session.expired(self.clock.now()):
            raise ConflictError("verification_id", "the verification expired; open a new one")
        return session

    @staticmethod
    def _same(held: str, given: str, field: str) -> None:
        if held != given:
            raise ValidationError(field, "is not the one this verification was opened for")

    def _update(self, session: Session, **changes: Any) -> None:
        self.store.save_session(replace(session, row_version=session.row_version + 1, **changes))


def face_answer(matcher: FaceMatcher, resident_id: str, image: bytes) -> FaceMatch:
    """The vendor's answer; an image out of bounds is a ValidationError, a vendor that raises an unverified face."""
    if not image or len(image) > MAX_IMAGE_BYTES:
        raise ValidationError("image", f"must be 1 to {MAX_IMAGE_BYTES} bytes")
    try:
        return matcher.match(resident_id, image)
    except Exception as exc:  # the contract says never raise; an adapter that does still verifies nothing
        return FaceMatch.failed(f"{type(exc).__name__}: {exc}")
