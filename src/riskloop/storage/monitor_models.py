"""The table of monitoring runs (migration 0014)."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

monitor_runs = sa.Table(
    "monitor_runs",
    metadata,
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="running or done"),
    sa.Column("policy", sa.String(80), nullable=False, comment="name@version of the warning policy"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("loans", sa.Integer(), nullable=False, server_default="0", comment="loans on the book"),
    sa.Column("levels", sa.Text(), nullable=False, server_default="{}", comment="JSON: loans per level"),
    sa.Column("raised", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("upgraded", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("unchanged", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="1", comment="1 + resumed attempts"),
    sa.PrimaryKeyConstraint("as_of"),
    comment="Post-loan monitoring runs, one per as-of day.",
)
