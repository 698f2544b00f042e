"""Initial schema: the sql-store contract tables, ingest_runs and quarantine.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "applications",
        sa.Column("application_id", sa.String(length=40), nullable=False, comment="Application id"),
        sa.Column(
            "credit_code",
            sa.String(length=18),
            nullable=False,
            comment="Unified social credit code (18 chars, check digit)",
        ),
        sa.Column("applicant_id", sa.String(length=18), nullable=False, comment="Resident ID of the applicant"),
        sa.Column("product_code", sa.String(length=30), nullable=False, comment="Product applied for"),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False, comment="Submission time (UTC)"),
        sa.Column(
            "requested_amount_cents", sa.BigInteger(), nullable=False, comment="Requested amount (integer cents, >= 0)"
        ),
        sa.Column("term_months", sa.BigInteger(), nullable=False, comment="Requested term"),
        sa.Column("channel", sa.String(length=12), nullable=False, comment="Channel"),
        sa.Column("phone", sa.String(length=20), nullable=False, comment="Company phone as given"),
        sa.Column(
            "address", sa.String(length=300), nullable=False, comment="Company address as written by the applicant"
        ),
        sa.Column("device_id", sa.String(length=64), nullable=False, comment="Device fingerprint id"),
        sa.Column("ip", sa.String(length=45), nullable=False, comment="Client IP address"),
        sa.Column("email", sa.String(length=254), nullable=True, comment="Contact email"),
        sa.Column("bank_account", sa.String(length=32), nullable=False, comment="Settlement account number"),
        sa.Column("sms_verified", sa.Boolean(), nullable=False, comment="SMS one-time code passed"),
        sa.Column("face_match_score", sa.Float(precision=53), nullable=False, comment="Face-match similarity 0..1"),
        sa.Column("device_fingerprint_ok", sa.Boolean(), nullable=False, comment="Device fingerprint passed checks"),
        sa.Column(
            "phone_owner_match", sa.Boolean(), nullable=False, comment="Phone number registered to the applicant"
        ),
        sa.PrimaryKeyConstraint("application_id"),
        comment="Loan applications with identity verification, device and IP.",
    )
    op.create_table(
        "bureau_scores",
        sa.Column("application_id", sa.String(length=40), nullable=False, comment="Application id"),
        sa.Column("score", sa.BigInteger(), nullable=False, comment="Bureau score"),
        sa.Column("queried_at", sa.DateTime(timezone=True), nullable=False, comment="Query time (UTC)"),
        sa.PrimaryKeyConstraint("application_id"),
        comment="External credit bureau score retrieved for an application.",
    )
    op.create_table(
        "enterprises",
        sa.Column(
            "credit_code",
            sa.String(length=18),
            nullable=False,
            comment="Unified social credit code (18 chars, check digit)",
        ),
        sa.Column("name", sa.String(length=200), nullable=False, comment="Registered name"),
        sa.Column("kind", sa.String(length=19), nullable=False, comment="Legal form"),
        sa.Column("industry_section", sa.String(length=1), nullable=False, comment="GB/T 4754 section letter"),
        sa.Column("established_date", sa.Date(), nullable=False, comment="Date of establishment"),
        sa.Column(
            "registered_capital_cents",
            sa.BigInteger(),
            nullable=False,
            comment="Registered capital (integer cents, >= 0)",
        ),
        sa.Column("region_code", sa.String(length=6), nullable=False, comment="6-digit administrative division code"),
        sa.Column("address", sa.String(length=300), nullable=False, comment="Registered address as written"),
        sa.Column("phone", sa.String(length=20), nullable=False, comment="Registered contact phone"),
        sa.Column(
            "legal_rep_id", sa.String(length=18), nullable=False, comment="Resident ID of the legal representative"
        ),
        sa.Column("status", sa.String(length=8), nullable=False, comment="Registration status"),
        sa.PrimaryKeyConstraint("credit_code"),
        comment="One row per enterprise or individual business.",
    )
    op.create_table(
        "ingest_runs",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_dir", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False, comment="running, succeeded or failed"),
        sa.Column("rows_loaded", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("rows_already_present", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("table_counts", sa.Text(), server_default="{}", nullable=False, comment="JSON: per-table counts"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
        comment="One row per ingest run.",
    )
    op.create_table(
        "loan_products",
        sa.Column("product_code", sa.String(length=30), nullable=False, comment="Product code"),
        sa.Column("name", sa.String(length=100), nullable=False, comment="Product name"),
        sa.Column("min_amount_cents", sa.BigInteger(), nullable=False, comment="Smallest amount (integer cents, >= 0)"),
        sa.Column("max_amount_cents", sa.BigInteger(), nullable=False, comment="Largest amount (integer cents, >= 0)"),
        sa.Column("min_term_months", sa.BigInteger(), nullable=False, comment="Shortest term"),
        sa.Column("max_term_months", sa.BigInteger(), nullable=False, comment="Longest term"),
        sa.Column("min_rate_bp", sa.BigInteger(), nullable=False, comment="Lowest annual rate, basis points"),
        sa.Column("max_rate_bp", sa.BigInteger(), nullable=False, comment="Highest annual rate, basis points"),
        sa.PrimaryKeyConstraint("product_code"),
        comment="Loan products with amount, term and rate bounds.",
    )
    op.create_table(
        "loans",
        sa.Column("loan_id", sa.String(length=40), nullable=False, comment="Loan id"),
        sa.Column("application_id", sa.String(length=40), nullable=False, comment="Originating application"),
        sa.Column(
            "credit_code",
            sa.String(length=18),
            nullable=False,
            comment="Unified social credit code (18 chars, check digit)",
        ),
        sa.Column("disbursed_date", sa.Date(), nullable=False, comment="Disbursal date"),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False, comment="Principal (integer cents, >= 0)"),
        sa.Column("term_months", sa.BigInteger(), nullable=False, comment="Term"),
        sa.Column("rate_bp", sa.BigInteger(), nullable=False, comment="Annual interest rate, basis points"),
        sa.PrimaryKeyConstraint("loan_id"),
        comment="Disbursed loans.",
    )
    op.create_table(
        "officers",
        sa.Column(
            "credit_code",
            sa.String(length=18),
            nullable=False,
            comment="Unified social credit code (18 chars, check digit)",
        ),
        sa.Column("person_id", sa.String(length=18), nullable=False, comment="Resident ID"),
        sa.Column("role", sa.String(length=10), nullable=False, comment="Office held"),
        sa.Column("since_date", sa.Date(), nullable=False, comment="Date of appointment"),
        sa.PrimaryKeyConstraint("credit_code", "person_id", "role"),
        comment="Officers and the legal representative of an enterprise.",
    )
    op.create_table(
        "persons",
        sa.Column(
            "person_id",
            sa.String(length=18),
            nullable=False,
            comment="Resident ID number (18 chars, check digit); masked in every output",
        ),
        sa.Column("name", sa.String(length=50), nullable=False, comment="Full name"),
        sa.Column("phone", sa.String(length=20), nullable=True, comment="Mobile phone"),
        sa.PrimaryKeyConstraint("person_id"),
        comment="Natural persons: legal representatives, shareholders, officers, applicants.",
    )
    op.create_table(
        "registration_changes",
        sa.Column("change_id", sa.String(length=40), nullable=False, comment="Unique change record id"),
        sa.Column(
            "credit_code",
            sa.String(length=18),
            nullable=False,
            comment="Unified social credit code (18 chars, check digit)",
        ),
        sa.Column("change_date", sa.Date(), nullable=False, comment="Date the change was registered"),
        sa.Column("change_type", sa.String(length=11), nullable=False, comment="What changed"),
        sa.Column("before_value", sa.String(length=300), nullable=True, comment="Value before"),
        sa.Column("after_value", sa.String(length=300), nullable=True, comment="Value after"),
        sa.PrimaryKeyConstraint("change_id"),
        comment="Registered changes (legal representative, address, capital ...).",
    )
    op.create_table(
        "shareholders",
        sa.Column(
            "credit_code",
            sa.String(length=18),
            nullable=False,
            comment="Unified social credit code (18 chars, check digit)",
        ),
        sa.Column("holder_kind", sa.String(length=10), nullable=False, comment="Person or enterprise holder"),
        sa.Column(
            "holder_id",
            sa.String(length=18),
            nullable=False,
            comment="Resident ID (person) or credit code (enterprise)",
        ),
        sa.Column("stake_bp", sa.BigInteger(), nullable=False, comment="Stake in basis points (10000 = 100 %)"),
        sa.Column("since_date", sa.Date(), nullable=False, comment="Date the stake was registered"),
        sa.PrimaryKeyConstraint("credit_code", "holder_id"),
        comment="Shareholdings: who holds what stake in an enterprise.",
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column(
            "row_number", sa.BigInteger(), nullable=True, comment="1-based data row in the file; header excluded"
        ),
        sa.Column("field", sa.Text(), nullable=True, comment="failing column(s); empty for a malformed row"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False, comment="the row as read, JSON"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingest_runs.run_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        comment="Rows rejected by ingestion, with the field and the reason.",
    )
    op.create_index(op.f("ix_quarantine_run_id"), "quarantine", ["run_id"], unique=False)


def downgrade() -> None:
    """Drop the tables."""
    op.drop_index(op.f("ix_quarantine_run_id"), table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_table("shareholders")
    op.drop_table("registration_changes")
    op.drop_table("persons")
    op.drop_table("officers")
    op.drop_table("loans")
    op.drop_table("loan_products")
    op.drop_table("ingest_runs")
    op.drop_table("enterprises")
    op.drop_table("bureau_scores")
    op.drop_table("applications")
