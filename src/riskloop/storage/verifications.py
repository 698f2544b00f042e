"""SQLVerificationStore: the VerificationStore on SQLAlchemy (SQLite, PostgreSQL); saves are compare-and-set."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from riskloop.domain.otp import Challenge, ChallengeStatus
from riskloop.domain.verification import FaceMatch, Session, StepUp, StepUpStatus
from riskloop.errors import ConflictError
from riskloop.storage.verification_models import (
    device_sightings,
    verification_challenges,
    verification_sends,
    verification_sessions,
    verification_step_ups,
)

_ERROR_MAX = 200


class SQLVerificationStore:
    """Rows of the five verification tables (migration 0023)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # sessions
    def add_session(self, session: Session) -> None:
        """Insert a new session."""
        self._insert(verification_sessions, _session_row(session))

    def session(self, session_id: str) -> Session | None:
        """The session, or None."""
        row = self._one(verification_sessions, verification_sessions.c.session_id == session_id)
        return None if row is None else _session(row)

    def save_session(self, session: Session) -> None:
        """Compare-and-set on ``row_version``."""
        t = verification_sessions
        where = t.c.session_id == session.session_id
        self._cas(t, where, _session_row(session), session.row_version, "verification_id")

    # challenges
    def add_challenge(self, challenge: Challenge) -> None:
        """Insert a new challenge."""
        self._insert(verification_challenges, _challenge_row(challenge))

    def challenge(self, challenge_id: str) -> Challenge | None:
        """The challenge, or None."""
        row = self._one(verification_challenges, verification_challenges.c.challenge_id == challenge_id)
        return None if row is None else _challenge(row)

    def save_challenge(self, challenge: Challenge) -> None:
        """Compare-and-set on ``row_version``."""
        t = verification_challenges
        where = t.c.challenge_id == challenge.challenge_id
        self._cas(t, where, _challenge_row(challenge), challenge.row_version, "challenge_id")

    # step-ups
    def add_step_up(self, step_up: StepUp) -> None:
        """Insert a new step-up."""
        self._insert(verification_step_ups, _step_up_row(step_up))

    def step_up(self, step_up_id: str) -> StepUp | None:
        """The step-up, or None."""
        row = self._one(verification_step_ups, verification_step_ups.c.step_up_id == step_up_id)
        return None if row is None else _step_up(row)

    def step_up_by_token(self, token_hash: str) -> StepUp | None:
        """The step-up whose token hashes to ``token_hash``."""
        row = self._one(verification_step_ups, verification_step_ups.c.token_hash == token_hash)
        return None if row is None else _step_up(row)

    def save_step_up(self, step_up: StepUp) -> None:
        """Compare-and-set on ``row_version``."""
        t = verification_step_ups
        self._cas(t, t.c.step_up_id == step_up.step_up_id, _step_up_row(step_up), step_up.row_version, "step_up_id")

    # sends and sightings
    def record_send(self, phone: str, at: dt.datetime) -> None:
        """Log a send."""
        self._insert(verification_sends, {"phone": phone, "sent_at": at})

    def sends_since(self, phone: str, since: dt.datetime) -> list[dt.datetime]:
        """Sends to ``phone`` after ``since``, oldest first."""
        t = verification_sends
        stmt = sa.select(t.c.sent_at).where(t.c.phone == phone, t.c.sent_at > since).order_by(t.c.sent_at)
        with self.engine.connect() as conn:
            return [_utc(v) for v in conn.execute(stmt).scalars()]

    def add_sighting(self, device: str, subject: str, company: str | None, at: dt.datetime) -> None:
        """Log a sighting."""
        self._insert(device_sightings, {"device": device, "subject": subject, "company": company, "seen_at": at})

    def identities_on(self, device: str, since: dt.datetime) -> tuple[int, int]:
        """Distinct subjects and companies on ``device`` after ``since``."""
        t = device_sightings
        stmt = sa.select(sa.func.count(sa.distinct(t.c.subject)), sa.func.count(sa.distinct(t.c.company))).where(
            t.c.device == device, t.c.seen_at > since
        )
        with self.engine.connect() as conn:
            people, companies = conn.execute(stmt).one()
        return int(people), int(companies)

    # plumbing
    def _insert(self, table: sa.Table, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(table.insert(), row)

    def _one(self, table: sa.Table, where: sa.ColumnElement[bool]) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(table).where(where)).mappings().first()
        return None if found is None else dict(found)

    def _cas(
        self, table: sa.Table, where: sa.ColumnElement[bool], row: dict[str, Any], version: int, field: str
    ) -> None:
        stmt = table.update().where(where, table.c.row_version == version - 1).values(**row)
        with self.engine.begin() as conn:
            if conn.execute(stmt).rowcount != 1:
                raise ConflictError(field, "changed by another request; read it again")


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)


