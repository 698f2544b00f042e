"""The bank's black, grey and white lists: versions and entries (issue 17, ADR 0032).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the two tables and their indexes."""
    op.create_table(
        "list_versions",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(20), nullable=False, comment="list.load, list.add, list.end or gang.confirm"),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON: file and quarantined rows, gang and evidence"),
        sa.PrimaryKeyConstraint("version"),
        comment="Every change of the lists is a version: a file load, an addition, an end-dating, a confirmed gang.",
    )
    op.create_table(
        "list_entries",
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("list_kind", sa.String(8), nullable=False, comment="black, grey or white"),
        sa.Column("identifier_kind", sa.String(20), nullable=False),
        sa.Column("token", sa.String(64), nullable=False, comment="keyed HMAC of match kind and value: the lookup key"),
        sa.Column("sealed_value", sa.Text(), nullable=False, comment="the normalised value, envelope-sealed"),
        sa.Column("label", sa.String(80), nullable=False, comment="the masked value shown to every reader"),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column(
            "provenance", sa.Text(), nullable=False, comment="JSON: file and row, or gang, reviewer and evidence"
        ),
        sa.Column("valid_from", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, comment="the version that added the entry"),
        sa.Column("ended_at", _TZ, nullable=True, comment="removal end-dates, never deletes"),
        sa.Column("ended_by", sa.String(80), nullable=True),
        sa.Column("end_reason", sa.String(200), nullable=True),
        sa.Column("ended_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
        comment="Entries of the black, grey and white lists, with their history.",
    )
    op.create_index("ix_list_entries_token", "list_entries", ["token"])
    op.create_index("ix_list_entries_kind_version", "list_entries", ["list_kind", "version"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_list_entries_kind_version", table_name="list_entries")
    op.drop_index("ix_list_entries_token", table_name="list_entries")
    op.drop_table("list_entries")
    op.drop_table("list_versions")
