"""The PII grep: every text of a database, and of files under a directory, searched for raw identifiers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq
import sqlalchemy as sa


def database_texts(engine: sa.Engine) -> dict[str, str]:
    """Per table, every value of every row as text (text, JSON and binary columns alike), one table a string."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        for name, table in meta.tables.items():
            parts: list[str] = []
            for row in conn.execute(sa.select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", "replace"))
                    elif value is not None:
                        parts.append(str(value))
            out[name] = "\n".join(parts)
    return out


def file_texts(*roots: Path) -> dict[str, str]:
    """Every file under ``roots``: Parquet as its decoded values (pages are compressed), others as UTF-8 bytes."""
    out: dict[str, str] = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if path.suffix == ".parquet":
                out[str(path)] = "\n".join(str(v) for col in pq.read_table(path).columns for v in col.to_pylist())
            else:
                out[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return out


def hits(texts: dict[str, str], raws: Iterable[str]) -> dict[str, int]:
    """How many times any of ``raws`` occurs, per text that holds one (empty: no hit)."""
    found: dict[str, int] = {}
    needles = [r for r in raws if r]
    for where, text in texts.items():
        n = sum(text.count(r) for r in needles)
        if n:
            found[where] = n
    return found
