"""Settings: the workspace directory every command shares, and the database URL.

The workspace is chosen by ``--home``, else ``RISKLOOP_HOME``, else ``./riskloop-home``.
The database is ``RISKLOOP_DATABASE_URL`` if set, else a SQLite file inside the workspace.
``RISKLOOP_APPLICANT_AGE`` (``MIN-MAX``, default 18-70) is the applicant age range the products accept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from riskloop.errors import ConfigError

DEFAULT_HOME = "riskloop-home"
DEFAULT_APPLICANT_AGE = (18, 70)


@dataclass(frozen=True)
class Settings:
    """Where a workspace keeps its data."""

    home: Path
    database_url: str
    applicant_age: tuple[int, int] = DEFAULT_APPLICANT_AGE  # inclusive, on the application date (ADR 0013)

    @property
    def warehouse(self) -> Path:
        """Directory of the analytical Parquet tables (queried with DuckDB)."""
        return self.home / "warehouse"

    @property
    def quarantine_dir(self) -> Path:
        """Directory of quarantined rows, one JSON Lines file per ingest run and table."""
        return self.home / "quarantine"

    @property
    def universes(self) -> Path:
        """Default directory of generated synthetic universes."""
        return self.home / "universes"


def load_settings(home: str | Path | None = None, database_url: str | None = None) -> Settings:
    """Resolve settings from arguments, then environment, then defaults."""
    raw_home = home if home is not None else os.environ.get("RISKLOOP_HOME") or DEFAULT_HOME
    path = Path(raw_home).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"home: {path} exists and is not a directory")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ConfigError(f"home: {path} cannot be created: {blocking} is a file, not a directory")
    url = database_url or os.environ.get("RISKLOOP_DATABASE_URL") or f"sqlite:///{path / 'riskloop.db'}"
    if "://" not in url:
        raise ConfigError(f"database_url: {url!r} is not a SQLAlchemy URL (e.g. postgresql+psycopg://host/db)")
    return Settings(home=path, database_url=url, applicant_age=_ages(os.environ.get("RISKLOOP_APPLICANT_AGE")))


def _ages(text: str | None) -> tuple[int, int]:
    """``MIN-MAX`` years (e.g. ``18-70``); unset: the default."""
    if not text:
        return DEFAULT_APPLICANT_AGE
    low, sep, high = text.strip().partition("-")
    if not (sep and low.strip().isdecimal() and high.strip().isdecimal() and int(low) <= int(high) <= 150):
        raise ConfigError(f"RISKLOOP_APPLICANT_AGE: {text!r} is not MIN-MAX years (e.g. 18-70)")
    return int(low), int(high)
