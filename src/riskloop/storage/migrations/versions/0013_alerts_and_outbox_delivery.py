"""Post-loan alerts and loan actions; the outbox's delivery state (attempts, next attempt, last error, dead letter).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"


def upgrade() -> None:
    """Create the alert tables and add the delivery columns to the outbox (existing rows: no attempt yet)."""
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(40), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("loan_id", sa.String(40), nullable=True, comment="the loan on the book it concerns, if any"),
        sa.Column("level", sa.String(12), nullable=False, comment="warning (预警), attention (关注) or notice (提示)"),
        sa.Column("signal", sa.String(80), nullable=False),
        sa.Column("period", sa.String(10), nullable=False, comment="the day (YYYY-MM-DD) or month (YYYY-MM) it is of"),
        sa.Column("origin", sa.String(12), nullable=False, comment="direct or propagated"),
        sa.Column(
            "evidence", sa.Text(), nullable=False, comment="JSON: signals, policy and version, path, source alert"
        ),
        sa.Column("industry_section", sa.String(1), nullable=True, comment="GB/T 4754 section letter"),
        sa.Column("enterprise_kind", sa.String(20), nullable=True, comment="company or individual_business"),
        sa.Column("officer", sa.String(80), nullable=True, comment="the assigned post-loan officer"),
        sa.Column("status", sa.String(16), nullable=False, comment="open, acknowledged, actioned or closed"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False, server_default="0", comment=_ROW_VERSION),
        sa.PrimaryKeyConstraint("alert_id"),
        sa.UniqueConstraint("credit_code", "signal", "period", name="uq_alerts_key"),
        comment="Post-loan alerts, one per enterprise, signal and period, with their evidence and lifecycle.",
    )
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_table(
        "loan_actions",
        sa.Column("action_id", sa.String(40), nullable=False),
        sa.Column("alert_id", sa.String(40), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("loan_id", sa.String(40), nullable=False),
        sa.Column(
            "action",
            sa.String(24),
            nullable=False,
            comment="freeze_undrawn_limit, reduce_limit, request_review or start_collection",
        ),
        sa.Column("reasons", sa.Text(), nullable=False, comment="JSON list of the officer's reasons"),
        sa.Column("actor", sa.String(80), nullable=False, comment="the post-loan officer who decided it"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.alert_id"]),
        sa.PrimaryKeyConstraint("action_id"),
        comment="Actions on loans decided on alerts: each a decision record with its reasons.",
    )
    op.create_index("ix_loan_actions_alert_id", "loan_actions", ["alert_id"])
    op.create_index("ix_loan_actions_loan_id", "loan_actions", ["loan_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0", comment="failed delivery attempts")
        )
        batch.add_column(
            sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True, comment="null: due now")
        )
        batch.add_column(
            sa.Column("last_error", sa.Text(), nullable=True, comment="the last failed attempt's status or error")
        )
        batch.add_column(
            sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True, comment="dead-lettered: out of attempts")
        )
    op.create_index("ix_outbox_topic_key", "outbox", ["topic", "key"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_outbox_topic_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in ("dead_at", "last_error", "next_attempt_at", "attempts"):
            batch.drop_column(column)
    op.drop_table("loan_actions")
    op.drop_table("alerts")
