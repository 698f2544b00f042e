"""Personal columns of ingested tables protected at rest: keyed tokens, the written values in ``pii_vault``.

Creates the vault, widens the personal columns of the database's contract tables to text (a keyed token or a
sealed value is longer than the identifier), and protects what is already stored: the database's contract
tables and the warehouse's Parquet files (``storage.protected``). Only rows and files still holding a raw
value are rewritten, so the migration is idempotent and resumes after an interruption. The keys come from the
workspace, as for 0010. ADR 0016.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from alembic import context, op

from riskloop.domain.pii import PROTECTED_PREFIXES
from riskloop.domain.tables import TABLES, Table
from riskloop.storage.protected import Protector, is_protected, personal_columns, store_vault
from riskloop.storage.secrets import MigrationKeys

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
_SQL = [t for t in TABLES if t.store == "sql" and personal_columns(t)]


def _widen() -> None:
    for spec in _SQL:
        with op.batch_alter_table(spec.name) as batch:
            for column in personal_columns(spec):
                batch.alter_column(column.name, type_=sa.Text(), existing_nullable=column.nullable)


def _raw(table: sa.Table, spec: Table) -> Any:
    """Rows with a personal value (of a row whose kind makes it one) that is neither a token nor sealed."""
    conditions = []
    for column in personal_columns(spec):
        c = table.c[column.name]
        raw = sa.and_(c.is_not(None), *(sa.not_(c.startswith(p)) for p in PROTECTED_PREFIXES))
        if column.pii_by is not None:
            selector, choices = column.pii_by
            raw = sa.and_(raw, table.c[selector].in_([value for value, _ in choices]))
        conditions.append(raw)
    return sa.or_(*conditions)


def _protect_sql(conn: sa.Connection, keys: MigrationKeys) -> None:
    """Replace each batch of raw rows by its protected rows (a key column may change: delete, then insert)."""
    for spec in _SQL:
        table = sa.Table(spec.name, sa.MetaData(), autoload_with=conn)
        while rows := [
            dict(r) for r in conn.execute(sa.select(table).where(_raw(table, spec)).limit(BATCH)).mappings()
        ]:
            protected, vault = Protector(keys.tokenizer, keys.sealer).protect(spec, pa.Table.from_pylist(rows))
            key = [table.c[k] for k in spec.key]
            conn.execute(table.delete().where(sa.tuple_(*key).in_([tuple(r[k] for k in spec.key) for r in rows])))
            fresh = {tuple(r[k] for k in spec.key): r for r in protected.to_pylist()}  # variants of one key merge
            conn.execute(table.insert(), list(fresh.values()))
            store_vault(conn, vault)


def _has_raw(data: pa.Table, spec: Table) -> bool:
    """Whether a personal column holds a raw value (checked in full: a remaining one is protected on the pass)."""
    for column in personal_columns(spec):
        if column.name not in data.column_names:
            continue
        values = data[column.name].to_pylist()
        if column.pii_by is not None:
            selector, choices = column.pii_by
            kinds = {value for value, _ in choices}
            values = [v for v, k in zip(values, data[selector].to_pylist(), strict=True) if k in kinds]
        if any(v is not None and not is_protected(v) for v in values):
            return True
    return False


def _protect_warehouse(conn: sa.Connection, keys: MigrationKeys) -> None:
    """Rewrite each Parquet file of the warehouse that holds a raw personal value (replaced atomically)."""
    home = context.config.attributes.get("home")
    if home is None:
        return
    for spec in (t for t in TABLES if personal_columns(t)):
        folder = Path(str(home)) / "warehouse" / spec.name
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            data = pq.read_table(path)
            if not _has_raw(data, spec):
                continue
            protected, vault = Protector(keys.tokenizer, keys.sealer).protect(spec, data)
            store_vault(conn, vault)
            tmp = path.with_suffix(".protecting")
            pq.write_table(protected, tmp)
            os.replace(tmp, path)


def upgrade() -> None:
    """Create the vault, widen the personal columns and protect every raw value stored."""
    op.create_table(
        "pii_vault",
        sa.Column("kind", sa.String(16), nullable=False, comment="identifier kind the token is keyed for"),
        sa.Column("token", sa.String(24), nullable=False, comment="keyed token (HMAC under the graph key)"),
        sa.Column("sealed", sa.Text(), nullable=False, comment="the value as first written, envelope-sealed"),
        sa.PrimaryKeyConstraint("kind", "token"),
        comment="Personal identifiers of ingested tables by token: opened only for roles that need them, audited.",
    )
    _widen()
    conn = op.get_bind()
    built = conn.execute(sa.text("SELECT count(*) FROM graph_builds")).scalar()
    keys = MigrationKeys(context.config.attributes.get("home"), revision, graph_built=bool(built))
    _protect_sql(conn, keys)
    _protect_warehouse(conn, keys)


def downgrade() -> None:
    """Drop the vault; protected values stay protected (the columns keep their text type)."""
    op.drop_table("pii_vault")
