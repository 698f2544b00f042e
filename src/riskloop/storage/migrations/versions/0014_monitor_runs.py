"""Post-loan monitoring runs, one per as-of day.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``monitor_runs``."""
    op.create_table(
        "monitor_runs",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, comment="running or done"),
        sa.Column("policy", sa.String(80), nullable=False, comment="name@version of the warning policy"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("loans", sa.Integer(), nullable=False, server_default="0", comment="loans on the book"),
        sa.Column("levels", sa.Text(), nullable=False, server_default="{}", comment="JSON: loans per level"),
        sa.Column("raised", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("upgraded", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1", comment="1 + resumed attempts"),
        sa.PrimaryKeyConstraint("as_of"),
        comment="Post-loan monitoring runs, one per as-of day.",
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("monitor_runs")
