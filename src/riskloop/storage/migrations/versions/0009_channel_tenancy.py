"""Tenancy of channels: the owner of each decision; idempotency keys and application ids claimed per channel.

``decisions.owner`` is filled from each decision's audit row (its actor is the channel key's principal). The
claims table is rebuilt with the primary key (principal, idempotency_key) and a unique (principal,
application_id); of the decisions one channel made before this migration for one application id, the first
keeps the application id, the others keep their key (retries still answer) with a null application id.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWNER = "the channel principal that posted it; null: decided before 0009, internal roles only"
_CLAIMS = "One row per channel and Idempotency-Key: a retry gets the stored response; the row is the claim."
_APPLICATION = "one decision per application id and channel; null: a duplicate from before 0009"
_OLD_CLAIMS = "One row per Idempotency-Key: a retry gets the stored response; the key is the unique claim."
_COPY = ("idempotency_key", "request_sha256", "decision_id", "status_code", "response", "created_at")

_FILL_OWNERS = """
UPDATE decisions SET owner = (
  SELECT min(a.actor) FROM audit_log a
  WHERE a.entity = 'decision' AND a.entity_id = decisions.decision_id
    AND a.action IN ('decision.champion', 'decision.shadow')
)
"""
_EARLIER_SAME_APPLICATION = """
  SELECT 1 FROM idempotency_keys k2 JOIN decisions d2 ON d2.decision_id = k2.decision_id
  WHERE d2.owner = d.owner AND d2.application_id = d.application_id
    AND (k2.created_at < k.created_at OR (k2.created_at = k.created_at AND k2.idempotency_key < k.idempotency_key))
"""


def _claims(name: str, *, scoped: bool) -> sa.Table:
    columns: list[sa.Column[object]] = []
    if scoped:
        columns.append(sa.Column("principal", sa.String(80), primary_key=True, comment="the channel that sent the key"))
    columns.append(sa.Column("idempotency_key", sa.String(128), primary_key=True))
    if scoped:
        columns.append(sa.Column("application_id", sa.String(40), nullable=True, comment=_APPLICATION))
    columns += [
        sa.Column("request_sha256", sa.String(64), nullable=False, comment="canonical JSON of the validated body"),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False, comment="the exact response body first returned"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]
    extra = [sa.UniqueConstraint("principal", "application_id", name="uq_idempotency_keys_application")]
    return op.create_table(name, *columns, *(extra if scoped else []), comment=_CLAIMS if scoped else _OLD_CLAIMS)


def upgrade() -> None:
    """Add the owners, rebuild the claims table scoped by principal."""
    op.add_column("decisions", sa.Column("owner", sa.String(80), nullable=True, comment=_OWNER))
    op.execute(_FILL_OWNERS)
    _claims("idempotency_keys_scoped", scoped=True)
    copied = ", ".join(f"k.{c}" for c in _COPY)
    op.execute(
        f"INSERT INTO idempotency_keys_scoped (principal, application_id, {', '.join(_COPY)}) "  # noqa: S608
        f"SELECT COALESCE(d.owner, ''), CASE WHEN d.owner IS NOT NULL AND NOT EXISTS ({_EARLIER_SAME_APPLICATION}) "
        f"THEN d.application_id END, {copied} "
        "FROM idempotency_keys k LEFT JOIN decisions d ON d.decision_id = k.decision_id"
    )
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_scoped", "idempotency_keys")


def downgrade() -> None:
    """Global keys again (of a key two channels used, the first row stays); no owners."""
    _claims("idempotency_keys_global", scoped=False)
    copied = ", ".join(f"k.{c}" for c in _COPY)
    op.execute(
        f"INSERT INTO idempotency_keys_global ({', '.join(_COPY)}) SELECT {copied} FROM idempotency_keys k "  # noqa: S608
        "WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k2 WHERE k2.idempotency_key = k.idempotency_key "
        "AND (k2.created_at < k.created_at OR (k2.created_at = k.created_at AND k2.principal < k.principal)))"
    )
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_global", "idempotency_keys")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("owner")
