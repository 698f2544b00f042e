"""In-memory VerificationStore: sessions, challenges, step-ups, sends and device sightings in dicts and lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from riskloop.domain.otp import Challenge
from riskloop.domain.verification import Session, StepUp
from riskloop.errors import ConflictError

T = TypeVar("T", Session, Challenge, StepUp)


def _cas(rows: dict[str, T], key: str, row: T, what: str) -> None:
    """Replace ``rows[key]`` by ``row`` if it still holds the version ``row`` was made from."""
    held = rows.get(key)
    if held is None or held.row_version != row.row_version - 1:
        raise ConflictError(what, "changed by another request; read it again")
    rows[key] = row


@dataclass
class MemoryVerificationStore:
    """Everything in memory; ``sends`` and ``sightings`` are what a test reads beside the store."""

    sessions: dict[str, Session] = field(default_factory=dict)
    challenges: dict[str, Challenge] = field(default_factory=dict)
    step_ups: dict[str, StepUp] = field(default_factory=dict)
    sends: list[tuple[str, dt.datetime]] = field(default_factory=list)
    sightings: list[tuple[str, str, str | None, dt.datetime]] = field(default_factory=list)

    def add_session(self, session: Session) -> None:
        """Insert a new session."""
        self.sessions[session.session_id] = session

    def session(self, session_id: str) -> Session | None:
        """The session, or None."""
        return self.sessions.get(session_id)

    def save_session(self, session: Session) -> None:
        """Compare-and-set."""
        _cas(self.sessions, session.session_id, session, "verification_id")

    def add_challenge(self, challenge: Challenge) -> None:
        """Insert a new challenge."""
        self.challenges[challenge.challenge_id] = challenge

    def challenge(self, challenge_id: str) -> Challenge | None:
        """The challenge, or None."""
        return self.challenges.get(challenge_id)

    def save_challenge(self, challenge: Challenge) -> None:
        """Compare-and-set."""
        _cas(self.challenges, challenge.challenge_id, challenge, "challenge_id")

    def add_step_up(self, step_up: StepUp) -> None:
        """Insert a new step-up."""
        self.step_ups[step_up.step_up_id] = step_up

    def step_up(self, step_up_id: str) -> StepUp | None:
        """The step-up, or None."""
        return self.step_ups.get(step_up_id)

    def step_up_by_token(self, token_hash: str) -> StepUp | None:
        """The step-up whose token hashes to ``token_hash``."""
        return next((s for s in self.step_ups.values() if s.token_hash == token_hash), None)

    def save_step_up(self, step_up: StepUp) -> None:
        """Compare-and-set."""
        _cas(self.step_ups, step_up.step_up_id, step_up, "step_up_id")

    def record_send(self, phone: str, at: dt.datetime) -> None:
        """Log a send."""
        self.sends.append((phone, at))

    def sends_since(self, phone: str, since: dt.datetime) -> list[dt.datetime]:
        """Sends to ``phone`` after ``since``, oldest first."""
        return sorted(at for p, at in self.sends if p == phone and at > since)

    def add_sighting(self, device: str, subject: str, company: str | None, at: dt.datetime) -> None:
        """Log a sighting."""
        self.sightings.append((device, subject, company, at))

    def identities_on(self, device: str, since: dt.datetime) -> tuple[int, int]:
        """Distinct subjects and companies on ``device`` after ``since``."""
        seen = [(s, c) for d, s, c, at in self.sightings if d == device and at > since]
        return len({s for s, _ in seen}), len({c for _, c in seen if c is not None})
