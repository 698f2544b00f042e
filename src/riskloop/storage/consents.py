"""Consents in the database: the ConsentStore (it persists, it decides nothing; the rule is ``domain.consent``).

Each write is one transaction with its audit row; a revocation is a compare-and-set on ``revoked_at IS NULL``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.consent import Consent
from riskloop.errors import ConflictError
from riskloop.storage.audit import record
from riskloop.storage.consent_models import consents


class SQLConsentStore:
    """Consents on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, consent: Consent, entry: AuditEntry) -> None:
        """Store a new consent with ``entry``; ConflictError when its id exists."""
        try:
            with self.engine.begin() as conn:
                conn.execute(consents.insert(), _row(consent))
                record(conn, entry)
        except sa.exc.IntegrityError:
            raise ConflictError("consent_id", f"{consent.consent_id} exists") from None

    def get(self, consent_id: str) -> Consent | None:
        """One consent, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(consents).where(consents.c.consent_id == consent_id)).first()
        return None if row is None else _consent(row)

    def for_subject(self, subject_token: str) -> list[Consent]:
        """Every consent of a subject, oldest grant first (then by id)."""
        stmt = (
            sa.select(consents)
            .where(consents.c.subject_token == subject_token)
            .order_by(consents.c.granted_at, consents.c.consent_id)
        )
        with self.engine.connect() as conn:
            return [_consent(r) for r in conn.execute(stmt)]

    def save(self, before: Consent, after: Consent, entry: AuditEntry) -> None:
        """Record ``after``'s revocation while ``before`` is unrevoked (compare-and-set), with ``entry``."""
        with self.engine.begin() as conn:
            updated = conn.execute(
                consents.update()
                .where(consents.c.consent_id == before.consent_id, consents.c.revoked_at.is_(None))
                .values(revoked_at=after.revoked_at)
            )
            if updated.rowcount != 1:
                raise ConflictError("consent_id", f"{before.consent_id} was revoked meanwhile")
            record(conn, entry)

    def audit(self, entry: AuditEntry) -> None:
        """Append one audit row on its own."""
        with self.engine.begin() as conn:
            record(conn, entry)


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` with UTC attached when the database kept no offset (SQLite)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _row(c: Consent) -> dict[str, Any]:
    return {
        "consent_id": c.consent_id, "subject_token": c.subject_token, "subject_kind": c.subject_kind,
        "sources": ",".join(c.sources), "purpose": c.purpose, "granted_at": c.granted_at, "expires_at": c.expires_at,
        "revoked_at": c.revoked_at, "evidence": c.evidence, "recorded_by": c.recorded_by,
    }  # fmt: skip


def _consent(row: Any) -> Consent:
    return Consent(
        consent_id=row.consent_id,
        subject_token=row.subject_token,
        subject_kind=row.subject_kind,
        sources=tuple(row.sources.split(",")),
        purpose=row.purpose,
        granted_at=utc(row.granted_at),
        expires_at=utc(row.expires_at),
        evidence=row.evidence,
        recorded_by=row.recorded_by,
        revoked_at=None if row.revoked_at is None else utc(row.revoked_at),
    )
