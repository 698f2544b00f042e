"""Arrival-based folding: a run folds the rows of the part files that arrived since the last fold, not a date range.

The warehouse only appends part files (``io.warehouse``: one set per ingest run, never rewritten), so what
arrived since the last fold is the part files the fold ledger has not seen. The ledger records, per source file,
the day up to which its rows are folded (its *mark*) and whether every row of it is folded (*done*: its last
dated row, from the Parquet statistics, is on or before the mark). A fold as of ``D``:

1. **new event rows**: the rows dated on or before ``D`` of every new file, whatever their date. A row arriving
   late (dated before earlier folds) lands in its own day: the aggregates are sums, and parts are added.
2. **rows coming due**: the rows dated in ``(mark, D]`` of known files not done (files holding rows dated after
   the day they were folded, such as a generated universe); a done file is never read again.
3. **corrections**: the fold reads the tables it joins whole (loans: who is a borrower; enterprises, officers,
   shareholders, guarantees: who is a related party). A new row there changes what the folded rows of some
   enterprises add up to, so those enterprises are re-folded from the files already folded (each up to its
   mark) and the part stores the difference to what was stored: new borrowers get their whole history, and an
   enterprise with a new relation its transactions (only ``related_out_cents`` depends on relations).

Every aggregate column is a sum of per-row values (amounts, 0/1 counts), and a relation counts for a transaction
from its start day (``since_date``/``start_date`` on or before the transaction's day), so folding a file in
pieces, in any order, gives the sums one fold of everything gives. The part and the ledger are committed in one
atomic rename (``DailyStore.commit``): an interrupted fold leaves nothing, and running again redoes it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskloop.errors import ValidationError
from riskloop.monitoring.engine import DAILY_SCHEMA, SqlRunner, fold_days, table_files
from riskloop.monitoring.signals import DAILY_COLUMNS
from riskloop.monitoring.store import ORIGIN, DailyStore

# Each table the fold sums rows of, with the column dating its rows.
EVENT_DATES = {
    "account_transactions": "ts",
    "invoices": "issue_date",
    "tax_declarations": "filed_date",
    "litigations": "filed_date",
    "enforcements": "filed_date",
    "admin_penalties": "penalty_date",
    "registration_changes": "change_date",
    "credit_inquiries": "inquiry_date",
}
BORROWERS = "loans"
TXN = "account_transactions"
# Tables of related parties, with the columns naming the enterprises a new row relates.
RELATIONS = {
    "enterprises": ("credit_code",),
    "officers": ("credit_code",),
    "guarantees": ("credit_code",),
    "shareholders": ("credit_code", "holder_id"),
}
TXN_COLUMNS = ("inflow_cents", "outflow_cents", "related_out_cents")
DONE = "done"


@dataclass
class Ledger:
    """Per source file (``table/name``): its size, and for event files the mark (ISO day) or ``done``."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        """The ledger as stored in a part's metadata."""
        return json.dumps({"files": self.files}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Ledger:
        """The ledger of ``to_json`` (empty for ``None``)."""
        return cls(dict(json.loads(text)["files"])) if text else cls()


@dataclass(frozen=True)
class FoldOutcome:
    """What one fold read and added: the date windows of rows coming due, files, refolded enterprises, rows."""

    window: tuple[dt.date, dt.date] | None
    files: int
    new_files: int
    refolded: int
    rows: int
    seq: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "files": self.files,
            "new_files": self.new_files,
            "refolded_enterprises": self.refolded,
            "rows": self.rows,
            "fold": self.seq,
        }


def _key(name: str, path: Path) -> str:
    return f"{name}/{path.name}"


def _last_day(path: Path, column: str) -> dt.date | None:
    """The latest day of ``column`` in a Parquet file from its statistics (``None``: unknown or no rows)."""
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.to_arrow_schema().get_field_index(column)
    latest: dt.date | None = None
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(index).statistics
        if stats is None or not stats.has_min_max:
            return None
        value = stats.max
        day = value.astimezone(dt.UTC).date() if isinstance(value, dt.datetime) else value
        latest = day if latest is None or day > latest else latest
    return latest


