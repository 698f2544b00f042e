"""Where monitoring keeps its state on disk: the daily aggregates (incremental) and the signals of each as-of day.

Both are written atomically (a temporary file renamed into place), so an interrupted run leaves either the whole
file or none, and a re-run finds what the interrupted one finished.

- ``<root>/monitor_daily/part-<lo>-<hi>-<seq>.parquet``: the aggregates one fold added (``monitoring.arrivals``:
  the rows of the part files that arrived since the previous fold, and corrections), of days in ``(lo, hi]``.
  Parts are additive: the aggregates of an enterprise and day are the sum of its rows over every part. Each part
  carries the fold ledger (which source files are folded, up to which day) in its Parquet metadata; the part of
  the highest ``seq`` holds the current one, so a fold commits its rows and its ledger in one rename.
- ``<root>/monitor_daily/part-<lo>-<hi>.parquet`` (``add``): aggregates of the rows dated in ``(lo, hi]`` folded
  by date windows; read only while no fold ledger exists (the first arrival fold rebuilds from the sources).
- ``<root>/monitor_signals/as_of=<D>/signals.parquet``: the signals of every loan on the book as of ``D``.
- ``<root>/monitor_signals/as_of=<D>/judged.parquet``: the policy's input and result of every loan as of ``D``, with
  the policy's key and content sha256 (``monitoring.judging``: the next run evaluates only the inputs that changed).
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
from riskloop.monitoring.judging import JUDGED_SCHEMA, Judged

_PART = re.compile(r"^part-(\d{8})-(\d{8})(?:-(\d{6}))?\.parquet$")
LEDGER_KEY = b"riskloop.fold_ledger"
SEQ_KEY = b"riskloop.fold_seq"
POLICY_KEY, DIGEST_KEY = b"riskloop.policy", b"riskloop.policy_sha256"
_AS_OF = re.compile(r"^as_of=(\d{4}-\d{2}-\d{2})$")
ROW_GROUP_ROWS = 64 * 1024
ORIGIN = dt.date(1900, 1, 1)  # the lower bound of the first fold: every row dated before its hi


def _atomic_write(table: pa.Table, path: Path, metadata: dict[bytes, bytes] | None = None, rows: int = 1 << 20) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, tmp, row_group_size=rows)
    os.replace(tmp, path)


def _by_day(table: pa.Table) -> bool:
    """Whether ``table`` is sorted by day."""
    if table.num_rows < 2:
        return True
    day = table["day"]
    return bool(pc.all(pc.greater_equal(day[1:], day[: table.num_rows - 1])).as_py())


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


class DailyStore:
    """The per-enterprise daily aggregates, as additive parts."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "monitor_daily"

    def _all(self) -> list[tuple[dt.date, dt.date, int | None, Path]]:
        found = []
        for path in self.folder.glob("part-*.parquet") if self.folder.is_dir() else []:
            m = _PART.match(path.name)
            if m:
                found.append((_day(m[1]), _day(m[2]), None if m[3] is None else int(m[3]), path))
        return found

    def parts(self) -> list[tuple[dt.date, dt.date, Path]]:
        """Every part that counts, ``(lo, hi, path)`` by ``hi``: the ledger's parts once one exists."""
        found = self._all()
        ledgered = [f for f in found if f[2] is not None]
        chosen = ledgered or found
        return [(lo, hi, path) for lo, hi, _, path in sorted(chosen, key=lambda f: (f[1], f[2] or 0))]

    def ledger(self) -> tuple[int, str | None]:
        """The sequence number and the JSON ledger of the latest fold (``(0, None)`` before the first)."""
        ledgered = [f for f in self._all() if f[2] is not None]
        if not ledgered:
            return 0, None
        *_, seq, path = max(ledgered, key=lambda f: f[2] or 0)
        meta = pq.read_schema(path).metadata or {}
        return int(seq or 0), meta[LEDGER_KEY].decode("utf-8")

    def commit(self, table: pa.Table, ledger: str, seq: int) -> Path:
        """Add one fold's aggregates with the ledger they bring the store to (one atomic rename)."""
        days = table["day"]
        lo = pc.min(days).as_py() - dt.timedelta(days=1) if table.num_rows else ORIGIN
        hi = pc.max(days).as_py() if table.num_rows else ORIGIN
        path = self.folder / f"part-{lo:%Y%m%d}-{hi:%Y%m%d}-{seq:06d}.parquet"
        by_day = table.cast(DAILY_SCHEMA)
        if not _by_day(by_day):  # a fold's engine sorts by day; what corrections summed is sorted here
            by_day = by_day.sort_by([("day", "ascending"), ("credit_code", "ascending")])
        # by day, in row groups of a few days: the signals' window reads its own
        _atomic_write(by_day, path, {LEDGER_KEY: ledger.encode("utf-8")}, rows=ROW_GROUP_ROWS)
        return path

    def watermark(self) -> dt.date | None:
        """The last day folded (by date windows), or ``None`` before the first run."""
        parts = self.parts()
        return parts[-1][1] if parts else None

    def add(self, lo: dt.date, hi: dt.date, table: pa.Table) -> None:
        """Store the aggregates of ``(lo, hi]``; ``lo`` must be the watermark (or ``ORIGIN`` for the first)."""
        _atomic_write(table.cast(DAILY_SCHEMA), self.folder / f"part-{lo:%Y%m%d}-{hi:%Y%m%d}.parquet")

    def read(self, upto: dt.date, days: int = 270, only: pa.Array | None = None) -> pa.Table:
        """The aggregates of the ``days`` days up to ``upto`` (what the signals' windows reach).

        Rows of one enterprise and day from several parts are kept apart (the signals sum them);
        with ``only``, of those enterprises alone.
        """
        start = upto - dt.timedelta(days=days)
        tables = []
        for lo, hi, path in self.parts():
            if hi > start and lo < upto:
                window = [("day", ">", start), ("day", "<=", upto)]
                t = pq.read_table(path, schema=DAILY_SCHEMA, filters=window)  # skips row groups outside it
                keep = pc.and_(pc.greater(t["day"], pa.scalar(start)), pc.less_equal(t["day"], pa.scalar(upto)))
                if only is not None:
                    keep = pc.and_(keep, pc.is_in(t["credit_code"], value_set=only))
                tables.append(t.filter(keep))
        return merge_days(tables)

    def files(self, upto: dt.date, days: int = 270) -> list[Path]:
        """The parts holding aggregates of the ``days`` days up to ``upto`` (for an engine to read)."""
        start = upto - dt.timedelta(days=days)
        return [path for lo, hi, path in self.parts() if hi > start and lo < upto]

    def of(self, codes: pa.Array) -> pa.Table:
        """Every stored aggregate row of the enterprises ``codes`` (any day)."""
        tables = []
        for _, _, path in self.parts():
            t = pq.read_table(path, schema=DAILY_SCHEMA)
            tables.append(t.filter(pc.is_in(t["credit_code"], value_set=codes)))
        return merge_days(tables)


