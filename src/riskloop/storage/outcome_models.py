"""The tables of decision outcomes (migration 0016): one record per loan, and the update runs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from riskloop.storage.models import metadata

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only
HORIZON_MONTHS = (3, 6, 12)  # domain.outcome.HORIZONS: a column pair per horizon


def _horizons() -> list[sa.Column[Any]]:
    out: list[sa.Column[Any]] = []
    for h in HORIZON_MONTHS:
        out.append(sa.Column(f"matured_{h}m", sa.Boolean(), nullable=False, comment=f"{h} months on book have passed"))
        out.append(
            sa.Column(f"bad_{h}m", sa.Boolean(), nullable=True, comment=f"90+ dpd by {h} months; null: immature")
        )
    return out


def outcome_columns() -> list[sa.Column[Any]]:
    """The columns of ``decision_outcomes`` (shared with the migration)."""
    return [
        sa.Column("loan_id", sa.String(40), primary_key=True),
        sa.Column("application_id", sa.String(40), nullable=False, index=True),
        sa.Column("decision_id", sa.String(36), nullable=True, index=True, comment="null: no stored decision"),
        sa.Column("tier", sa.String(20), nullable=True),
        sa.Column("strategy", sa.String(80), nullable=True, comment="name@version that decided"),
        sa.Column("model", sa.String(80), nullable=True, comment="model version that scored"),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True, comment="the application's channel"),
        sa.Column("disbursed_date", sa.Date(), nullable=False, index=True),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False),
        sa.Column("computed_as_of", sa.Date(), nullable=False, comment="valid from this day to next_review"),
        sa.Column("months_on_book", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, comment="current, delinquent, defaulted or repaid"),
        sa.Column("current_dpd", sa.Integer(), nullable=False),
        sa.Column("max_dpd", sa.Integer(), nullable=False),
        sa.Column("first_bad_day", sa.Date(), nullable=True, comment="first day 90+ days past due"),
        *_horizons(),
        sa.Column("next_review", sa.Date(), nullable=False, index=True, comment="first day it can change unaided"),
    ]


decision_outcomes = sa.Table(
    "decision_outcomes",
    metadata,
    *outcome_columns(),
    comment="Each drawn loan's performance as of the last update, linked to the decision that granted it.",
)

outcome_runs = sa.Table(
    "outcome_runs",
    metadata,
    sa.Column("run_id", _ID, primary_key=True, autoincrement=True),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("full", sa.Boolean(), nullable=False),
    sa.Column("parts", sa.Text(), nullable=False, comment="JSON: part files of the book it had seen"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("loans", sa.Integer(), nullable=False),
    sa.Column("recomputed", sa.Integer(), nullable=False),
    sa.Column("changed", sa.Integer(), nullable=False),
    sa.Column("removed", sa.Integer(), nullable=False),
    comment="Finished outcome updates; the latest is where the next incremental update starts.",
)
