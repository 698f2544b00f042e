"""Registration screening's per-key state: windowed uses under keyed tokens (issue 17, registration anti-abuse).

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``registration_velocity`` and its index of idle keys."""
    op.create_table(
        "registration_velocity",
        sa.Column("kind", sa.String(20), nullable=False, comment="phone, device_id, ip_subnet ... or platform"),
        sa.Column("key", sa.String(64), nullable=False, comment="keyed token of the value, never the value"),
        sa.Column("state", sa.Text(), nullable=False, comment="admission.state.KeyState as JSON: bounded"),
        sa.Column("last_seen", sa.BigInteger(), nullable=False, comment="epoch second of the latest use"),
        sa.PrimaryKeyConstraint("kind", "key"),
        comment="Registration screening: windowed uses per keyed identifier; idle keys are deleted after retention.",
    )
    op.create_index("ix_registration_velocity_last_seen", "registration_velocity", ["last_seen"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_registration_velocity_last_seen", table_name="registration_velocity")
    op.drop_table("registration_velocity")
