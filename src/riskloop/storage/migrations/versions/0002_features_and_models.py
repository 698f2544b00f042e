"""Published features for online lookup, and the model registry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "published_features",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column(
            "feature_set", sa.String(length=64), nullable=False, comment="feature-set version the values belong to"
        ),
        sa.Column("as_of", sa.Date(), nullable=False, comment="date the values were computed as of"),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feature_values", sa.Text(), nullable=False, comment="JSON object: feature name -> value or null"),
        sa.PrimaryKeyConstraint("credit_code", "feature_set"),
        comment="Latest published features per enterprise, for online lookup on the decision path.",
    )
    op.create_table(
        "model_registry",
        sa.Column("model_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False, comment="e.g. fused-ensemble, baseline-lightgbm"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.Text(), nullable=False, comment="bundle directory"),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("training_window", sa.Text(), nullable=False, server_default="{}", comment="JSON: start, end, rows"),
        sa.Column("features", sa.Text(), nullable=False, server_default="[]", comment="JSON list of feature names"),
        sa.Column("metrics", sa.Text(), nullable=False, server_default="{}", comment="JSON: validation figures"),
        sa.Column(
            "status",
            sa.String(length=20),
            nullable=False,
            server_default="registered",
            comment="registered, active or retired",
        ),
        sa.PrimaryKeyConstraint("model_id"),
        sa.UniqueConstraint("name", "version", name="uq_model_registry_name_version"),
        comment="Versioned model bundles: plain artifacts with sha256, never pickles.",
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("model_registry")
    op.drop_table("published_features")
