"""Graph arrivals: the shared log of decided applications the graph checks of every worker tail.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "graph_arrivals",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
            comment="log position: allocated at insert, visible at commit (so not always in commit order)",
        ),
        sa.Column("application_id", sa.String(length=40), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("applicant_id", sa.Text(), nullable=True, comment="as posted (raw, like decisions.inputs)"),
        sa.Column("phone", sa.Text(), nullable=True, comment="as posted (raw, like decisions.inputs)"),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("ip", sa.Text(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False, comment="the decision time"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("application_id", name="uq_graph_arrivals_application_id"),
        sqlite_autoincrement=True,
        comment="Every decided application, logged with its decision, for the graph checks of every worker to tail.",
    )
    op.create_index(op.f("ix_graph_arrivals_applied_at"), "graph_arrivals", ["applied_at"], unique=False)


def downgrade() -> None:
    """Drop the table."""
    op.drop_index(op.f("ix_graph_arrivals_applied_at"), table_name="graph_arrivals")
    op.drop_table("graph_arrivals")
