"""Consent to pull data about a subject: who, which sources, for what purpose, until when; the one rule ``permits``.

A consent is the enterprise's or person's recorded authorisation (PIPL: lawful basis, purpose limitation). Its
subject is held as a keyed token, never as the written identifier, so the consent store can be searched by subject
without holding the identifier. A pull is permitted only at an instant inside [granted_at, expires_at), before any
revocation, for a source in the scope and for the purpose granted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from riskloop.domain import _checks as check
from riskloop.errors import ConflictError, ForbiddenError, ValidationError

PURPOSES = ("credit_assessment", "post_loan_monitoring", "marketing")
SUBJECT_KINDS = ("enterprise", "person")
TOKEN_KIND = "consent_subject"  # noqa: S105 - the tokenizer's kind of a consent's subject (never a public kind)
_SOURCE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TERM = dt.timedelta(days=3 * 366)  # a consent longer than three years is a typing mistake, not a grant


class ConsentError(ForbiddenError):
    """A pull without a valid consent: ``reason`` says which check failed (missing, expired, revoked, scope...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"consent: {reason}", field="consent_id")
        self.reason = reason


@dataclass(frozen=True)
class Consent:
    """One recorded consent (the subject tokenised)."""

    consent_id: str
    subject_token: str
    subject_kind: str
    sources: tuple[str, ...]
    purpose: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    evidence: str  # reference to the signed authorisation (document id in the bank's records)
    recorded_by: str
    revoked_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        check.text("consent_id", self.consent_id, 40)
        check.text("subject_token", self.subject_token, 64)
        check.choice("subject_kind", self.subject_kind, SUBJECT_KINDS)
        object.__setattr__(self, "sources", check_sources(self.sources))
        check.choice("purpose", self.purpose, PURPOSES)
        object.__setattr__(self, "granted_at", check.utc_timestamp("granted_at", self.granted_at))
        object.__setattr__(self, "expires_at", check.utc_timestamp("expires_at", self.expires_at))
        if not self.granted_at < self.expires_at <= self.granted_at + MAX_TERM:
            raise ValidationError("expires_at", f"must be after granted_at and within {MAX_TERM.days} days of it")
        check.text("evidence", self.evidence, 200)
        check.text("recorded_by", self.recorded_by, 80)
        if self.revoked_at is not None:
            object.__setattr__(self, "revoked_at", check.utc_timestamp("revoked_at", self.revoked_at))

    def refusal(self, subject_token: str, source: str, purpose: str, at: dt.datetime) -> str | None:
        """Why this consent does not cover ``source`` about the subject for ``purpose`` at ``at``; None if it does."""
        checks = (
            (subject_token != self.subject_token, "is another subject's"),
            (source not in self.sources, f"does not cover source {source} (covers {', '.join(self.sources)})"),
            (purpose != self.purpose, f"is for {self.purpose}, not {purpose}"),
            (at < self.granted_at, f"is granted from {self.granted_at.isoformat()}"),
            (self.revoked_at is not None and at >= self.revoked_at, f"was revoked at {_iso(self.revoked_at)}"),
            (at >= self.expires_at, f"expired at {self.expires_at.isoformat()}"),
        )
        return next((f"{self.consent_id} {why}" for failed, why in checks if failed), None)

    def permits(self, subject_token: str, source: str, purpose: str, at: dt.datetime) -> bool:
        """Whether a pull of ``source`` about the subject for ``purpose`` at ``at`` is covered."""
        return self.refusal(subject_token, source, purpose, at) is None

    def public_dict(self, at: dt.datetime) -> dict[str, object]:
        """JSON-ready fields without the subject's token, with the status at ``at`` (API and CLI)."""
        return {
            "consent_id": self.consent_id,
            "subject_kind": self.subject_kind,
            "sources": list(self.sources),
            "purpose": self.purpose,
            "granted_at": self.granted_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": _iso(self.revoked_at) or None,
            "evidence": self.evidence,
            "recorded_by": self.recorded_by,
            "status": self.status(at),
        }

    def status(self, at: dt.datetime) -> str:
        """``active``, ``pending`` (not yet granted), ``expired`` or ``revoked`` at ``at``."""
        if self.revoked_at is not None and at >= self.revoked_at:
            return "revoked"
        if at >= self.expires_at:
            return "expired"
        return "pending" if at < self.granted_at else "active"


def revoke(consent: Consent, at: dt.datetime) -> Consent:
    """``consent`` revoked from ``at``; ConflictError when it is already revoked."""
    if consent.revoked_at is not None:
        raise ConflictError(
            "consent_id", f"{consent.consent_id} was already revoked at {consent.revoked_at.isoformat()}"
        )
    return replace(consent, revoked_at=at)


def _iso(at: dt.datetime | None) -> str:
    return "" if at is None else at.isoformat()


def subject_value(subject: str) -> str:
    """The normalised written identifier a consent's token is made from (trimmed, upper case)."""
    value = subject.strip().upper()
    if not 1 <= len(value) <= 64:
        raise ValidationError("subject", "1-64 characters: a credit code or a resident ID")
    return value


def check_sources(sources: object) -> tuple[str, ...]:
    """The distinct source names, sorted; ValidationError naming ``sources`` for none or a malformed name."""
    if isinstance(sources, str) or not isinstance(sources, tuple | list | frozenset | set):
        raise ValidationError("sources", "must be a list of source names")
    chosen = tuple(sorted({str(s) for s in sources}))
    if not chosen:
        raise ValidationError("sources", "name at least one source")
    for name in chosen:
        if not _SOURCE.match(name):
            raise ValidationError("sources", f"{name!r} is not a source name (lowercase letters, digits, _)")
    return chosen