class SignalStore:
    """The signals of each as-of day."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "monitor_signals"

    def path(self, as_of: dt.date) -> Path:
        """Where the signals of ``as_of`` are."""
        return self.folder / f"as_of={as_of.isoformat()}" / "signals.parquet"

    def read(self, as_of: dt.date, fold_seq: int | None = None) -> pa.Table | None:
        """The signals of ``as_of``, if a run wrote them (from the aggregates of fold ``fold_seq``, when given)."""
        path = self.path(as_of)
        if not path.is_file():
            return None
        meta = pq.read_schema(path).metadata or {}
        if fold_seq is not None and int(meta.get(SEQ_KEY, b"0")) != fold_seq:
            return None  # folded since: late rows may change them
        return pq.read_table(path, schema=SIGNALS_SCHEMA)

    def write(self, as_of: dt.date, table: pa.Table, fold_seq: int = 0) -> Path:
        """Store the signals of ``as_of`` computed from fold ``fold_seq`` (replacing an earlier file of that day)."""
        path = self.path(as_of)
        _atomic_write(table.cast(SIGNALS_SCHEMA), path, {SEQ_KEY: str(fold_seq).encode()})
        return path

    def write_judged(self, as_of: dt.date, judged: Judged) -> Path:
        """Store the policy's inputs and results of ``as_of`` (replacing an earlier file of that day)."""
        path = self.path(as_of).with_name("judged.parquet")
        meta = {POLICY_KEY: judged.policy.encode(), DIGEST_KEY: judged.digest.encode()}
        _atomic_write(judged.table.cast(JUDGED_SCHEMA), path, meta)
        return path

    def latest_judged(self, as_of: dt.date) -> Judged | None:
        """The policy's inputs and results of the latest day up to ``as_of`` that has them, or ``None``."""
        days = []
        for folder in self.folder.iterdir() if self.folder.is_dir() else []:
            m = _AS_OF.match(folder.name)
            if m and dt.date.fromisoformat(m[1]) <= as_of and (folder / "judged.parquet").is_file():
                days.append(dt.date.fromisoformat(m[1]))
        if not days:
            return None
        path = self.path(max(days)).with_name("judged.parquet")
        schema = pq.read_schema(path)
        meta = schema.metadata or {}
        if POLICY_KEY not in meta or DIGEST_KEY not in meta or not schema.remove_metadata().equals(JUDGED_SCHEMA):
            return None  # not of this policy input (a signal added since): evaluated again
        table = pq.read_table(path, schema=JUDGED_SCHEMA)
        return Judged(meta[POLICY_KEY].decode(), meta[DIGEST_KEY].decode(), table)
