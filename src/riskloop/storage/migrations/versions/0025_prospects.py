"""Prospect runs and their ranked prospects, campaigns, and the campaign an application names (issue 18).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)
_NAME = "the enterprise's name, sealed (a person's name at times)"
_CAMPAIGN = "the marketing campaign the application names (prospects); null: none"


def upgrade() -> None:
    """Create the four tables and add ``decisions.campaign_id``."""
    op.create_table(
        "prospect_runs",
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False, comment="the day screened: nothing later is seen"),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("screened", sa.Integer(), nullable=False, comment="enterprises with sales history"),
        sa.Column("ranked", sa.Integer(), nullable=False, comment="prospects kept after the exclusions"),
        sa.Column("excluded", sa.Text(), nullable=False, comment="JSON: exclusion code -> enterprises"),
        sa.Column("versions", sa.Text(), nullable=False, comment="JSON: forecast, credit model, products, graph"),
        sa.PrimaryKeyConstraint("run_id"),
        comment="Prospect screening runs: the day, who ran it, counts and the versions it used.",
    )
    op.create_index("ix_prospect_runs_as_of", "prospect_runs", ["as_of", "created_at"])
    op.create_table(
        "prospects",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("prospect_runs.run_id"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False, comment="1 is the best"),
        sa.Column("credit_code", sa.String(64), nullable=False),
        sa.Column("section", sa.String(8), nullable=False, comment="industry section letter (GB/T 4754)"),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("score", sa.Float(precision=53), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, comment=_NAME),
        sa.Column("record", sa.Text(), nullable=False, comment="JSON: the rest of the prospect (reasons, offer)"),
        sa.PrimaryKeyConstraint("run_id", "rank"),
        comment="The ranked prospects of each run; names sealed at rest (ADR 0016).",
    )
    op.create_index("ix_prospects_run_section_rank", "prospects", ["run_id", "section", "rank"])
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("prospect_runs.run_id"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id"),
        comment="Lists of prospects taken from a run and handed to the marketing team.",
    )
    op.create_table(
        "campaign_members",
        sa.Column("campaign_id", sa.String(40), sa.ForeignKey("campaigns.campaign_id"), nullable=False),
        sa.Column("credit_code", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "credit_code"),
        comment="The enterprises of each campaign.",
    )
    op.add_column("decisions", sa.Column("campaign_id", sa.String(40), nullable=True, comment=_CAMPAIGN))
    op.create_index("ix_decisions_campaign_id", "decisions", ["campaign_id"])


def downgrade() -> None:
    """Drop the column and the tables."""
    op.drop_index("ix_decisions_campaign_id", table_name="decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("campaign_id")
    op.drop_table("campaign_members")
    op.drop_table("campaigns")
    op.drop_index("ix_prospects_run_section_rank", table_name="prospects")
    op.drop_table("prospects")
    op.drop_index("ix_prospect_runs_as_of", table_name="prospect_runs")
    op.drop_table("prospect_runs")
