"""GroupCommitter on the real decision store: concurrent posts stored once each, in batches; a claim in a batch is
answered as ``record`` answers it; a database failure fails every request of the batch and stores nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.api.render import posted_body
from riskloop.domain.decision_record import DecisionEntry, Recorded
from riskloop.errors import ConflictError, StorageError
from riskloop.service.group_commit import GroupCommitter
from riskloop.service.intake import Intake, Submitted
from riskloop.storage.decision_models import audit_log, decisions, idempotency_keys
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.models import graph_arrivals
from riskloop.storage.write_lock import WriteLock
from riskloop.testing.decider import make_decider, request
from riskloop.testing.decision_store import sealed_decision_store

OWNER = "channel-a"


@pytest.fixture
def store(db_url: str) -> Iterator[SQLDecisionStore]:
    with sealed_decision_store(db_url) as found:
        yield found


def entry(intake: Intake, application_id: str, key: str, digest: str = "d" * 64) -> DecisionEntry:
    prepared = intake.prepare(
        key=key, request=request(application_id=application_id), digest=digest, render=posted_body, actor=OWNER
    )
    assert isinstance(prepared, DecisionEntry)
    return prepared


def counts(store: SQLDecisionStore) -> dict[str, int]:
    tables = (decisions, idempotency_keys, audit_log, graph_arrivals)
    with store.engine.connect() as conn:
        return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()) for t in tables}


async def record_all(committer: GroupCommitter, entries: list[DecisionEntry]) -> list[Any]:
    return await asyncio.gather(*(committer.record(e) for e in entries), return_exceptions=True)


def test_concurrent_posts_are_each_stored_once_with_their_rows(store: SQLDecisionStore) -> None:
    intake = Intake(make_decider(), store)
    entries = [entry(intake, f"GC-{i}", f"key-{i}") for i in range(40)]
    committer = GroupCommitter(store).start()
    try:
        results = asyncio.run(record_all(committer, entries))
    finally:
        committer.close()
    assert all(isinstance(r, Recorded) and r.created for r in results)
    assert [r.decision_id for r in results] == [e.champion.decision_id for e in entries]
    assert [r.response for r in results] == [e.response for e in entries]
    # each decision with its claim, its audit row and its arrival, nothing twice
    assert counts(store) == {"decisions": 40, "idempotency_keys": 40, "audit_log": 40, "graph_arrivals": 40}
    assert committer.stats.entries == 40


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[SQLDecisionStore]:
    """The store on SQLite only: these tests hold its write lock to make a batch wait (PostgreSQL has none)."""
    with sealed_decision_store(sqlite_url) as found:
        yield found


def test_posts_queued_while_the_writer_waits_are_written_in_one_batch(sqlite_store: SQLDecisionStore) -> None:
    store, engine = sqlite_store, sqlite_store.engine
    intake = Intake(make_decider(), store)
    entries = [entry(intake, f"GB-{i}", f"key-{i}") for i in range(30)]
    committer = GroupCommitter(store).start()

    async def run() -> list[Any]:
        with WriteLock(engine).held():  # another writer holds the database: the first batch waits, the rest queue
            tasks = [asyncio.ensure_future(committer.record(e)) for e in entries]
            await asyncio.sleep(0.3)
        return await asyncio.gather(*tasks)

    try:
        results = asyncio.run(run())
    finally:
        committer.close()
    assert all(r.created for r in results)
    assert committer.stats.batches <= 2  # the one that waited for the lock, then everything queued behind it
    assert committer.stats.largest >= 29


def test_a_claim_in_a_batch_is_answered_as_record_answers_it(sqlite_store: SQLDecisionStore) -> None:
    store, engine = sqlite_store, sqlite_store.engine
    intake = Intake(make_decider(), store)
    first = entry(intake, "GD-1", "same-key")
    retry = entry(intake, "GD-1", "same-key")  # the same post again, decided again before either was stored
    other_body = entry(intake, "GD-1", "same-key", digest="e" * 64)
    fresh = entry(intake, "GD-2", "another-key")
    committer = GroupCommitter(store).start()

    async def run() -> list[Any]:
        with WriteLock(engine).held():  # all four in one batch
            tasks = [asyncio.ensure_future(committer.record(e)) for e in (first, retry, other_body, fresh)]
            await asyncio.sleep(0.3)
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        stored, replayed, refused, alone = asyncio.run(run())
    finally:
        committer.close()
    assert stored.created
    assert alone.created
    assert not replayed.created
    assert replayed.decision_id == first.champion.decision_id
    assert replayed.response == first.response  # the stored bytes, not the second decision's
    assert isinstance(refused, ConflictError)
    assert committer.stats.fallbacks >= 1
    assert counts(store)["decisions"] == 2


def test_a_failing_database_fails_every_request_of_the_batch_and_stores_nothing(store: SQLDecisionStore) -> None:
    intake = Intake(make_decider(), store)
    entries = [entry(intake, f"GF-{i}", f"key-{i}") for i in range(5)]
    with store.engine.begin() as conn:  # the arrivals' table is gone: every transaction fails at its last insert
        conn.execute(sa.text("ALTER TABLE graph_arrivals RENAME TO graph_arrivals_away"))
    committer = GroupCommitter(store).start()
    try:
        results = asyncio.run(record_all(committer, entries))
    finally:
        committer.close()
    assert all(isinstance(r, sa.exc.DBAPIError) for r in results)
    with store.engine.connect() as conn:  # nothing half-written: no decision, claim or audit row of any of them
        for table in (decisions, idempotency_keys, audit_log):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


def test_recording_without_a_running_writer_is_refused(store: SQLDecisionStore) -> None:
    intake = Intake(make_decider(), store)
    with pytest.raises(StorageError, match="writer is not running"):
        asyncio.run(GroupCommitter(store).record(entry(intake, "GN-1", "k")))


def test_submit_stores_what_prepare_decided(store: SQLDecisionStore) -> None:
    intake = Intake(make_decider(), store)
    made = intake.submit(key="k-1", request=request(application_id="GS-1"), digest="d" * 64, render=posted_body,
                         actor=OWNER)  # fmt: skip
    again = intake.prepare(key="k-1", request=request(application_id="GS-1"), digest="d" * 64, render=posted_body,
                           actor=OWNER)  # fmt: skip
    assert made.created
    assert isinstance(again, Submitted)
    assert not again.created
    assert again.body == made.body


def test_a_batch_logs_each_arrival_as_a_lone_decision_logs_it(store: SQLDecisionStore, db_url: str) -> None:
    """The batch's arrivals go in one statement: requests that carry different identifiers log the same rows."""
    extra = [{}, {"email": "a.b@example.com"}, {"bank_account": "6222 0212 3456 7890", "ip": None}, {"address": "x"}]
    intake = Intake(make_decider(), store)
    batch = [
        intake.prepare(
            key=f"b-{i}",
            request=request(application_id=f"GB-{i}", **more),
            digest="d" * 64,
            render=posted_body,
            actor=OWNER,
        )
        for i, more in enumerate(extra)
    ]
    assert store.record_many([e for e in batch if isinstance(e, DecisionEntry)])
    with sealed_decision_store(db_url) as alone:  # the same key and database: one more decision, stored alone
        lone = Intake(make_decider(), alone)
        lone.submit(key="l-1", request=request(application_id="GL-1", **extra[2]), digest="d" * 64,
                    render=posted_body, actor=OWNER)  # fmt: skip
    kept = [c.name for c in graph_arrivals.c if c.name not in ("seq", "application_id", "applied_at", "recorded_at")]
    with store.engine.connect() as conn:
        rows = {r.application_id: dict(r._mapping) for r in conn.execute(sa.select(graph_arrivals))}
    assert sorted(rows) == ["GB-0", "GB-1", "GB-2", "GB-3", "GL-1"]
    assert rows["GB-1"]["email"] is not None
    assert rows["GB-0"]["email"] is None  # NULL where a request had none
    assert rows["GB-2"]["ip"] is None
    assert rows["GB-2"]["ip_subnet"] is None
    assert rows["GB-2"]["bank_account"] is not None
    assert [rows["GB-2"][c] for c in kept] == [rows["GL-1"][c] for c in kept]
    identifiers = [rows["GB-1"][c] for c in kept if c != "credit_code" and rows["GB-1"][c] is not None]
    assert identifiers
    assert all(str(v).startswith("tok") for v in identifiers)  # tokens, never a raw identifier