def _short(text: str | None) -> str | None:
    return None if text is None else text[:_ERROR_MAX]


def _session_row(s: Session) -> dict[str, Any]:
    face = s.face
    return {
        "session_id": s.session_id, "channel": s.channel, "subject": s.subject, "phone": s.phone,
        "credit_code": s.credit_code, "created_at": s.created_at, "expires_at": s.expires_at,
        "otp_passed": s.otp_passed, "face_score": None if face is None else face.score,
        "face_live": None if face is None else face.live, "face_error": None if face is None else _short(face.error),
        "device_ok": s.device_ok, "device_reasons": json.dumps(list(s.device_reasons)),
        "phone_owner_match": s.phone_owner_match, "phone_tenure_months": s.phone_tenure_months,
        "carrier_error": _short(s.carrier_error), "row_version": s.row_version,
    }  # fmt: skip


def _session(r: dict[str, Any]) -> Session:
    face = None if r["face_score"] is None else FaceMatch(float(r["face_score"]), bool(r["face_live"]), r["face_error"])
    return Session(
        r["session_id"], r["channel"], r["subject"], r["phone"], r["credit_code"], _utc(r["created_at"]),
        _utc(r["expires_at"]), bool(r["otp_passed"]), face, r["device_ok"], tuple(json.loads(r["device_reasons"])),
        r["phone_owner_match"], r["phone_tenure_months"], r["carrier_error"], int(r["row_version"]),
    )  # fmt: skip


def _challenge_row(c: Challenge) -> dict[str, Any]:
    return {
        "challenge_id": c.challenge_id, "purpose": c.purpose, "owner_id": c.owner_id, "phone": c.phone,
        "code_hash": c.code_hash, "issued_at": c.issued_at, "expires_at": c.expires_at,
        "max_attempts": c.max_attempts, "attempts": c.attempts, "status": c.status.value,
        "row_version": c.row_version,
    }  # fmt: skip


def _challenge(r: dict[str, Any]) -> Challenge:
    return Challenge(
        r["challenge_id"], r["purpose"], r["owner_id"], r["phone"], r["code_hash"], _utc(r["issued_at"]),
        _utc(r["expires_at"]), int(r["max_attempts"]), int(r["attempts"]), ChallengeStatus(r["status"]),
        int(r["row_version"]),
    )  # fmt: skip


def _step_up_row(s: StepUp) -> dict[str, Any]:
    return {
        "step_up_id": s.step_up_id, "channel": s.channel, "subject": s.subject, "phone": s.phone, "action": s.action,
        "challenge_id": s.challenge_id, "issued_at": s.issued_at, "expires_at": s.expires_at,
        "face_required": s.face_required, "status": s.status.value, "token_hash": s.token_hash,
        "token_expires_at": s.token_expires_at, "redeemed_at": s.redeemed_at, "row_version": s.row_version,
    }  # fmt: skip


def _step_up(r: dict[str, Any]) -> StepUp:
    return StepUp(
        r["step_up_id"], r["channel"], r["subject"], r["phone"], r["action"], r["challenge_id"], _utc(r["issued_at"]),
        _utc(r["expires_at"]), bool(r["face_required"]), StepUpStatus(r["status"]), r["token_hash"],
        _maybe_utc(r["token_expires_at"]), _maybe_utc(r["redeemed_at"]), int(r["row_version"]),
    )  # fmt: skip
