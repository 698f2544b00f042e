"""The behaviour score's observed label: 90+ days past due within the horizon, from no row after snapshot + horizon."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskloop.domain.outcome import add_months
from riskloop.monitoring.behaviour import HISTORY_TABLES, first_bad_sql, history_sql, label_rows
from riskloop.monitoring.engine import DuckDBRunner

D = dt.date
DUE = [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31)]  # three instalments of 1,000 cents


def _tables(root: Path, payments: list[tuple[str, int, dt.date, int]]) -> DuckDBRunner:
    """Two loans (A, B) disbursed 2024-12-31 with the instalments ``DUE``, and the ``payments`` given."""
    loans = pa.table(
        {
            "loan_id": ["A", "B"],
            "credit_code": ["X", "Y"],
            "disbursed_date": pa.array([D(2024, 12, 31)] * 2, pa.date32()),
            "principal_cents": [3000, 3000],
            "term_months": [3, 3],
        }
    )
    sched = pa.table(
        {
            "loan_id": [x for x in ("A", "B") for _ in DUE],
            "installment_no": [i + 1 for _ in ("A", "B") for i in range(len(DUE))],
            "due_date": pa.array(DUE * 2, pa.date32()),
            "principal_due_cents": [900] * 6,
            "interest_due_cents": [100] * 6,
        }
    )
    reps = pa.table(
        {
            "repayment_id": [f"R{i}" for i in range(len(payments))],
            "loan_id": [p[0] for p in payments],
            "installment_no": pa.array([p[1] for p in payments], pa.int64()),
            "paid_date": pa.array([p[2] for p in payments], pa.date32()),
            "amount_cents": pa.array([p[3] for p in payments], pa.int64()),
        }
    )
    for name, table in zip(HISTORY_TABLES, (loans, sched, reps), strict=True):
        (root / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, root / name / "part-0.parquet")
    return DuckDBRunner(root, threads=1)


def _snapshots(days: list[dt.date]) -> pa.Table:
    return pa.table({"loan_id": [x for _ in days for x in ("A", "B")],
                     "as_of": pa.array([d for d in days for _ in ("A", "B")], pa.date32())})  # fmt: skip


def _labels(runner: DuckDBRunner, days: list[dt.date], observed: dt.date, horizon: int = 3) -> dict[Any, int]:
    first_bad = runner.run(first_bad_sql(observed), HISTORY_TABLES, {})
    out = label_rows(_snapshots(days), first_bad, observed, horizon).to_pylist()
    return {(r["loan_id"], r["as_of"]): r["bad"] for r in out}


PAID_ON_TIME = [(x, i + 1, d, 1000) for x in ("A", "B") for i, d in enumerate(DUE)]


def test_a_loan_unpaid_90_days_after_a_due_date_is_bad_in_the_window_that_holds_that_day(tmp_path: Path) -> None:
    # A never pays its second instalment (due 2025-02-28): 90 days past due on 2025-05-29. B pays on time.
    runner = _tables(tmp_path, [p for p in PAID_ON_TIME if p[:2] != ("A", 2)])
    got = _labels(runner, [D(2025, 1, 31), D(2025, 3, 31), D(2025, 5, 31)], observed=D(2025, 12, 31))
    assert got == {
        ("A", D(2025, 1, 31)): 0,  # window (01-31, 04-30]: not yet 90 days late
        ("B", D(2025, 1, 31)): 0,
        ("A", D(2025, 3, 31)): 1,  # window (03-31, 06-30] holds 05-29
        ("B", D(2025, 3, 31)): 0,
        ("A", D(2025, 5, 31)): 0,  # bad before the snapshot: not "within the next months"
        ("B", D(2025, 5, 31)): 0,
    }


def test_paid_in_full_within_90_days_is_not_bad_after_90_it_is(tmp_path: Path) -> None:
    late = [(x, n, d, c) for x, n, d, c in PAID_ON_TIME if (x, n) != ("A", 1) and (x, n) != ("B", 1)]
    late += [("A", 1, D(2025, 4, 30), 1000), ("B", 1, D(2025, 1, 31) + dt.timedelta(days=91), 1000)]
    got = _labels(_tables(tmp_path, late), [D(2024, 12, 31)], observed=D(2025, 12, 31), horizon=6)
    assert got == {("A", D(2024, 12, 31)): 0, ("B", D(2024, 12, 31)): 1}


def test_immature_windows_get_no_label(tmp_path: Path) -> None:
    runner = _tables(tmp_path, PAID_ON_TIME)
    got = _labels(runner, [D(2025, 1, 31), D(2025, 3, 31), D(2025, 4, 30)], observed=D(2025, 7, 1), horizon=3)
    assert {d for _, d in got} == {D(2025, 1, 31), D(2025, 3, 31)}  # 04-30 + 3 months = 07-30 > 07-01


@settings(max_examples=25, deadline=None)
@given(
    later=st.lists(
        st.tuples(st.sampled_from(["A", "B"]), st.integers(1, 3), st.integers(0, 300), st.integers(1, 2000)),
        max_size=6,
    ),
    snapshot=st.sampled_from([D(2024, 12, 31), D(2025, 1, 31), D(2025, 2, 28)]),
)
def test_the_label_never_reads_a_row_after_snapshot_plus_horizon(
    tmp_path_factory: pytest.TempPathFactory, later: list[tuple[str, int, int, int]], snapshot: dt.date
) -> None:
    # A pays nothing on time, B pays its first instalment only; then rows dated after snapshot + horizon are added.
    base = [("B", 1, D(2025, 1, 20), 1000)]
    end = add_months(snapshot, 3)
    extra = [(x, n, end + dt.timedelta(days=1 + k), c) for x, n, k, c in later]
    a = _labels(_tables(tmp_path_factory.mktemp("a"), base), [snapshot], observed=D(2026, 6, 30))
    b = _labels(_tables(tmp_path_factory.mktemp("b"), base + extra), [snapshot], observed=D(2026, 6, 30))
    assert a == b


def test_history_counts_late_instalments_as_of_the_day_only(tmp_path: Path) -> None:
    payments = [p for p in PAID_ON_TIME if p[:2] != ("A", 1)] + [("A", 1, D(2025, 2, 10), 1000)]
    runner = _tables(tmp_path, payments)
    before = {r["loan_id"]: r for r in runner.run(history_sql(D(2025, 2, 5)), HISTORY_TABLES, {}).to_pylist()}
    after = {r["loan_id"]: r for r in runner.run(history_sql(D(2025, 3, 5)), HISTORY_TABLES, {}).to_pylist()}
    assert (before["A"]["late_installments_180"], before["A"]["max_late_days_180"]) == (1, 5)  # still unpaid on 02-05
    assert (after["A"]["late_installments_180"], after["A"]["max_late_days_180"]) == (1, 10)  # paid 10 days late
    assert (after["B"]["late_installments_180"], after["B"]["months_on_book"]) == (0, 3)  # month ends crossed