def _codes(paths: Iterable[Path], columns: Sequence[str]) -> set[str]:
    """The credit codes in ``columns`` of some part files (a shareholder's holder only when an enterprise)."""
    found: set[str] = set()
    for path in paths:
        wanted = [*columns, "holder_kind"] if "holder_id" in columns else list(columns)
        data = pq.read_table(path, columns=wanted)
        for column in columns:
            values = data[column]
            if column == "holder_id":
                values = values.filter(pc.equal(data["holder_kind"], "enterprise"))
            found.update(v for v in values.to_pylist() if v is not None)
    return found


class _Plan:
    """The files of one fold and what the ledger becomes."""

    def __init__(self, root: Path, ledger: Ledger, as_of: dt.date) -> None:
        self.root, self.old, self.as_of = root, ledger, as_of
        self.files: dict[str, dict[str, Any]] = {k: dict(v) for k, v in ledger.files.items()}
        self.listing = {name: table_files(root, name) for name in [*EVENT_DATES, BORROWERS, *RELATIONS]}
        for name, paths in self.listing.items():
            for path in paths:
                known = ledger.files.get(_key(name, path))
                if known is not None and known["bytes"] != path.stat().st_size:
                    raise ValidationError(
                        "monitor_daily",
                        f"{_key(name, path)} changed since it was folded (warehouse part files are never rewritten):"
                        " remove monitor_daily/ to rebuild the aggregates",
                    )

    def new(self, name: str) -> list[Path]:
        return [p for p in self.listing[name] if _key(name, p) not in self.old.files]

    def known(self, name: str) -> list[Path]:
        return [p for p in self.listing[name] if _key(name, p) in self.old.files]

    def due(self) -> dict[dt.date, dict[str, list[Path]]]:
        """Per lower bound, the event files with rows to fold in ``(lo, as_of]``: new files from the origin."""
        groups: dict[dt.date, dict[str, list[Path]]] = defaultdict(lambda: {n: [] for n in EVENT_DATES})
        for name in EVENT_DATES:
            for path in self.listing[name]:
                known = self.old.files.get(_key(name, path))
                if known is None:
                    groups[ORIGIN][name].append(path)
                elif known["mark"] != DONE and dt.date.fromisoformat(known["mark"]) < self.as_of:
                    groups[dt.date.fromisoformat(known["mark"])][name].append(path)
        return dict(groups)

    def folded(self, tables: Sequence[str]) -> dict[dt.date, dict[str, list[Path]]]:
        """Per mark, the known event files of ``tables`` (their rows up to the mark are in the aggregates)."""
        groups: dict[dt.date, dict[str, list[Path]]] = defaultdict(lambda: {n: [] for n in EVENT_DATES})
        for name in tables:
            for path in self.known(name):
                mark = self.old.files[_key(name, path)]["mark"]
                day = dt.date.fromisoformat(mark if mark != DONE else self.old.files[_key(name, path)]["last"])
                groups[day][name].append(path)
        return dict(groups)

    def mark(self, groups: Mapping[dt.date, Mapping[str, Sequence[Path]]]) -> None:
        """Record the event files of ``groups`` as folded up to ``as_of`` (done when no row is later)."""
        for per_table in groups.values():
            for name, paths in per_table.items():
                for path in paths:
                    last = _last_day(path, EVENT_DATES[name])
                    done = last is not None and last <= self.as_of
                    self.files[_key(name, path)] = {
                        "bytes": path.stat().st_size,
                        "mark": DONE if done else self.as_of.isoformat(),
                        "last": (last or self.as_of).isoformat() if done else None,
                    }

    def see(self, names: Iterable[str]) -> None:
        for name in names:
            for path in self.new(name):
                self.files[_key(name, path)] = {"bytes": path.stat().st_size}


