"""Where monitoring keeps its state on disk: the daily aggregates (incremental) and the signals of each as-of day.

Both are written atomically (a temporary file renamed into place), so an interrupted run leaves either the whole
file or none, and a re-run finds what the interrupted one finished.

- ``<root>/monitor_daily/part-<lo>-<hi>.parquet``: aggregates of the rows dated in ``(lo, hi]``; parts never
  overlap, and the latest ``hi`` is the watermark: the next run folds only the days after it.
- ``<root>/monitor_signals/as_of=<D>/signals.parquet``: the signals of every loan on the book as of ``D``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskloop.monitoring.engine import DAILY_SCHEMA, SIGNALS_SCHEMA, merge_days

_PART = re.compile(r"^part-(\d{8})-(\d{8})\.parquet$")
ORIGIN = dt.date(1900, 1, 1)  # the lower bound of the first fold: every row dated before its hi


def _atomic_write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


class DailyStore:
    """The per-enterprise daily aggregates, as non-overlapping parts."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "monitor_daily"

    def parts(self) -> list[tuple[dt.date, dt.date, Path]]:
        """Every part's ``(lo, hi, path)``, by ``hi``."""
        found = []
        for path in self.folder.glob("part-*.parquet") if self.folder.is_dir() else []:
            m = _PART.match(path.name)
            if m:
                lo, hi = (dt.datetime.strptime(g, "%Y%m%d").date() for g in m.groups())
                found.append((lo, hi, path))
        return sorted(found, key=lambda p: p[1])

    def watermark(self) -> dt.date | None:
        """The last day folded, or ``None`` before the first run."""
        parts = self.parts()
        return parts[-1][1] if parts else None

    def add(self, lo: dt.date, hi: dt.date, table: pa.Table) -> None:
        """Store the aggregates of ``(lo, hi]``; ``lo`` must be the watermark (or ``ORIGIN`` for the first)."""
        _atomic_write(table.cast(DAILY_SCHEMA), self.folder / f"part-{lo:%Y%m%d}-{hi:%Y%m%d}.parquet")

    def read(self, upto: dt.date, days: int = 270) -> pa.Table:
        """The aggregates of the ``days`` days up to ``upto`` (what the signals' windows reach)."""
        start = upto - dt.timedelta(days=days)
        tables = []
        for lo, hi, path in self.parts():
            if hi > start and lo < upto:
                t = pq.read_table(path, schema=DAILY_SCHEMA)
                keep = pc.and_(pc.greater(t["day"], pa.scalar(start)), pc.less_equal(t["day"], pa.scalar(upto)))
                tables.append(t.filter(keep))
        return merge_days(tables)


class SignalStore:
    """The signals of each as-of day."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "monitor_signals"

    def path(self, as_of: dt.date) -> Path:
        """Where the signals of ``as_of`` are."""
        return self.folder / f"as_of={as_of.isoformat()}" / "signals.parquet"

    def read(self, as_of: dt.date) -> pa.Table | None:
        """The signals of ``as_of``, if a run wrote them."""
        path = self.path(as_of)
        return pq.read_table(path, schema=SIGNALS_SCHEMA) if path.is_file() else None

    def write(self, as_of: dt.date, table: pa.Table) -> Path:
        """Store the signals of ``as_of`` (replacing an earlier file of that day)."""
        path = self.path(as_of)
        _atomic_write(table.cast(SIGNALS_SCHEMA), path)
        return path
