"""The ports of identity verification (``service.verifications``): SMS, face-match vendor, carrier, and the store.

In memory: ``riskloop.testing.verification_fakes`` and ``riskloop.testing.memory_verifications``; SQL:
``riskloop.storage.verifications``; the face vendor over HTTP: ``riskloop.connectors.face_http``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from riskloop.domain.otp import Challenge
from riskloop.domain.verification import CarrierAnswer, FaceMatch, Session, StepUp


class SmsSender(Protocol):
    """Sends one text message; raises when the gateway refuses it."""

    def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` (11 digits)."""
        ...


class FaceMatcher(Protocol):
    """A face-match vendor: compares a live capture with the ID photo of the person on record.

    The contract (``tests/conformance/test_face_match.py``): it never raises; the score is in [0, 1]; a vendor
    error, timeout or malformed reply is ``FaceMatch.failed(why)`` (not verified).
    """

    def match(self, resident_id: str, image: bytes) -> FaceMatch:
        """The vendor's answer for ``image`` against the photo of ``resident_id``."""
        ...


class CarrierLookup(Protocol):
    """A carrier's 本机号码 check: is ``phone`` registered to ``resident_id``, and since how long. May raise."""

    def owner(self, phone: str, resident_id: str) -> CarrierAnswer:
        """The carrier's answer."""
        ...


class VerificationStore(Protocol):
    """Sessions, challenges (hashed codes), step-ups, SMS sends and device sightings; identifiers tokenised.

    Each ``save_*`` is a compare-and-set: the row must still hold ``row_version - 1`` of the value given, else a
    ConflictError (two requests never both spend one code or one token).
    """

    def add_session(self, session: Session) -> None:
        """Insert a new session."""
        ...

    def session(self, session_id: str) -> Session | None:
        """The session, or None."""
        ...

    def save_session(self, session: Session) -> None:
        """Compare-and-set a changed session."""
        ...

    def add_challenge(self, challenge: Challenge) -> None:
        """Insert a new challenge."""
        ...

    def challenge(self, challenge_id: str) -> Challenge | None:
        """The challenge, or None."""
        ...

    def save_challenge(self, challenge: Challenge) -> None:
        """Compare-and-set a changed challenge."""
        ...

    def add_step_up(self, step_up: StepUp) -> None:
        """Insert a new step-up."""
        ...

    def step_up(self, step_up_id: str) -> StepUp | None:
        """The step-up, or None."""
        ...

    def step_up_by_token(self, token_hash: str) -> StepUp | None:
        """The step-up whose token hashes to ``token_hash``, or None."""
        ...

    def save_step_up(self, step_up: StepUp) -> None:
        """Compare-and-set a changed step-up."""
        ...

    def record_send(self, phone: str, at: dt.datetime) -> None:
        """A code was sent to the phone token ``phone`` at ``at``."""
        ...

    def sends_since(self, phone: str, since: dt.datetime) -> list[dt.datetime]:
        """When codes went to ``phone`` after ``since``."""
        ...

    def add_sighting(self, device: str, subject: str, company: str | None, at: dt.datetime) -> None:
        """The device token ``device`` was used by ``subject`` (for ``company``) at ``at``."""
        ...

    def identities_on(self, device: str, since: dt.datetime) -> tuple[int, int]:
        """Distinct subjects and distinct companies seen on ``device`` after ``since``."""
        ...


class VerificationResults(Protocol):
    """What a decision reads of a verification session (``service.verification_gate``)."""

    def identity_for(
        self, verification_id: str, applicant_id: str | None, phone: str | None, at: dt.datetime
    ) -> Mapping[str, Any] | str:
        """The four identity results the server verified, or the IDV_ reason code they cannot be used."""
        ...


@dataclass(frozen=True)
class VerificationVendors:
    """The vendors a workspace verifies through (the composition root supplies them)."""

    sms: SmsSender
    face: FaceMatcher
    carrier: CarrierLookup
