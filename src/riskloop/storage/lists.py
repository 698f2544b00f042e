"""The bank's lists as files: one credit code a line (blank lines and ``#`` comments ignored)."""

from __future__ import annotations

from pathlib import Path

from riskloop.errors import DataSourceError


def read_list(path: Path) -> frozenset[str]:
    """The credit codes listed in ``path``; DataSourceError saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"blacklist {path} cannot be read ({type(exc).__name__}: {exc})") from exc
    codes = (line.split("#", 1)[0].strip().upper() for line in text.splitlines())
    return frozenset(code for code in codes if code)
