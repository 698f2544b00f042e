"""Offers, drawdowns, booked loans and their repayment schedules (issue 22).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from riskloop.storage.lending_models import (
    booked_instalment_columns,
    booked_loan_columns,
    drawdown_columns,
    offer_columns,
)

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    ("offers", offer_columns, "Offers made from approvals, and their limits"),
    ("drawdowns", drawdown_columns, "Drawdowns of accepted offers"),
    ("booked_loans", booked_loan_columns, "Loans booked on the core's word"),
    ("booked_instalments", booked_instalment_columns, "Repayment schedules of booked loans"),
)


def upgrade() -> None:
    """Create the four tables."""
    for name, columns, comment in _TABLES:
        op.create_table(name, *columns(), comment=comment)
    op.create_index("ix_booked_loans_unpublished", "booked_loans", ["published_run", "disbursed_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_booked_loans_unpublished", table_name="booked_loans")
    for name, _, _ in reversed(_TABLES):
        op.drop_table(name)
