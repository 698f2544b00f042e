"""Tables of prospect screening (migration 0025): runs, their ranked prospects (names sealed), campaigns."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

_TS = sa.DateTime(timezone=True)
_NAME = "the enterprise's name, sealed (a person's name at times)"

prospect_runs = sa.Table(
    "prospect_runs",
    metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("as_of", sa.Date(), nullable=False, comment="the day screened: nothing later is seen"),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("screened", sa.Integer(), nullable=False, comment="enterprises with sales history"),
    sa.Column("ranked", sa.Integer(), nullable=False, comment="prospects kept after the exclusions"),
    sa.Column("excluded", sa.Text(), nullable=False, comment="JSON: exclusion code -> enterprises"),
    sa.Column("versions", sa.Text(), nullable=False, comment="JSON: forecast, credit model, products, graph"),
    sa.Index("ix_prospect_runs_as_of", "as_of", "created_at"),
    comment="Prospect screening runs: the day, who ran it, counts and the versions it used.",
)

prospects = sa.Table(
    "prospects",
    metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("prospect_runs.run_id"), primary_key=True),
    sa.Column("rank", sa.Integer(), primary_key=True, autoincrement=False, comment="1 is the best"),
    sa.Column("credit_code", sa.String(64), nullable=False),
    sa.Column("section", sa.String(8), nullable=False, comment="industry section letter (GB/T 4754)"),
    sa.Column("region", sa.String(80), nullable=False),
    sa.Column("score", sa.Float(precision=53), nullable=False),
    sa.Column("name", sa.Text(), nullable=False, comment=_NAME),
    sa.Column("record", sa.Text(), nullable=False, comment="JSON: the rest of the prospect (reasons, offer)"),
    sa.Index("ix_prospects_run_section_rank", "run_id", "section", "rank"),
    comment="The ranked prospects of each run; names sealed at rest (ADR 0016).",
)

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("campaign_id", sa.String(40), primary_key=True),
    sa.Column("run_id", sa.String(40), sa.ForeignKey("prospect_runs.run_id"), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("members", sa.Integer(), nullable=False),
    comment="Lists of prospects taken from a run and handed to the marketing team.",
)

campaign_members = sa.Table(
    "campaign_members",
    metadata,
    sa.Column("campaign_id", sa.String(40), sa.ForeignKey("campaigns.campaign_id"), primary_key=True),
    sa.Column("credit_code", sa.String(64), primary_key=True),
    comment="The enterprises of each campaign.",
)
