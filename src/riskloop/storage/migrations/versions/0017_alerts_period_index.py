"""An index on ``alerts.period``: each monitoring run reads the stored alerts of its period to deduplicate.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index ``alerts.period`` (a run's lookup scanned the whole table)."""
    op.create_index("ix_alerts_period", "alerts", ["period"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_alerts_period", table_name="alerts")
