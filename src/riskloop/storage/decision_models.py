"""Tables of the decision service: decisions, idempotency keys, audit log, reviews, outbox, strategies, API keys.

They share ``riskloop.storage.models.metadata``; migration 0004 creates them (0006 the API keys, 0007 the row
versions and the one-active-version index, 0009 the owners of decisions and the per-channel claims, 0013 the
outbox's delivery state, 0025 the campaign an application names).
"""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only
_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"
OWNER_COMMENT = "the channel principal that posted it; null: decided before 0009, internal roles only"
CLAIMS_COMMENT = "One row per channel and Idempotency-Key: a retry gets the stored response; the row is the claim."
CLAIM_APPLICATION_COMMENT = "one decision per application id and channel; null: a duplicate from before 0009"
CAMPAIGN_COMMENT = "the marketing campaign the application names (prospects); null: none"

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("decision_id", sa.String(36), primary_key=True),
    sa.Column("application_id", sa.String(40), nullable=False, index=True),
    sa.Column("role", sa.String(12), nullable=False, comment="champion (returned) or shadow (stored only)"),
    sa.Column("strategy", sa.String(80), nullable=False, comment="name@version of the strategy that decided"),
    sa.Column("tier", sa.String(20), nullable=False),
    sa.Column("score", sa.Float(precision=53), nullable=True),
    sa.Column("pd", sa.Float(precision=53), nullable=True),
    sa.Column("limit_cents", sa.BigInteger(), nullable=False),
    sa.Column("rate_bp", sa.Integer(), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decision", sa.Text(), nullable=False, comment="JSON: the whole decision (reasons, trace, versions)"),
    sa.Column("inputs", sa.Text(), nullable=False, comment="JSON: request, profile, features, graph signals"),
    sa.Column("status", sa.String(20), nullable=False, comment="decided, in_review or final"),
    sa.Column("final_outcome", sa.String(20), nullable=True, comment="approved or declined once final"),
    sa.Column("owner", sa.String(80), nullable=True, comment=OWNER_COMMENT),
    sa.Column("campaign_id", sa.String(40), nullable=True, index=True, comment=CAMPAIGN_COMMENT),
    comment="Every decision with the inputs and versions needed to replay it.",
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.String(80), primary_key=True, comment="the channel that sent the key"),
    sa.Column("idempotency_key", sa.String(128), primary_key=True),
    sa.Column("application_id", sa.String(40), nullable=True, comment=CLAIM_APPLICATION_COMMENT),
    sa.Column("request_sha256", sa.String(64), nullable=False, comment="canonical JSON of the validated body"),
    sa.Column("decision_id", sa.String(36), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=False),
    sa.Column("response", sa.LargeBinary(), nullable=False, comment="the exact response body first returned"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("principal", "application_id", name="uq_idempotency_keys_application"),
    comment=CLAIMS_COMMENT,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("audit_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False, comment="decision, review, strategy"),
    sa.Column("entity_id", sa.String(120), nullable=False, index=True),
    sa.Column("detail", sa.Text(), nullable=False, server_default="{}", comment="JSON"),
    comment="Every state change, written in the same transaction as the change.",
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("decision_id", sa.String(36), primary_key=True),
    sa.Column("tier", sa.String(20), nullable=False, index=True),
    sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, comment="open, claimed, awaiting_second or closed"),
    sa.Column("claimed_by", sa.String(80), nullable=True),
    sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("first_reviewer", sa.String(80), nullable=True),
    sa.Column("first_outcome", sa.String(20), nullable=True),
    sa.Column("first_comment", sa.Text(), nullable=True),
    sa.Column("final_reviewer", sa.String(80), nullable=True),
    sa.Column("final_outcome", sa.String(20), nullable=True),
    sa.Column("final_comment", sa.Text(), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("row_version", sa.Integer(), nullable=False, server_default="0", comment=_ROW_VERSION),
    comment="The manual-review queue: referrals and overridable automatic declines.",
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("outbox_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("topic", sa.String(60), nullable=False),
    sa.Column("key", sa.String(120), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False, comment="JSON"),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0", comment="failed delivery attempts"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True, comment="null: due now"),
    sa.Column("last_error", sa.Text(), nullable=True, comment="the last failed attempt's status or error"),
    sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True, comment="dead-lettered: out of attempts"),
    sa.Index("ix_outbox_topic_key", "topic", "key"),
    comment="Messages to deliver (customer notifications), written with the change that causes them.",
)

strategies = sa.Table(
    "strategies",
    metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("content", sa.Text(), nullable=False, comment="JDM JSON; immutable once submitted"),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="draft, submitted, approved, active or retired"),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("approved_by", sa.String(80), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("row_version", sa.Integer(), nullable=False, server_default="0", comment=_ROW_VERSION),
    sa.Index(
        "uq_strategies_one_active",
        "name",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
    comment="Strategy versions and their lifecycle (four eyes: the approver is never the author).",
)

strategy_changes = sa.Table(
    "strategy_changes",
    metadata,
    sa.Column("change_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False, comment="the version to activate"),
    sa.Column("requested_by", sa.String(80), nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="pending, applied or rejected"),
    sa.Column("approved_by", sa.String(80), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    comment="Activations, rollbacks included: requested by one person, approved and applied by another.",
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("secret_sha256", sa.String(64), primary_key=True, comment="sha256 of the secret (never the secret)"),
    sa.Column("key_id", sa.String(40), nullable=False, comment="public name of the key (lists, revocation)"),
    sa.Column("principal", sa.String(80), nullable=False, comment="the person or system the key acts as"),
    sa.Column("roles", sa.String(200), nullable=False, comment="comma-separated, sorted"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True, comment="null while the key is valid"),
    sa.UniqueConstraint("key_id", name="uq_api_keys_key_id"),
    comment="API keys of the decision service: who a bearer secret authenticates and with which roles.",
)
