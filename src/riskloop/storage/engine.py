"""Database engines: SQLite (WAL, foreign keys) for the embedded default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from riskloop.errors import ConfigError

PG_CONNECT_TIMEOUT_SECONDS = 5  # an unreachable server is a StorageError (503) after this, not a hung request
PG_LOCK_TIMEOUT_MS = 5_000  # a row or table lock not granted by then fails the statement: a StorageError too


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster bulk loads
    cursor.execute("PRAGMA busy_timeout=5000")  # a write lock held longer is a StorageError (503), not a hang
    cursor.close()


def postgres_connect_args(url: sa.URL) -> dict[str, Any]:
    """A bounded connect and lock wait for a PostgreSQL engine, where the URL sets none of its own."""
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = PG_CONNECT_TIMEOUT_SECONDS
    options = url.query.get("options", "")
    options = options if isinstance(options, str) else " ".join(options)
    if "lock_timeout" not in options:
        args["options"] = f"{options} -c lock_timeout={PG_LOCK_TIMEOUT_MS}".strip()  # kept: the URL's own options
    return args


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
    connect_args = postgres_connect_args(url) if url.get_backend_name() == "postgresql" else {}
    # hide_parameters: a driver error (or echo) never quotes bound values, which carry decision inputs and identifiers
    engine = sa.create_engine(url, connect_args=connect_args, hide_parameters=True)
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
