"""Decision outcomes: each drawn loan's performance (days past due, bad at 3/6/12 months) and the update runs.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HORIZONS = (3, 6, 12)


def upgrade() -> None:
    """Create ``decision_outcomes`` and ``outcome_runs``."""
    horizons: list[sa.Column[bool]] = []
    for h in _HORIZONS:
        horizons += [
            sa.Column(f"matured_{h}m", sa.Boolean(), nullable=False, comment=f"{h} months on book have passed"),
            sa.Column(f"bad_{h}m", sa.Boolean(), nullable=True, comment=f"90+ dpd by {h} months; null: immature"),
        ]
    op.create_table(
        "decision_outcomes",
        sa.Column("loan_id", sa.String(40), nullable=False),
        sa.Column("application_id", sa.String(40), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=True, comment="null: no stored decision"),
        sa.Column("tier", sa.String(20), nullable=True),
        sa.Column("strategy", sa.String(80), nullable=True, comment="name@version that decided"),
        sa.Column("model", sa.String(80), nullable=True, comment="model version that scored"),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True, comment="the application's channel"),
        sa.Column("disbursed_date", sa.Date(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False),
        sa.Column("computed_as_of", sa.Date(), nullable=False, comment="valid from this day to next_review"),
        sa.Column("months_on_book", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, comment="current, delinquent, defaulted or repaid"),
        sa.Column("current_dpd", sa.Integer(), nullable=False),
        sa.Column("max_dpd", sa.Integer(), nullable=False),
        sa.Column("first_bad_day", sa.Date(), nullable=True, comment="first day 90+ days past due"),
        *horizons,
        sa.Column("next_review", sa.Date(), nullable=False, comment="first day it can change unaided"),
        sa.PrimaryKeyConstraint("loan_id"),
        comment="Each drawn loan's performance as of the last update, linked to the decision that granted it.",
    )
    for column in ("application_id", "decision_id", "disbursed_date", "next_review"):
        op.create_index(f"ix_decision_outcomes_{column}", "decision_outcomes", [column])
    op.create_table(
        "outcome_runs",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False, comment="JSON: part files of the book it had seen"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("recomputed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
        comment="Finished outcome updates; the latest is where the next incremental update starts.",
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("outcome_runs")
    for column in ("application_id", "decision_id", "disbursed_date", "next_review"):
        op.drop_index(f"ix_decision_outcomes_{column}", "decision_outcomes")
    op.drop_table("decision_outcomes")
