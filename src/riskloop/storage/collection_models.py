"""Tables of the collection desk: plans, recorded actions, call findings and QA cases (migration 0020).

Two partial unique indexes keep the port's invariants under concurrent writers: one open plan per case and one
open QA case per call. A plan is acted on once (``collection_records.plan_id`` is unique).
"""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"
OPEN_ONLY = "status = 'open'"

collection_plans = sa.Table(
    "collection_plans",
    metadata,
    sa.Column("plan_id", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.String(60), nullable=False),
    sa.Column("round_no", sa.Integer(), nullable=False, comment="the contact round the plan is for"),
    sa.Column("arm", sa.String(40), nullable=False, comment="the next best action: action@window"),
    sa.Column("propensity", sa.Float(precision=53), nullable=False, comment="the policy's probability of arm"),
    sa.Column("pmf", sa.Text(), nullable=False, comment="JSON: the policy's probability of every arm"),
    sa.Column("expected_net_cents", sa.Text(), nullable=False, comment="JSON: expected recovery net of cost per arm"),
    sa.Column("reasons", sa.Text(), nullable=False, comment="JSON list of the plan's reasons"),
    sa.Column("policy_id", sa.String(80), nullable=False),
    sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="open, acted or superseded"),
    sa.Column("row_version", sa.Integer(), nullable=False, comment=ROW_VERSION),
    sa.Index("ix_collection_plans_case_status", "case_id", "status"),
    sa.Index("ix_collection_plans_status_case", "status", "case_id"),
    sa.Index(
        "uq_collection_plans_open_case",
        "case_id",
        unique=True,
        sqlite_where=sa.text(OPEN_ONLY),
        postgresql_where=sa.text(OPEN_ONLY),
    ),
    comment="Next best actions of collection cases: at most one open plan per case.",
)

collection_records = sa.Table(
    "collection_records",
    metadata,
    sa.Column("action_id", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.String(60), nullable=False, index=True),
    sa.Column("plan_id", sa.String(40), sa.ForeignKey("collection_plans.plan_id"), nullable=False),
    sa.Column("arm", sa.String(40), nullable=False, comment="the arm taken: action@window"),
    sa.Column("propensity", sa.Float(precision=53), nullable=False, comment="the plan's probability of arm"),
    sa.Column("followed_plan", sa.Boolean(), nullable=False),
    sa.Column("policy_id", sa.String(80), nullable=False),
    sa.Column("acted_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("recorded_by", sa.String(80), nullable=False, comment="the principal who recorded it"),
    sa.Column("agent_id", sa.String(40), nullable=True, comment="the agent who made the contact, if any"),
    sa.Column("promise_to_pay", sa.Boolean(), nullable=False),
    sa.Column("amount_paid_cents", sa.BigInteger(), nullable=False),
    sa.Column("cured", sa.Boolean(), nullable=False),
    sa.Column("days_to_cure", sa.Integer(), nullable=True),
    sa.Column("complaint", sa.Boolean(), nullable=False),
    sa.UniqueConstraint("plan_id", name="uq_collection_records_plan_id"),  # a plan is acted on once
    comment="Collection actions taken on plans, with the logged propensity and the outcome.",
)

call_findings = sa.Table(
    "call_findings",
    metadata,
    sa.Column("call_id", sa.String(60), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False, comment="position in the call's findings (turn order)"),
    sa.Column("issue_type", sa.String(40), nullable=False),
    sa.Column("source", sa.String(120), nullable=False, comment="rule:<id> or model:<name>@<version>"),
    sa.Column("turn_no", sa.Integer(), nullable=True, comment="null: a finding about the whole call"),
    sa.Column("utterance", sa.Text(), nullable=False, comment="the offending utterance, scrubbed of identifiers"),
    sa.Column("score", sa.Float(precision=53), nullable=False),
    sa.PrimaryKeyConstraint("call_id", "seq"),
    comment="Findings of each call's latest quality check.",
)

qa_cases = sa.Table(
    "qa_cases",
    metadata,
    sa.Column("qa_case_id", sa.String(40), primary_key=True),
    sa.Column("call_id", sa.String(60), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("issue_types", sa.Text(), nullable=False, comment="JSON list of the issue types at the threshold"),
    sa.Column("max_score", sa.Float(precision=53), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="open or closed"),
    sa.Column("closed_by", sa.String(80), nullable=True),
    sa.Column("resolution", sa.String(16), nullable=True, comment="confirmed or dismissed"),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("dimension_scores", sa.Text(), nullable=False, comment="JSON: the call's score per dimension"),
    sa.Column("row_version", sa.Integer(), nullable=False, comment=ROW_VERSION),
    sa.Index("ix_qa_cases_status_score", "status", "max_score"),
    sa.Index("ix_qa_cases_call_id", "call_id"),
    sa.Index(
        "uq_qa_cases_open_call",
        "call_id",
        unique=True,
        sqlite_where=sa.text(OPEN_ONLY),
        postgresql_where=sa.text(OPEN_ONLY),
    ),
    comment="Calls whose check found an issue at the threshold, for the collection lead: one open case per call.",
)