def fold_arrivals(runner: SqlRunner, store: DailyStore, as_of: dt.date) -> FoldOutcome | None:
    """Fold what arrived since the last fold (see the module) into ``store``; ``None`` when nothing did."""
    seq, text = store.ledger()
    plan = _Plan(runner.root, Ledger.from_json(text), as_of)
    pieces, refolded = _corrections(runner, store, plan)
    due = plan.due()
    for lo, per_table in sorted(due.items()):
        pieces.append(fold_days(runner, lo, as_of, files=per_table, ordered=False))
    new_dims = [n for n in (BORROWERS, *RELATIONS) if plan.new(n)]
    if not due and not new_dims:
        return None
    plan.mark(due)
    plan.see([BORROWERS, *RELATIONS])
    table = _sum(pieces)
    store.commit(table, Ledger(plan.files).to_json(), seq + 1)
    window = (min(due), as_of) if due else None
    files = sum(len(p) for g in due.values() for p in g.values())
    fresh_files = sum(len(g) for g in due.get(ORIGIN, {}).values())
    return FoldOutcome(window, files, fresh_files, refolded, table.num_rows, seq + 1)


def _corrections(runner: SqlRunner, store: DailyStore, plan: _Plan) -> tuple[list[pa.Table], int]:
    """The differences new borrowers and new relations make to what the folded files add up to."""
    if not plan.old.files:
        return [], 0  # the first fold reads everything with the current tables
    before = _codes(plan.known(BORROWERS), ("credit_code",))
    now = before | _codes(plan.new(BORROWERS), ("credit_code",))
    fresh = now - before
    related: set[str] = set()
    for name, columns in RELATIONS.items():
        related |= _codes(plan.new(name), columns)
    related = (related & now) - fresh
    pieces = []
    if fresh:
        pieces += _refold(runner, plan.folded(list(EVENT_DATES)), fresh)
    if related:
        redone = _refold(runner, plan.folded([TXN]), related)
        stored = store.of(pa.array(sorted(related), pa.string()))
        pieces += [*redone, _negated(_only(stored, TXN_COLUMNS))]
    return pieces, len(fresh) + len(related)


def _refold(
    runner: SqlRunner, groups: Mapping[dt.date, Mapping[str, Sequence[Path]]], codes: set[str]
) -> list[pa.Table]:
    return [
        fold_days(runner, ORIGIN, mark, files=files, only=sorted(codes), ordered=False)
        for mark, files in sorted(groups.items())
    ]


def _only(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """``table`` with every aggregate column outside ``columns`` zeroed."""
    zero = pa.array([0] * table.num_rows, pa.int64())
    arrays = [table[c] if c in columns or c not in DAILY_COLUMNS else zero for c in DAILY_SCHEMA.names]
    return pa.table(arrays, schema=DAILY_SCHEMA)


def _negated(table: pa.Table) -> pa.Table:
    arrays = [pc.negate(table[c]) if c in DAILY_COLUMNS else table[c] for c in DAILY_SCHEMA.names]
    return pa.table(arrays, schema=DAILY_SCHEMA)


def _sum(pieces: Sequence[pa.Table]) -> pa.Table:
    """The pieces as one table, rows that add up to nothing dropped (in no given order).

    Several pieces are summed per enterprise and day (a correction meets what it corrects); one is kept as it is.
    """
    if not pieces:
        return DAILY_SCHEMA.empty_table()
    if len(pieces) == 1:
        summed = pieces[0].cast(DAILY_SCHEMA)  # rows of one enterprise and day may repeat: parts are additive
    else:
        both = pa.concat_tables([p.cast(DAILY_SCHEMA) for p in pieces])
        summed = both.group_by(["credit_code", "day"]).aggregate([(c, "sum") for c in DAILY_COLUMNS])
        summed = summed.rename_columns([c.removesuffix("_sum") for c in summed.column_names])
        summed = summed.select(DAILY_SCHEMA.names).cast(DAILY_SCHEMA)
    nonzero = pc.not_equal(summed[DAILY_COLUMNS[0]], 0)
    for c in DAILY_COLUMNS[1:]:
        nonzero = pc.or_(nonzero, pc.not_equal(summed[c], 0))
    return summed if pc.all(nonzero).as_py() is not False else summed.filter(nonzero)  # a fold's rows all count
