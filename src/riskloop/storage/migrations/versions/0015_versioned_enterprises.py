"""Versioned enterprises: a valid-from day per row, keyed by credit code and valid-from (ADR 0020).

Rows loaded before versions become each key's first version, valid from the enterprise's establishment date
(the first version also stands for the days before it, so reads do not change). The warehouse's Parquet files
of ``enterprises`` get the same column, rewritten atomically; a file that already has it is left alone, so the
migration is idempotent and resumes after an interruption.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from alembic import context, op

from riskloop.domain.tables import table
from riskloop.storage.models import sql_type

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SPEC = table("enterprises")
_DOC = _SPEC.column("valid_from").doc


def _shape(versioned: bool) -> sa.Table:
    """``enterprises`` as it stands after (``versioned``) or before this revision."""
    columns = [
        sa.Column(
            c.name,
            sql_type(c),
            nullable=c.nullable and c.name != "valid_from",
            primary_key=c.name == "credit_code" or (versioned and c.name == "valid_from"),
            comment=c.doc,
        )
        for c in _SPEC.columns
        if versioned or c.name != "valid_from"
    ]
    return sa.Table("enterprises", sa.MetaData(), *columns, comment=_SPEC.doc)


def _rekey(versioned: bool) -> None:
    """Make credit code (and valid-from when ``versioned``) the primary key of ``enterprises``."""
    columns = ["credit_code", "valid_from"] if versioned else ["credit_code"]
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("enterprises_pkey", "enterprises", type_="primary")
        op.alter_column("enterprises", "valid_from", existing_type=sa.Date(), nullable=not versioned, comment=_DOC)
        op.create_primary_key("enterprises_pkey", "enterprises", columns)
        return
    with op.batch_alter_table("enterprises", recreate="always", copy_from=_shape(True)):
        pass  # SQLite: the table is rebuilt in the shape given, its rows copied


def _warehouse_files() -> list[Path]:
    home = context.config.attributes.get("home")
    folder = Path(str(home)) / "warehouse" / "enterprises" if home is not None else None
    return sorted(folder.glob("*.parquet")) if folder is not None and folder.is_dir() else []


def _date_warehouse() -> None:
    """Add ``valid_from`` (the establishment date) to each warehouse file of ``enterprises`` lacking it."""
    for path in _warehouse_files():
        data = pq.read_table(path)
        if "valid_from" in data.column_names:
            continue
        dated = data.append_column(pa.field("valid_from", pa.date32()), data["established_date"])
        tmp = path.with_suffix(".versioning")
        pq.write_table(dated, tmp, compression="zstd")
        os.replace(tmp, path)


def upgrade() -> None:
    """Add the column, date the rows already stored, re-key the table and date the warehouse's files."""
    op.add_column("enterprises", sa.Column("valid_from", sa.Date(), nullable=True, comment=_DOC))
    op.execute("UPDATE enterprises SET valid_from = established_date WHERE valid_from IS NULL")
    _rekey(versioned=True)
    _date_warehouse()


def downgrade() -> None:
    """Keep each key's latest version only and drop the column (earlier versions are lost; warehouse untouched)."""
    op.execute(
        "DELETE FROM enterprises WHERE EXISTS (SELECT 1 FROM enterprises later"
        " WHERE later.credit_code = enterprises.credit_code AND later.valid_from > enterprises.valid_from)"
    )
    if op.get_bind().dialect.name == "postgresql":
        _rekey(versioned=False)
        op.drop_column("enterprises", "valid_from")
        return
    with op.batch_alter_table("enterprises", recreate="always", copy_from=_shape(True)) as batch:
        batch.drop_column("valid_from")
        batch.create_primary_key("enterprises_pkey", ["credit_code"])
