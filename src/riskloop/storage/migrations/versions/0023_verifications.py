"""Identity verification: sessions, hashed SMS codes, step-ups, sends and device sightings (issue 17, part 4).

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only
_TS = sa.DateTime(timezone=True)
_TOKEN = 32  # hex characters of an identifier token
_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"


def session_columns() -> list[sa.Column[Any]]:
    """The columns of ``verification_sessions``."""
    return [
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("channel", sa.String(80), nullable=False, comment="principal that opened it"),
        sa.Column("subject", sa.String(_TOKEN), nullable=False, comment="token of the resident ID"),
        sa.Column("phone", sa.String(_TOKEN), nullable=False, comment="token of the phone number"),
        sa.Column("credit_code", sa.String(_TOKEN), nullable=True, comment="token of the enterprise's credit code"),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("otp_passed", sa.Boolean(), nullable=False),
        sa.Column("face_score", sa.Float(precision=53), nullable=True, comment="null: no face checked"),
        sa.Column("face_live", sa.Boolean(), nullable=True),
        sa.Column("face_error", sa.String(200), nullable=True, comment="the vendor's failure, if it failed"),
        sa.Column("device_ok", sa.Boolean(), nullable=True, comment="null: no device checked"),
        sa.Column("device_reasons", sa.Text(), nullable=False, comment="JSON list of reason codes"),
        sa.Column("phone_owner_match", sa.Boolean(), nullable=True, comment="null: no carrier check"),
        sa.Column("phone_tenure_months", sa.Integer(), nullable=True),
        sa.Column("carrier_error", sa.String(200), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
    ]


def challenge_columns() -> list[sa.Column[Any]]:
    """The columns of ``verification_challenges``."""
    return [
        sa.Column("challenge_id", sa.String(40), primary_key=True),
        sa.Column("purpose", sa.String(12), nullable=False, comment="session or step_up"),
        sa.Column("owner_id", sa.String(40), nullable=False, index=True, comment="its session or step-up"),
        sa.Column("phone", sa.String(_TOKEN), nullable=False, comment="token of the phone number"),
        sa.Column("code_hash", sa.String(64), nullable=False, comment="HMAC-SHA256 of the code, never the code"),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, comment="wrong codes given"),
        sa.Column("status", sa.String(8), nullable=False, comment="open, passed or locked"),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
    ]


def step_up_columns() -> list[sa.Column[Any]]:
    """The columns of ``verification_step_ups``."""
    return [
        sa.Column("step_up_id", sa.String(40), primary_key=True),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("subject", sa.String(_TOKEN), nullable=False, comment="token of the resident ID"),
        sa.Column("phone", sa.String(_TOKEN), nullable=False),
        sa.Column("action", sa.String(16), nullable=False, comment="login, authorisation or drawdown"),
        sa.Column("challenge_id", sa.String(40), nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("face_required", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, comment="open, confirmed or redeemed"),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True, comment="HMAC of the token, once confirmed"),
        sa.Column("token_expires_at", _TS, nullable=True),
        sa.Column("redeemed_at", _TS, nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
    ]


def send_columns() -> list[sa.Column[Any]]:
    """The columns of ``verification_sends``."""
    return [
        sa.Column("send_id", _ID, primary_key=True, autoincrement=True),
        sa.Column("phone", sa.String(_TOKEN), nullable=False),
        sa.Column("sent_at", _TS, nullable=False),
    ]


def sighting_columns() -> list[sa.Column[Any]]:
    """The columns of ``device_sightings``."""
    return [
        sa.Column("sighting_id", _ID, primary_key=True, autoincrement=True),
        sa.Column("device", sa.String(_TOKEN), nullable=False, comment="token of the device id"),
        sa.Column("subject", sa.String(_TOKEN), nullable=False),
        sa.Column("company", sa.String(_TOKEN), nullable=True),
        sa.Column("seen_at", _TS, nullable=False),
    ]


def upgrade() -> None:
    """Create the five tables and their indexes."""
    op.create_table(
        "verification_sessions",
        *session_columns(),
        comment="Identity verification sessions and the results the server checked in them.",
    )
    op.create_table(
        "verification_challenges",
        *challenge_columns(),
        comment="SMS one-time codes sent, as keyed digests, with their attempts.",
    )
    op.create_table(
        "verification_step_ups",
        *step_up_columns(),
        comment="Second confirmations bound to a person and an action, and their single-use tokens.",
    )
    op.create_table(
        "verification_sends", *send_columns(), comment="Codes sent per phone token: what resend throttling counts."
    )
    op.create_index("ix_verification_sends_phone_sent", "verification_sends", ["phone", "sent_at"])
    op.create_table(
        "device_sightings", *sighting_columns(), comment="Who used which device when: one device, many identities."
    )
    op.create_index("ix_device_sightings_device_seen", "device_sightings", ["device", "seen_at"])  # fmt: skip


def downgrade() -> None:
    """Drop them."""
    for table in ("device_sightings", "verification_sends", "verification_step_ups", "verification_challenges",
                  "verification_sessions"):  # fmt: skip
        op.drop_table(table)
