"""Row versions of reviews and strategies (compare-and-set saves) and at most one active version per strategy.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMMENT = "compare-and-set: each update checks the value it read and adds one"
_ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    """Add the columns and the partial unique index."""
    for table in ("reviews", "strategies"):
        column = sa.Column("row_version", sa.Integer(), nullable=False, server_default="0", comment=_COMMENT)
        op.add_column(table, column)
    op.create_index(
        "uq_strategies_one_active", "strategies", ["name"], unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("uq_strategies_one_active", table_name="strategies")
    for table in ("reviews", "strategies"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_version")
