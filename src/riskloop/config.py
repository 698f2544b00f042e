"""Settings: the workspace directory every command shares, and the database URL.

The workspace is chosen by ``--home``, else ``RISKLOOP_HOME``, else ``./riskloop-home``.
The database is ``RISKLOOP_DATABASE_URL`` if set, else a SQLite file inside the workspace.
``RISKLOOP_APPLICANT_AGE`` (``MIN-MAX``, default 18-70) is the applicant age range the products accept.
``RISKLOOP_WEBHOOKS`` (``topic=url,topic=url``) names the webhook each outbox topic is delivered to, and
``RISKLOOP_WEBHOOK_SECRET`` the secret that signs the deliveries (HMAC-SHA256; docs/post-loan.md).
``RISKLOOP_CORE_URL`` is the bank's core system that pays out drawdowns, ``RISKLOOP_CORE_SECRET`` the secret that
signs riskloop's instructions and the core's confirmations, ``RISKLOOP_CORE_TIMEOUT`` the seconds riskloop waits for
the core's answer (default 2; docs/drawdowns.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from riskloop.errors import ConfigError

DEFAULT_HOME = "riskloop-home"
DEFAULT_APPLICANT_AGE = (18, 70)
DEFAULT_CORE_TIMEOUT = 2.0


@dataclass(frozen=True)
class Settings:
    """Where a workspace keeps its data."""

    home: Path
    database_url: str
    applicant_age: tuple[int, int] = DEFAULT_APPLICANT_AGE  # inclusive, on the application date (ADR 0013)
    webhooks: tuple[tuple[str, str], ...] = ()  # (outbox topic, URL) pairs
    webhook_secret: str | None = field(default=None, repr=False)
    core_url: str | None = None  # the core banking system's base URL (None: drawdowns cannot be paid out)
    core_secret: str | None = field(default=None, repr=False)
    core_timeout: float = DEFAULT_CORE_TIMEOUT

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
    return Settings(
        home=path,
        database_url=url,
        applicant_age=_ages(os.environ.get("RISKLOOP_APPLICANT_AGE")),
        webhooks=parse_webhooks(os.environ.get("RISKLOOP_WEBHOOKS", ""), "RISKLOOP_WEBHOOKS"),
        webhook_secret=os.environ.get("RISKLOOP_WEBHOOK_SECRET") or None,
        core_url=_url(os.environ.get("RISKLOOP_CORE_URL"), "RISKLOOP_CORE_URL"),
        core_secret=os.environ.get("RISKLOOP_CORE_SECRET") or None,
        core_timeout=_seconds(os.environ.get("RISKLOOP_CORE_TIMEOUT"), "RISKLOOP_CORE_TIMEOUT", DEFAULT_CORE_TIMEOUT),
    )


def _url(text: str | None, source: str) -> str | None:
    """An http(s) base URL, or None when unset; anything else is a ConfigError naming ``source``."""
    if not text or not text.strip():
        return None
    if not text.strip().startswith(("http://", "https://")):
        raise ConfigError(f"{source}: {text!r} is not an http(s):// URL")
    return text.strip().rstrip("/")


def _seconds(text: str | None, source: str, default: float) -> float:
    """A positive number of seconds (at most 60), or ``default`` when unset."""
    if not text or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{source}: {text!r} is not a number of seconds") from None
    if not 0 < value <= 60:
        raise ConfigError(f"{source}: {text!r} must be more than 0 and at most 60 seconds")
    return value


def parse_webhooks(text: str, source: str) -> tuple[tuple[str, str], ...]:
    """``topic=url`` pairs separated by commas (empty: none); a malformed pair is a ConfigError naming ``source``."""
    pairs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        topic, sep, url = part.partition("=")
        if not (sep and topic.strip() and url.strip().startswith(("http://", "https://"))):
            raise ConfigError(f"{source}: {part!r} is not topic=http(s)://host/path")
        pairs.append((topic.strip(), url.strip()))
    return tuple(pairs)


def _ages(text: str | None) -> tuple[int, int]:
    """``MIN-MAX`` years (e.g. ``18-70``); unset: the default."""
    if not text:
        return DEFAULT_APPLICANT_AGE
    low, sep, high = text.strip().partition("-")
    if not (sep and low.strip().isdecimal() and high.strip().isdecimal() and int(low) <= int(high) <= 150):
        raise ConfigError(f"RISKLOOP_APPLICANT_AGE: {text!r} is not MIN-MAX years (e.g. 18-70)")
    return int(low), int(high)
