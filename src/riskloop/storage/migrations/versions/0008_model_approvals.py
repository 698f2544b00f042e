"""Model approvals: who registered and who approved each model (four eyes), and one active model per name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status = 'active'")
STATUS_BEFORE = "registered, active or retired"
STATUS_AFTER = "registered, approved, active or retired"


def upgrade() -> None:
    """Add the columns (models registered earlier have an unknown author) and the partial unique index."""
    op.add_column(
        "model_registry",
        sa.Column(
            "registered_by",
            sa.String(length=80),
            nullable=False,
            server_default="unknown",
            comment="who trained and registered it (never its approver)",
        ),
    )
    op.add_column(
        "model_registry",
        sa.Column("approved_by", sa.String(length=80), nullable=True, comment="who approved it for activation"),
    )
    _status_comment(STATUS_AFTER, STATUS_BEFORE)
    op.create_index(
        "uq_model_registry_one_active",
        "model_registry",
        ["name"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )


def downgrade() -> None:
    """Drop the columns and the index."""
    op.drop_index("uq_model_registry_one_active", table_name="model_registry")
    _status_comment(STATUS_BEFORE, STATUS_AFTER)
    with op.batch_alter_table("model_registry") as batch:
        batch.drop_column("approved_by")
        batch.drop_column("registered_by")


def _status_comment(comment: str, existing: str) -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite keeps no column comments
        return
    op.alter_column(
        "model_registry",
        "status",
        existing_type=sa.String(length=20),
        existing_nullable=False,
        existing_server_default="registered",
        comment=comment,
        existing_comment=existing,
    )
