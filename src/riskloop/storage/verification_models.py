"""The tables of identity verification (migration 0023): sessions, code challenges, step-ups, sends, sightings.

No identifier is stored: subject, phone, credit code and device are keyed tokens, a code and a step-up token only
their HMAC digests (ADR 0030).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from riskloop.storage.models import metadata

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only
_TS = sa.DateTime(timezone=True)
_TOKEN = 32  # hex characters of an identifier token
_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"


def session_columns() -> list[sa.Column[Any]]:
    """The columns of ``verification_sessions`` (shared with the migration)."""
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


verification_sessions = sa.Table(
    "verification_sessions", metadata, *session_columns(),
    comment="Identity verification sessions and the results the server checked in them.",
)  # fmt: skip
verification_challenges = sa.Table(
    "verification_challenges", metadata, *challenge_columns(),
    comment="SMS one-time codes sent, as keyed digests, with their attempts.",
)  # fmt: skip
verification_step_ups = sa.Table(
    "verification_step_ups", metadata, *step_up_columns(),
    comment="Second confirmations bound to a person and an action, and their single-use tokens.",
)  # fmt: skip
verification_sends = sa.Table(
    "verification_sends", metadata, *send_columns(), sa.Index("ix_verification_sends_phone_sent", "phone", "sent_at"),
    comment="Codes sent per phone token: what resend throttling counts.",
)  # fmt: skip
device_sightings = sa.Table(
    "device_sightings", metadata, *sighting_columns(), sa.Index("ix_device_sightings_device_seen", "device", "seen_at"),
    comment="Who used which device when: one device, many identities.",
)  # fmt: skip
