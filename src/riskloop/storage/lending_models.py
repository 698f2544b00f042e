"""The tables of offers, drawdowns and the loans they booked (migration 0026).

No identifier is stored here: the settlement account stays sealed in the decision's inputs and is opened (and
audited) only to instruct the core; a credit code identifies an enterprise, not a person.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import SchemaItem

from riskloop.storage.models import metadata

_TS = sa.DateTime(timezone=True)
_ROW_VERSION = "compare-and-set: each update checks the value it read and adds one"


def offer_columns() -> list[SchemaItem]:
    """The columns of ``offers``."""
    return [
        sa.Column("offer_id", sa.String(40), primary_key=True),
        sa.Column("decision_id", sa.String(40), nullable=False, unique=True, comment="one offer per decision"),
        sa.Column("application_id", sa.String(40), nullable=False, index=True),
        sa.Column("channel", sa.String(80), nullable=False, comment="the principal that owns the decision"),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("product_code", sa.String(30), nullable=False),
        sa.Column("limit_cents", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("repayment", sa.String(20), nullable=False, comment="repayment method"),
        sa.Column("offered_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("contract_version", sa.String(40), nullable=False),
        sa.Column("contract_sha256", sa.String(64), nullable=False, comment="of the contract text with these terms"),
        sa.Column("status", sa.String(10), nullable=False, comment="offered or accepted"),
        sa.Column("accepted_at", _TS, nullable=True),
        sa.Column("step_up_id", sa.String(40), nullable=True, comment="the second confirmation acceptance spent"),
        sa.Column("reserved_cents", sa.BigInteger(), nullable=False, comment="sent to the core, not settled"),
        sa.Column("drawn_cents", sa.BigInteger(), nullable=False, comment="confirmed by the core"),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
        sa.CheckConstraint("reserved_cents >= 0 AND drawn_cents >= 0", name="ck_offers_amounts"),
        sa.CheckConstraint("reserved_cents + drawn_cents <= limit_cents", name="ck_offers_within_limit"),
    ]


def drawdown_columns() -> list[SchemaItem]:
    """The columns of ``drawdowns``."""
    return [
        sa.Column("drawdown_id", sa.String(40), primary_key=True, comment="from the channel and its Idempotency-Key"),
        sa.Column("offer_id", sa.String(40), nullable=False, index=True),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False, comment="a retry must send the same body"),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("repayment", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("reasons", sa.Text(), nullable=False, comment="JSON list of reason codes"),
        sa.Column("recheck", sa.Text(), nullable=False, comment="JSON: what the re-check read and found"),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("loan_id", sa.String(40), nullable=True),
        sa.Column("core_ref", sa.String(64), nullable=True),
        sa.Column("core_reason", sa.String(200), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False, comment=_ROW_VERSION),
        sa.UniqueConstraint("channel", "idempotency_key", name="uq_drawdowns_channel_key"),
    ]


def booked_loan_columns() -> list[sa.Column[Any]]:
    """The columns of ``booked_loans``."""
    return [
        sa.Column("loan_id", sa.String(40), primary_key=True),
        sa.Column("drawdown_id", sa.String(40), nullable=False, unique=True, comment="one loan per drawdown"),
        sa.Column("offer_id", sa.String(40), nullable=False),
        sa.Column("application_id", sa.String(40), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False, index=True),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("repayment", sa.String(20), nullable=False),
        sa.Column("disbursed_at", _TS, nullable=False),
        sa.Column("core_ref", sa.String(64), nullable=False),
        sa.Column("published_run", sa.String(40), nullable=True, comment="the warehouse export that holds it"),
        sa.Column("published_at", _TS, nullable=True),
    ]


def booked_instalment_columns() -> list[sa.Column[Any]]:
    """The columns of ``booked_instalments``."""
    return [
        sa.Column("loan_id", sa.String(40), primary_key=True),
        sa.Column("installment_no", sa.Integer(), primary_key=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("principal_due_cents", sa.BigInteger(), nullable=False),
        sa.Column("interest_due_cents", sa.BigInteger(), nullable=False),
    ]


offers = sa.Table("offers", metadata, *offer_columns(), comment="Offers made from approvals, and their limits")
drawdowns = sa.Table("drawdowns", metadata, *drawdown_columns(), comment="Drawdowns of accepted offers")
booked_loans = sa.Table(
    "booked_loans",
    metadata,
    *booked_loan_columns(),
    sa.Index("ix_booked_loans_unpublished", "published_run", "disbursed_at"),
    comment="Loans booked on the core's word",
)
booked_instalments = sa.Table(
    "booked_instalments", metadata, *booked_instalment_columns(), comment="Repayment schedules of booked loans"
)
