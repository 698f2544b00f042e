"""Database engines: SQLite (WAL, foreign keys) for the embedded default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from riskloop.errors import ConfigError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster bulk loads
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def parse_url(database_url: str) -> sa.URL:
    """``database_url`` parsed; ConfigError when it is not a URL of a supported database."""
    try:
        url = sa.make_url(database_url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"database_url: {database_url!r} is not a SQLAlchemy URL ({exc})") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"database_url: unsupported database {url.get_backend_name()!r}; valid: postgresql, sqlite")
    return url


def make_engine(database_url: str) -> sa.Engine:
    """Create an engine for ``database_url``; SQLite connections get WAL and foreign keys.

    Parameters
    ----------
    database_url:
        A SQLAlchemy URL such as ``sqlite:///riskloop.db`` or ``postgresql+psycopg://host/db``.

    """
    url = parse_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # a new workspace has no directory yet
    # hide_parameters: a driver error (or echo) never quotes bound values, which carry decision inputs and identifiers
    engine = sa.create_engine(url, hide_parameters=True)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def driver_message(exc: BaseException) -> str:
    """The first line of a database driver's error, without SQLAlchemy's statement and background link."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def redact(database_url: str) -> str:
    """``database_url`` with its password hidden."""
    try:
        return sa.make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # a bad URL is still worth naming without its password
        return "<database url>"
