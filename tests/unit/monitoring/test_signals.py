"""Signals: point in time (rows dated later never change them), incremental folds equal one full fold."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from riskloop.domain.tables import table
from riskloop.monitoring.engine import DuckDBRunner, compute_signals, fold_days, merge_days
from riskloop.monitoring.signals import DAILY_TABLES, SIGNAL_NAMES, SIGNAL_TABLES, SIGNALS
from riskloop.monitoring.store import ORIGIN, DailyStore

END = dt.date(2026, 6, 30)
# The schedule is the loan's contract, known whole at disbursal: its due dates are not record dates.
_UNDATED = {"repayment_schedules"}


def _random_days(seed: int, n: int) -> list[dt.date]:
    g = random.Random(seed)
    return sorted(dt.date(2025, 3, 1) + dt.timedelta(days=g.randrange(0, 480)) for _ in range(n))


def _signals(root: Path, day: dt.date) -> pa.Table:
    runner = DuckDBRunner(root, threads=1)
    return compute_signals(runner, fold_days(runner, ORIGIN, day), day)


def _truncate(src: Path, dst: Path, day: dt.date) -> None:
    """A copy of the universe without any row dated after ``day`` (as if it were ``day`` today)."""
    for name in sorted(set(DAILY_TABLES) | set(SIGNAL_TABLES)):
        data = pq.read_table(src / name)
        column = table(name).partition_date
        if column is not None and name not in _UNDATED:
            dates = pc.cast(data[column], pa.date32()) if pa.types.is_timestamp(data[column].type) else data[column]
            data = data.filter(pc.less_equal(dates, pa.scalar(day)))
        (dst / name).mkdir(parents=True)
        pq.write_table(data, dst / name / "part-00000.parquet")


def test_every_signal_is_documented_once() -> None:
    assert len(set(SIGNAL_NAMES)) == len(SIGNALS) == 20
    assert all(s.label_zh and s.label_en and s.unit and s.window for s in SIGNALS)
    doc = (Path(__file__).parents[3] / "docs" / "post-loan.md").read_text("utf-8")
    assert all(f"`{name}`" in doc for name in SIGNAL_NAMES)


@pytest.mark.parametrize("day", _random_days(5, 3))
def test_rows_dated_after_the_day_never_change_a_signal(monitor_universe: Path, tmp_path: Path, day: dt.date) -> None:
    full = _signals(monitor_universe, day)
    _truncate(monitor_universe, tmp_path, day)
    assert full.num_rows > 10
    assert _signals(tmp_path, day).equals(full)


def test_signals_have_values_on_the_sample(monitor_universe: Path) -> None:
    out = _signals(monitor_universe, dt.date(2025, 12, 31))
    assert out.num_rows > 20
    assert out.column_names[:5] == ["loan_id", "credit_code", "as_of", "industry_section", "enterprise_kind"]
    assert len(set(out["loan_id"].to_pylist())) == out.num_rows
    flows = ("inflow_drop", "net_outflow_ratio", "related_outflow_ratio", "vat_revenue_drop", "invoice_amount_drop")
    assert all(out[name].null_count < out.num_rows for name in flows)
    assert pc.max(out["days_past_due"]).as_py() <= 90  # past 90 days a loan has defaulted: off the book


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_folds_give_the_signals_of_one_full_fold(monitor_universe: Path, tmp_path: Path, seed: int) -> None:
    runner = DuckDBRunner(monitor_universe, threads=1)
    cuts = _random_days(seed, 4)
    store = DailyStore(tmp_path)
    lo = ORIGIN
    for hi in cuts:
        store.add(lo, hi, fold_days(runner, lo, hi))
        lo = hi
    assert store.watermark() == cuts[-1]
    full = fold_days(runner, ORIGIN, cuts[-1])
    parts = merge_days([pq.read_table(p) for _, _, p in store.parts()])
    assert parts.sort_by([("credit_code", "ascending"), ("day", "ascending")]).equals(full)
    for day in cuts[1:]:
        assert compute_signals(runner, store.read(day), day).equals(compute_signals(runner, full, day))
