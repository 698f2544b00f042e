"""API keys: who a bearer secret authenticates, with which roles (the secret's sha256 only, never the secret).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "api_keys",
        sa.Column(
            "secret_sha256", sa.String(length=64), nullable=False, comment="sha256 of the secret (never the secret)"
        ),
        sa.Column("key_id", sa.String(length=40), nullable=False, comment="public name of the key (lists, revocation)"),
        sa.Column("principal", sa.String(length=80), nullable=False, comment="the person or system the key acts as"),
        sa.Column("roles", sa.String(length=200), nullable=False, comment="comma-separated, sorted"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True, comment="null while the key is valid"),
        sa.PrimaryKeyConstraint("secret_sha256"),
        sa.UniqueConstraint("key_id", name="uq_api_keys_key_id"),
        comment="API keys of the decision service: who a bearer secret authenticates and with which roles.",
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("api_keys")
