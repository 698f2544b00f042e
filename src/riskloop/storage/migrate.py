"""Run the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from riskloop.errors import StorageError
from riskloop.storage.engine import driver_message, parse_url, redact

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, home: Path | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations and ``database_url``.

    ``home`` is the workspace whose keys a migration that protects stored data needs (0010).
    """
    cfg = Config()
    cfg.attributes["home"] = home
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an option: configparser would choke on '%' in passwords.
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head", *, home: Path | None = None) -> None:
    """Bring the database at ``database_url`` up to ``revision`` (default: the latest).

    Parameters
    ----------
    database_url:
        SQLAlchemy URL of the database to migrate.
    revision:
        Target revision id, ``"head"`` for the latest.
    home:
        The workspace directory, whose keys seal personal data already stored (migration 0010).

    """
    try:
        command.upgrade(alembic_config(database_url, home), revision)
    except Exception as exc:  # Alembic and drivers raise many types; callers get one
        where = redact(database_url)
        raise StorageError(f"database migration to {revision} failed on {where}: {driver_message(exc)}") from exc


def schema_revision(database_url: str) -> str | None:
    """The revision the database at ``database_url`` was migrated to; ``None`` when it never was.

    Nothing is created: a SQLite file that does not exist is not opened (opening it would create it), and a
    server is only read. A database that cannot be reached is a StorageError with the driver's reason.
    """
    url = parse_url(database_url)
    if url.get_backend_name() == "sqlite" and (url.database in (None, "", ":memory:") or not _is_file(url.database)):
        return None
    engine = sa.create_engine(url, hide_parameters=True)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"database {redact(database_url)}: cannot connect: {driver_message(exc)}") from exc
    finally:
        engine.dispose()


def _is_file(path: str | None) -> bool:
    return path is not None and Path(path).is_file()
