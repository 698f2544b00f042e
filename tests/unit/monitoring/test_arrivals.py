"""Arrival-based folding: rows arriving in any order, late ones included, give the signals of a full rebuild."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from riskloop.monitoring.arrivals import EVENT_DATES, RELATIONS, _sum, fold_arrivals
from riskloop.monitoring.engine import DuckDBRunner, compute_signals, fold_days
from riskloop.monitoring.signals import DAILY_TABLES, SIGNAL_TABLES
from riskloop.monitoring.store import ORIGIN, DailyStore

BATCHES = 3
SPLIT = (*EVENT_DATES, "loans", *RELATIONS)  # the tables whose rows arrive over several batches


def _arrive(src: Path, dst: Path, batch: int, seed: int) -> None:
    """Write batch ``batch`` of every table as a new part file: each row of a split table lands in a random one."""
    for name in sorted(set(DAILY_TABLES) | set(SIGNAL_TABLES)):
        data = pq.read_table(src / name)
        if name in SPLIT:
            g = random.Random(f"{seed}-{name}")
            which = pa.array([g.randrange(BATCHES) for _ in range(data.num_rows)])
            data = data.filter(pc.equal(which, batch))
        elif batch:
            continue  # the tables read whole by the signals arrive at once
        (dst / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(data, dst / name / f"part-{batch}.parquet")


def _summed(parts: list[pa.Table]) -> pa.Table:
    """One row per enterprise and day, zero sums dropped, in order."""
    return _sum([*parts, parts[0].slice(0, 0)]).sort_by([("credit_code", "ascending"), ("day", "ascending")])


def _full(root: Path, day: dt.date) -> pa.Table:
    runner = DuckDBRunner(root, threads=1)
    return compute_signals(runner, fold_days(runner, ORIGIN, day), day)


@pytest.mark.parametrize("seed", [1, 2])
def test_rows_arriving_late_and_in_any_order_give_the_signals_of_a_full_rebuild(
    monitor_universe: Path, tmp_path: Path, seed: int
) -> None:
    warehouse, home = tmp_path / "warehouse", tmp_path / "home"
    store, runner = DailyStore(home), DuckDBRunner(warehouse, threads=1)
    days = [dt.date(2025, 9, 30), dt.date(2025, 12, 31), dt.date(2026, 3, 31)]
    folds = []
    for batch, day in enumerate(days):
        _arrive(monitor_universe, warehouse, batch, seed)
        folds.append(fold_arrivals(runner, store, day))
        for as_of in (day, day - dt.timedelta(days=45)):  # the day, and a past day after late rows arrived
            got = compute_signals(runner, store.read(as_of), as_of)
            assert got.num_rows > (10 if batch == BATCHES - 1 else 0)
            assert got.equals(_full(warehouse, as_of)), (batch, as_of)
            assert compute_signals(runner, store.files(as_of), as_of).equals(got)  # the engine reading the parts
        stored = _summed([pq.read_table(path) for _, _, path in store.parts()])
        assert stored.equals(_summed([fold_days(runner, ORIGIN, day)])), (
            batch
        )  # every day's sums, not only the windows'
    assert pc.sum(stored["related_out_cents"]).as_py() > 0
    assert all(f is not None for f in folds)
    assert folds[0] is not None
    assert folds[0].window == (ORIGIN, days[0])
    later = [f for f in folds[1:] if f is not None]
    assert all(f.refolded > 0 for f in later)  # new borrowers and new relations re-folded their enterprises
    assert all(f.new_files == len(EVENT_DATES) for f in later)  # one new file per event table
    assert fold_arrivals(runner, store, days[-1]) is None  # nothing arrived: nothing read, nothing written


def test_a_changed_source_file_is_refused_naming_the_rebuild(monitor_universe: Path, tmp_path: Path) -> None:
    from riskloop.errors import ValidationError

    warehouse = tmp_path / "warehouse"
    _arrive(monitor_universe, warehouse, 0, 3)
    store, runner = DailyStore(tmp_path / "home"), DuckDBRunner(warehouse, threads=1)
    assert fold_arrivals(runner, store, dt.date(2025, 6, 30)) is not None
    part = warehouse / "invoices" / "part-0.parquet"
    pq.write_table(pq.read_table(part).slice(1), part)
    with pytest.raises(ValidationError, match="remove monitor_daily"):
        fold_arrivals(runner, store, dt.date(2025, 7, 31))
