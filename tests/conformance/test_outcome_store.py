"""OutcomeStore conformance: the fake and the SQL adapter (SQLite, PostgreSQL) keep records and runs alike."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from riskloop.domain.outcome import (
    DecisionLink,
    DecisionOutcome,
    Instalment,
    Loan,
    OutcomeRun,
    Payment,
    add_months,
    loan_outcome,
)
from riskloop.storage.outcomes import SQLOutcomeStore
from riskloop.testing.memory_outcomes import MemoryOutcomeStore

D = dt.date
AT = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)
LINK = DecisionLink("dec-1", "manual_review", "reference@2", "fused-v3", AT)


@pytest.fixture
def store(port_engine: sa.Engine | None) -> object:
    return MemoryOutcomeStore() if port_engine is None else SQLOutcomeStore(port_engine)


def record(loan_id: str, paid: bool, link: DecisionLink | None = None) -> DecisionOutcome:
    start = D(2024, 1, 31)
    loan = Loan(loan_id, f"A-{loan_id}", start, 3, 5_000_000, "mini_program")
    schedule = [Instalment(n, add_months(start, n), 1000) for n in (1, 2, 3)]
    payments = [Payment(i.installment_no, i.due_date, 1000) for i in schedule] if paid else []
    outcome = loan_outcome(loan, schedule, payments, D(2024, 9, 1))
    assert outcome is not None
    return DecisionOutcome(outcome, link)


def test_records_round_trip_and_are_found_by_decision_and_review_day(store) -> None:
    bad, good = record("L1", paid=False, link=LINK), record("L2", paid=True)
    assert store.last_run() is None
    store.put_many([bad, good])
    assert store.get_many(["L1", "L2", "L9"]) == {"L1": bad, "L2": good}
    assert store.all() == [bad, good]
    assert store.for_decision("dec-1") == bad
    assert store.for_decision("dec-2") is None
    assert bad.outcome.next_review == D(2024, 9, 2)
    assert store.due(D(2024, 9, 1)) == set()
    assert store.due(D(2024, 9, 2)) == {"L1"}
    replaced = record("L1", paid=True, link=LINK)
    store.put_many([replaced])
    assert store.get_many(["L1"]) == {"L1": replaced}
    assert store.remove_except(["L2"]) == 1
    assert [r.loan_id for r in store.all()] == ["L2"]


def test_the_last_run_is_the_latest_finished(store) -> None:
    first = OutcomeRun(D(2024, 9, 1), frozenset({"loans/part-a.parquet"}), True, AT, AT, 2, 2, 2)
    second = OutcomeRun(D(2024, 9, 2), frozenset({"loans/part-a.parquet", "repayments/part-b.parquet"}), False,
                        AT, AT + dt.timedelta(seconds=3), 2, 1, 0)  # fmt: skip
    store.finish(first)
    store.finish(second)
    assert store.last_run() == second
