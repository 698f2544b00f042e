"""A workspace's SQLite database copied into PostgreSQL, for the load benchmarks on PostgreSQL.

The first call loads a template database (``<name>_template``): migrated by the project's migrations, then
every table of ``riskloop.storage.models.metadata`` copied in dependency order, read and written through the
same table definitions (so values keep their types). That takes minutes on a 100k-enterprise workspace; the
template is kept, stamped with the SQLite file's size and time, and reloaded only when the file changes. Every
call then clones it (``CREATE DATABASE ... TEMPLATE``, a file copy: seconds), so each run starts from the same
state. The warehouse files stay where they are: ``riskloop --home HOME --database-url URL serve`` serves the
same workspace on PostgreSQL.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import sqlalchemy as sa

import riskloop.storage
from riskloop.storage.migrate import upgrade
from riskloop.storage.models import metadata

for _module in pkgutil.iter_modules(riskloop.storage.__path__):  # every table on the metadata, whoever imports this
    if _module.name.endswith("_models"):
        importlib.import_module(f"riskloop.storage.{_module.name}")

BATCH = 5_000
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_copy(sqlite_url: str, server: str = DEFAULT_SERVER, name: str = "riskloop_bench") -> str:
    """A fresh PostgreSQL database ``name`` holding what the database at ``sqlite_url`` holds; its URL."""
    stamp = database_stamp(Path(sa.make_url(sqlite_url).database or ""))
    template = f"{name}_template"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if _comment(conn, template) != stamp:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{template}"'))
                _load(sqlite_url, _url(server, template))
                conn.execute(sa.text(f"COMMENT ON DATABASE \"{template}\" IS '{stamp}'"))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    return _url(server, name)


def database_stamp(path: Path) -> str:
    """Size and modification time of a SQLite database and its write-ahead log: changes when its content does.

    An empty log holds nothing: opening and closing the database truncates it again, which changes only its time.
    """
    wal = path.with_name(path.name + "-wal")
    files = [path, *([wal] if wal.exists() and wal.stat().st_size else [])]
    return ";".join(f"{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)


def _url(server: str, database: str) -> str:
    return sa.make_url(server).set(database=database).render_as_string(hide_password=False)


def _comment(conn: sa.Connection, database: str) -> str | None:
    found = conn.execute(
        sa.text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :d"), {"d": database}
    ).first()
    return None if found is None else found[0]


def _load(sqlite_url: str, target_url: str) -> None:
    upgrade(target_url)
    source, target = sa.create_engine(sqlite_url), sa.create_engine(target_url)
    try:
        with source.connect() as read, target.begin() as write:
            present = set(sa.inspect(read).get_table_names())
            for table in metadata.sorted_tables:
                if table.name not in present:
                    continue
                write.execute(table.delete())  # rows a migration seeded are copied with the rest
                rows = read.execution_options(stream_results=True).execute(sa.select(table))
                while chunk := rows.fetchmany(BATCH):
                    write.execute(table.insert(), [dict(r._mapping) for r in chunk])
            for table in metadata.sorted_tables:  # serial ids go on after the copied rows
                for column in table.columns:
                    if column.primary_key and isinstance(column.type, sa.Integer):
                        _reset_sequence(write, table.name, column.name)
    finally:
        source.dispose()
        target.dispose()


def _reset_sequence(conn: sa.Connection, table: str, column: str) -> None:
    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}).scalar()
    if sequence:
        conn.execute(
            sa.text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)'),
            {"s": sequence},
        )
