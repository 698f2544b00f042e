"""Outcomes on the demo workspace's book: the warehouse adapter and the SQL store agree with the SQL rule of bad,
update incrementally as a full recomputation would, and a late repayment part changes exactly its loan."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.domain.clock import FixedClock
from riskloop.io.warehouse import Warehouse
from riskloop.monitoring.behaviour import HISTORY_TABLES, first_bad_sql
from riskloop.monitoring.engine import DuckDBRunner
from riskloop.service.outcomes import OutcomeTracker, outcome_facts
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.outcomes import SQLDecisionLinks, SQLOutcomeStore, WarehouseLoanBook

CLOCK = FixedClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def _book(decision_workspace: Path, tmp_path: Path) -> Warehouse:
    """A private copy of the book's tables (tests append to it)."""
    for name in (*HISTORY_TABLES, "applications"):
        shutil.copytree(decision_workspace / "warehouse" / name, tmp_path / "wh" / name)
    return Warehouse(tmp_path / "wh")


def _tracker(warehouse: Warehouse, db: Path) -> OutcomeTracker:
    url = f"sqlite:///{db}"
    upgrade(url)
    engine = make_engine(url)
    return OutcomeTracker(WarehouseLoanBook(warehouse), SQLDecisionLinks(engine), SQLOutcomeStore(engine), CLOCK)


def _facts(t: OutcomeTracker) -> dict[str, dict[str, object]]:
    return {r.loan_id: outcome_facts(r.outcome) for r in t.store.all()}


def test_the_demo_summarises_outcomes_and_a_rerun_changes_nothing(decision_workspace: Path) -> None:
    demo = json.loads((decision_workspace / "demo.json").read_text())["outcomes"]
    assert demo["loans"] > 0
    assert demo["overall"]["3m"]["matured"] > 0
    home = decision_workspace
    summary = CliRunner().invoke(app, ["--home", str(home), "outcomes", "summary", "--json"])
    assert summary.exit_code == 0, summary.output
    assert json.loads(summary.stdout)["loans"] == demo["loans"]
    bad = CliRunner().invoke(app, ["--home", str(home), "outcomes", "update", "--as-of", "2025-13-01", "--json"])
    assert bad.exit_code == 2
    assert "--as-of" in bad.stderr


def test_the_book_agrees_with_the_sql_rule_updates_incrementally_and_takes_a_late_row(
    decision_workspace: Path, tmp_path: Path
) -> None:
    warehouse = _book(decision_workspace, tmp_path)
    loans = pq.read_table(warehouse.root / "loans").to_pylist()
    last = max(r["disbursed_date"] for r in loans)
    first, second = last - dt.timedelta(days=61), last - dt.timedelta(days=60)  # a daily update
    incremental = _tracker(warehouse, tmp_path / "inc.db")
    incremental.update(first)
    run = incremental.update(second)
    full = _tracker(warehouse, tmp_path / "full.db")
    full.update(second, full=True)
    assert _facts(incremental) == _facts(full)
    assert 0 < run.recomputed < run.loans
    sql = DuckDBRunner(warehouse.root).run(first_bad_sql(second), HISTORY_TABLES, {}).to_pylist()
    by_sql = {r["loan_id"]: r["first_bad_day"] for r in sql}
    assert {k: f["first_bad_day"] for k, f in _facts(full).items() if f["first_bad_day"]} == {
        k: v.isoformat() for k, v in by_sql.items() if k in _facts(full)
    }
    assert by_sql  # the book has bad loans to compare
    # a repayment of an open instalment, received before ``second``, arrives late in a new part file
    before = _facts(incremental)
    repayments = pq.read_table(warehouse.root / "repayments").to_pylist()
    paid: dict[tuple[str, int], int] = {}
    for r in repayments:
        if r["paid_date"] < second:
            paid[r["loan_id"], r["installment_no"]] = (
                paid.get((r["loan_id"], r["installment_no"]), 0) + r["amount_cents"]
            )
    delinquent = {k for k, f in before.items() if f["status"] == "delinquent"}
    schedules = pq.read_table(warehouse.root / "repayment_schedules").to_pylist()
    open_ = min(
        (r for r in schedules if r["loan_id"] in delinquent and r["due_date"] < second
         and paid.get((r["loan_id"], r["installment_no"]), 0) < r["principal_due_cents"] + r["interest_due_cents"]),
        key=lambda r: (r["due_date"], r["loan_id"]),
    )  # fmt: skip
    target, no = open_["loan_id"], open_["installment_no"]
    owed = open_["principal_due_cents"] + open_["interest_due_cents"] - paid.get((target, no), 0)
    day = second - dt.timedelta(days=1)
    row = {"repayment_id": "late-1", "loan_id": target, "installment_no": no, "paid_date": day,
           "days_past_due": (day - open_["due_date"]).days, "amount_cents": owed}  # fmt: skip
    warehouse.append("repayments", pa.Table.from_pylist([row]))
    again = incremental.update(second)
    after = _facts(incremental)
    assert again.changed == 1
    assert {k for k in after if after[k] != before[k]} == {target}
