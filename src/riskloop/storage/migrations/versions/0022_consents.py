"""Consents and pulled raw payloads of the data-source connectors (issue 17).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create both tables and their indexes."""
    op.create_table(
        "consents",
        sa.Column("consent_id", sa.String(40), nullable=False),
        sa.Column(
            "subject_token", sa.String(64), nullable=False, comment="keyed token of the subject, never the identifier"
        ),
        sa.Column("subject_kind", sa.String(12), nullable=False, comment="enterprise or person"),
        sa.Column("sources", sa.Text(), nullable=False, comment="comma-separated source names in scope"),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("granted_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("evidence", sa.String(200), nullable=False, comment="reference to the signed authorisation"),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("consent_id"),
    )
    op.create_index("ix_consents_subject", "consents", ["subject_token"])
    op.create_table(
        "raw_payloads",
        sa.Column("payload_id", sa.String(40), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(80), nullable=False),
        sa.Column("consent_id", sa.String(40), nullable=False),
        sa.Column("subject_token", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("fetched_at", _TS, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, comment="of the bytes the source sent"),
        sa.Column("fields", sa.Text(), nullable=False, comment="comma-separated fields kept for the purpose"),
        sa.Column("body", sa.Text(), nullable=False, comment="the kept fields as JSON, sealed (ADR 0016)"),
        sa.PrimaryKeyConstraint("payload_id"),
    )
    op.create_index("ix_raw_payloads_request", "raw_payloads", ["request_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_raw_payloads_request", table_name="raw_payloads")
    op.drop_table("raw_payloads")
    op.drop_index("ix_consents_subject", table_name="consents")
    op.drop_table("consents")
