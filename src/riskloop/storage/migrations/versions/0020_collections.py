"""The collection desk: plans (next best actions), recorded actions, call findings and QA cases (issue 16).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"
_OPEN = sa.text("status = 'open'")
_FLOAT = sa.Float(precision=53)


def upgrade() -> None:
    """Create the four tables and their indexes."""
    _plans()
    _records()
    _findings()
    _qa_cases()


def _plans() -> None:
    op.create_table(
        "collection_plans",
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(60), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False, comment="the contact round the plan is for"),
        sa.Column("arm", sa.String(40), nullable=False, comment="the next best action: action@window"),
        sa.Column("propensity", _FLOAT, nullable=False, comment="the policy's probability of arm"),
        sa.Column("pmf", sa.Text(), nullable=False, comment="JSON: the policy's probability of every arm"),
        sa.Column(
            "expected_net_cents", sa.Text(), nullable=False, comment="JSON: expected recovery net of cost per arm"
        ),
        sa.Column("reasons", sa.Text(), nullable=False, comment="JSON list of the plan's reasons"),
        sa.Column("policy_id", sa.String(80), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, comment="open, acted or superseded"),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
        sa.PrimaryKeyConstraint("plan_id"),
        comment="Next best actions of collection cases: at most one open plan per case.",
    )
    op.create_index("ix_collection_plans_case_status", "collection_plans", ["case_id", "status"])
    op.create_index("ix_collection_plans_status_case", "collection_plans", ["status", "case_id"])
    op.create_index(
        "uq_collection_plans_open_case", "collection_plans", ["case_id"], unique=True, sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )  # fmt: skip


def _records() -> None:
    op.create_table(
        "collection_records",
        sa.Column("action_id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(60), nullable=False),
        sa.Column("plan_id", sa.String(40), nullable=False),
        sa.Column("arm", sa.String(40), nullable=False, comment="the arm taken: action@window"),
        sa.Column("propensity", _FLOAT, nullable=False, comment="the plan's probability of arm"),
        sa.Column("followed_plan", sa.Boolean(), nullable=False),
        sa.Column("policy_id", sa.String(80), nullable=False),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False, comment="the principal who recorded it"),
        sa.Column("agent_id", sa.String(40), nullable=True, comment="the agent who made the contact, if any"),
        sa.Column("promise_to_pay", sa.Boolean(), nullable=False),
        sa.Column("amount_paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("cured", sa.Boolean(), nullable=False),
        sa.Column("days_to_cure", sa.Integer(), nullable=True),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["collection_plans.plan_id"]),
        sa.PrimaryKeyConstraint("action_id"),
        sa.UniqueConstraint("plan_id", name="uq_collection_records_plan_id"),
        comment="Collection actions taken on plans, with the logged propensity and the outcome.",
    )
    op.create_index("ix_collection_records_case_id", "collection_records", ["case_id"])
    op.create_index("ix_collection_records_acted_at", "collection_records", ["acted_at"])


def _findings() -> None:
    op.create_table(
        "call_findings",
        sa.Column("call_id", sa.String(60), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="position in the call's findings (turn order)"),
        sa.Column("issue_type", sa.String(40), nullable=False),
        sa.Column("source", sa.String(120), nullable=False, comment="rule:<id> or model:<name>@<version>"),
        sa.Column("turn_no", sa.Integer(), nullable=True, comment="null: a finding about the whole call"),
        sa.Column("utterance", sa.Text(), nullable=False, comment="the offending utterance, scrubbed of identifiers"),
        sa.Column("score", _FLOAT, nullable=False),
        sa.PrimaryKeyConstraint("call_id", "seq"),
        comment="Findings of each call's latest quality check.",
    )


def _qa_cases() -> None:
    op.create_table(
        "qa_cases",
        sa.Column("qa_case_id", sa.String(40), nullable=False),
        sa.Column("call_id", sa.String(60), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issue_types", sa.Text(), nullable=False, comment="JSON list of the issue types at the threshold"),
        sa.Column("max_score", _FLOAT, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, comment="open or closed"),
        sa.Column("closed_by", sa.String(80), nullable=True),
        sa.Column("resolution", sa.String(16), nullable=True, comment="confirmed or dismissed"),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("dimension_scores", sa.Text(), nullable=False, comment="JSON: the call's score per dimension"),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
        sa.PrimaryKeyConstraint("qa_case_id"),
        comment="Calls whose check found an issue at the threshold, for the collection lead: one open case per call.",
    )
    op.create_index("ix_qa_cases_status_score", "qa_cases", ["status", "max_score"])
    op.create_index("ix_qa_cases_call_id", "qa_cases", ["call_id"])
    op.create_index(
        "uq_qa_cases_open_call", "qa_cases", ["call_id"], unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN
    )


def downgrade() -> None:
    """Drop them (and their indexes with them)."""
    for name in ("qa_cases", "call_findings", "collection_records", "collection_plans"):
        op.drop_table(name)
