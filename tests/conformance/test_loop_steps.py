"""LoopSteps conformance: the fake and the SQL adapter (SQLite, PostgreSQL) keep claims and step records alike."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.loop_run import CLAIM, DONE, FAILED, RUNNING, LoopStep
from riskloop.errors import ConflictError
from riskloop.storage.audit import audit_trail
from riskloop.storage.loop_steps import SQLLoopSteps
from riskloop.testing.memory_loop_steps import MemoryLoopSteps

DAY = dt.date(2026, 6, 30)
AT = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(hours=6)


@pytest.fixture
def store(port_engine: sa.Engine | None) -> object:
    return MemoryLoopSteps() if port_engine is None else SQLLoopSteps(port_engine)


def test_a_claim_holds_until_released_or_expired(store):
    store.claim(DAY, "runner-a", AT, LEASE)
    with pytest.raises(ConflictError, match="runner-a"):
        store.claim(DAY, "runner-b", AT + dt.timedelta(hours=1), LEASE)
    store.claim(DAY + dt.timedelta(days=1), "runner-b", AT, LEASE)  # another day is free
    store.release(DAY, "runner-a", AT + dt.timedelta(hours=2))
    store.claim(DAY, "runner-b", AT + dt.timedelta(hours=3), LEASE)
    held = store.steps(DAY)[CLAIM]
    assert (held.status, held.result["owner"], held.attempts) == (RUNNING, "runner-b", 2)
    # runner-b crashed without releasing: after its lease another runner takes over
    store.claim(DAY, "runner-c", AT + dt.timedelta(hours=3) + LEASE + dt.timedelta(seconds=1), LEASE)
    assert store.steps(DAY)[CLAIM].result["owner"] == "runner-c"


def test_a_step_is_replaced_and_its_audit_row_written(store, port_engine):
    failed = LoopStep(DAY, "backtest", FAILED, AT, AT, error="DataSourceError: no graph", attempts=1)
    store.put(failed)
    assert store.steps(DAY)["backtest"] == failed
    done = LoopStep(
        DAY, "backtest", DONE, AT, AT + dt.timedelta(minutes=5), result={"auc": 0.71, "ids": ["x"]}, attempts=2
    )
    entry = AuditEntry(AT, "riskloop-loop", "model.proposed", "model", "sme-v3", {"verdict": "challenger better"})
    store.put(done, entry)
    assert store.steps(DAY) == {"backtest": done}
    trail = (
        [(e.actor, e.action, dict(e.detail)) for e in store.audit]
        if port_engine is None
        else [(r["actor"], r["action"], r["detail"]) for r in audit_trail(port_engine, "sme-v3")]
    )
    assert trail == [("riskloop-loop", "model.proposed", {"verdict": "challenger better"})]
    assert store.days() == [DAY]
