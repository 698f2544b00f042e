"""Tables of post-loan alerts: the alerts and the actions taken on their loans (migration 0013)."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.String(40), primary_key=True),
    sa.Column("credit_code", sa.String(18), nullable=False),
    sa.Column("loan_id", sa.String(40), nullable=True, comment="the loan on the book it concerns, if any"),
    sa.Column("level", sa.String(12), nullable=False, comment="warning (预警), attention (关注) or notice (提示)"),
    sa.Column("signal", sa.String(80), nullable=False),
    sa.Column(
        "period", sa.String(10), nullable=False, index=True, comment="the day (YYYY-MM-DD) or month (YYYY-MM) it is of"
    ),
    sa.Column("origin", sa.String(12), nullable=False, comment="direct or propagated"),
    sa.Column("evidence", sa.Text(), nullable=False, comment="JSON: signals, policy and version, path, source alert"),
    sa.Column("industry_section", sa.String(1), nullable=True, comment="GB/T 4754 section letter"),
    sa.Column("enterprise_kind", sa.String(20), nullable=True, comment="company or individual_business"),
    sa.Column("officer", sa.String(80), nullable=True, comment="the assigned post-loan officer"),
    sa.Column("status", sa.String(16), nullable=False, comment="open, acknowledged, actioned or closed"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("row_version", sa.Integer(), nullable=False, server_default="0", comment=_ROW_VERSION),
    sa.UniqueConstraint("credit_code", "signal", "period", name="uq_alerts_key"),
    comment="Post-loan alerts, one per enterprise, signal and period, with their evidence and lifecycle.",
)

loan_actions = sa.Table(
    "loan_actions",
    metadata,
    sa.Column("action_id", sa.String(40), primary_key=True),
    sa.Column("alert_id", sa.String(40), sa.ForeignKey("alerts.alert_id"), nullable=False, index=True),
    sa.Column("credit_code", sa.String(18), nullable=False),
    sa.Column("loan_id", sa.String(40), nullable=False, index=True),
    sa.Column(
        "action",
        sa.String(24),
        nullable=False,
        comment="freeze_undrawn_limit, reduce_limit, request_review or start_collection",
    ),
    sa.Column("reasons", sa.Text(), nullable=False, comment="JSON list of the officer's reasons"),
    sa.Column("actor", sa.String(80), nullable=False, comment="the post-loan officer who decided it"),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    comment="Actions on loans decided on alerts: each a decision record with its reasons.",
)
