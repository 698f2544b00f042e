"""Decision service: decisions, idempotency keys, audit log, review queue, outbox, strategies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "audit_log",
        sa.Column("audit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False, comment="decision, review, strategy"),
        sa.Column("entity_id", sa.String(length=120), nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False, comment="JSON"),
        sa.PrimaryKeyConstraint("audit_id"),
        comment="Every state change, written in the same transaction as the change.",
    )
    op.create_index(op.f("ix_audit_log_entity_id"), "audit_log", ["entity_id"], unique=False)
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False, comment="champion (returned) or shadow (stored only)"),
        sa.Column(
            "strategy", sa.String(length=80), nullable=False, comment="name@version of the strategy that decided"
        ),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(precision=53), nullable=True),
        sa.Column("pd", sa.Float(precision=53), nullable=True),
        sa.Column("limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False, comment="JSON: the whole decision (reasons, trace, versions)"),
        sa.Column("inputs", sa.Text(), nullable=False, comment="JSON: request, profile, features, graph signals"),
        sa.Column("status", sa.String(length=20), nullable=False, comment="decided, in_review or final"),
        sa.Column("final_outcome", sa.String(length=20), nullable=True, comment="approved or declined once final"),
        sa.PrimaryKeyConstraint("decision_id"),
        comment="Every decision with the inputs and versions needed to replay it.",
    )
    op.create_index(op.f("ix_decisions_application_id"), "decisions", ["application_id"], unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column(
            "request_sha256", sa.String(length=64), nullable=False, comment="canonical JSON of the validated body"
        ),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False, comment="the exact response body first returned"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key"),
        comment="One row per Idempotency-Key: a retry gets the stored response; the key is the unique claim.",
    )
    op.create_table(
        "outbox",
        sa.Column(
            "outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("outbox_id"),
        comment="Messages to deliver (customer notifications), written with the change that causes them.",
    )
    op.create_table(
        "reviews",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False, comment="open, claimed, awaiting_second or closed"),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_reviewer", sa.String(length=80), nullable=True),
        sa.Column("first_outcome", sa.String(length=20), nullable=True),
        sa.Column("first_comment", sa.Text(), nullable=True),
        sa.Column("final_reviewer", sa.String(length=80), nullable=True),
        sa.Column("final_outcome", sa.String(length=20), nullable=True),
        sa.Column("final_comment", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("decision_id"),
        comment="The manual-review queue: referrals and overridable automatic declines.",
    )
    op.create_index(op.f("ix_reviews_tier"), "reviews", ["tier"], unique=False)
    op.create_table(
        "strategies",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content", sa.Text(), nullable=False, comment="JDM JSON; immutable once submitted"),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "status", sa.String(length=12), nullable=False, comment="draft, submitted, approved, active or retired"
        ),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", "version"),
        comment="Strategy versions and their lifecycle (four eyes: the approver is never the author).",
    )
    op.create_table(
        "strategy_changes",
        sa.Column(
            "change_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="the version to activate"),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, comment="pending, applied or rejected"),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("change_id"),
        comment="Activations, rollbacks included: requested by one person, approved and applied by another.",
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("strategy_changes")
    op.drop_table("strategies")
    op.drop_index(op.f("ix_reviews_tier"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("outbox")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_decisions_application_id"), table_name="decisions")
    op.drop_table("decisions")
    op.drop_index(op.f("ix_audit_log_entity_id"), table_name="audit_log")
    op.drop_table("audit_log")
