"""Tables of consents and pulled raw payloads (migration 0022): subjects as keyed tokens, bodies sealed."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("consent_id", sa.String(40), primary_key=True),
    sa.Column(
        "subject_token", sa.String(64), nullable=False, comment="keyed token of the subject, never the identifier"
    ),
    sa.Column("subject_kind", sa.String(12), nullable=False, comment="enterprise or person"),
    sa.Column("sources", sa.Text(), nullable=False, comment="comma-separated source names in scope"),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("evidence", sa.String(200), nullable=False, comment="reference to the signed authorisation"),
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Index("ix_consents_subject", "subject_token"),
)

raw_payloads = sa.Table(
    "raw_payloads",
    metadata,
    sa.Column("payload_id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("request_id", sa.String(80), nullable=False),
    sa.Column("consent_id", sa.String(40), nullable=False),
    sa.Column("subject_token", sa.String(64), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, comment="of the bytes the source sent"),
    sa.Column("fields", sa.Text(), nullable=False, comment="comma-separated fields kept for the purpose"),
    sa.Column("body", sa.Text(), nullable=False, comment="the kept fields as JSON, sealed (ADR 0016)"),
    sa.Index("ix_raw_payloads_request", "request_id"),
)
