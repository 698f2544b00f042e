"""The table of the closed loop's steps (migration 0018)."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

loop_steps = sa.Table(
    "loop_steps",
    metadata,
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("step", sa.String(20), nullable=False, comment="claim (the runner's lease) or a step of the loop"),
    sa.Column("status", sa.String(12), nullable=False, comment="running, done or failed"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("result", sa.Text(), nullable=False, server_default="{}", comment="JSON: what the step returned"),
    sa.Column("error", sa.Text(), nullable=True, comment="why the step failed"),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
    sa.PrimaryKeyConstraint("as_of", "step"),
    comment="Closed-loop runs: one row per as-of day and step.",
)
