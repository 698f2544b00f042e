"""Run the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from riskloop.errors import StorageError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations and ``database_url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an option: configparser would choke on '%' in passwords.
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` up to ``revision`` (default: the latest).

    Parameters
    ----------
    database_url:
        SQLAlchemy URL of the database to migrate.
    revision:
        Target revision id, ``"head"`` for the latest.

    """
    try:
        command.upgrade(alembic_config(database_url), revision)
    except Exception as exc:  # Alembic and drivers raise many types; callers get one
        raise StorageError(f"database migration to {revision} failed on {_redact(database_url)}: {exc}") from exc


def _redact(url: str) -> str:
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a bad URL is still worth showing without its password
        return "<database url>"
