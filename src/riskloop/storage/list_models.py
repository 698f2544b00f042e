"""Tables of the bank's lists: versions and entries, values tokenised for lookup and sealed at rest (migration 0021)."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

list_versions = sa.Table(
    "list_versions",
    metadata,
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("action", sa.String(20), nullable=False, comment="list.load, list.add, list.end or gang.confirm"),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False, comment="JSON: file and quarantined rows, gang and evidence"),
    comment="Every change of the lists is a version: a file load, an addition, an end-dating, a confirmed gang.",
)

list_entries = sa.Table(
    "list_entries",
    metadata,
    sa.Column("entry_id", sa.String(40), primary_key=True),
    sa.Column("list_kind", sa.String(8), nullable=False, comment="black, grey or white"),
    sa.Column("identifier_kind", sa.String(20), nullable=False),
    sa.Column("token", sa.String(64), nullable=False, comment="keyed HMAC of match kind and value: the lookup key"),
    sa.Column("sealed_value", sa.Text(), nullable=False, comment="the normalised value, envelope-sealed"),
    sa.Column("label", sa.String(80), nullable=False, comment="the masked value shown to every reader"),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("provenance", sa.Text(), nullable=False, comment="JSON: file and row, or gang, reviewer and evidence"),
    sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False, comment="the version that added the entry"),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True, comment="removal end-dates, never deletes"),
    sa.Column("ended_by", sa.String(80), nullable=True),
    sa.Column("end_reason", sa.String(200), nullable=True),
    sa.Column("ended_version", sa.Integer(), nullable=True),
    sa.Index("ix_list_entries_token", "token"),
    sa.Index("ix_list_entries_kind_version", "list_kind", "version"),
    comment="Entries of the black, grey and white lists, with their history.",
)
