"""The fingerprint of the graph key each build's tokens were made with (a different key is refused at load).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMMENT = "HMAC-SHA256 of a fixed label under the key"


def upgrade() -> None:
    """Add the column (builds made before it have none: their key cannot be checked)."""
    op.add_column("graph_builds", sa.Column("key_fingerprint", sa.String(64), nullable=True, comment=_COMMENT))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("graph_builds") as batch:
        batch.drop_column("key_fingerprint")
