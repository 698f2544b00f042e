"""The closed loop's steps, one row per as-of day and step (``riskloop loop``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``loop_steps``."""
    op.create_table(
        "loop_steps",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("step", sa.String(20), nullable=False, comment="claim (the runner's lease) or a step of the loop"),
        sa.Column("status", sa.String(12), nullable=False, comment="running, done or failed"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=False, server_default="{}", comment="JSON: what the step returned"),
        sa.Column("error", sa.Text(), nullable=True, comment="why the step failed"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("as_of", "step"),
        comment="Closed-loop runs: one row per as-of day and step.",
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("loop_steps")
