"""The arrival log on SQLite and PostgreSQL: numbers committed out of order are still read, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.graph.arrivals import Cursor
from riskloop.storage.arrivals import SQLArrivalLog, arrival_row, log_arrival
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.models import graph_arrivals

AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def open_log(engine: sa.Engine) -> Iterator[Callable[..., SQLArrivalLog]]:
    """Opens logs on the database (each holds a connection), closed after the test."""
    opened: list[SQLArrivalLog] = []

    def open_(**options: Any) -> SQLArrivalLog:
        opened.append(SQLArrivalLog(engine, **options))
        return opened[-1]

    yield open_
    for log in opened:
        log.close()


def request(n: int) -> dict[str, object]:
    return {"application_id": f"APP{n}", "credit_code": "91420100000000001Y", "phone": f"1380000{n:04d}"}


def put(engine: sa.Engine, seq: int, at: dt.datetime = AT) -> None:
    """Commit the arrival numbered ``seq`` (as if its transaction committed now)."""
    with engine.begin() as conn:
        conn.execute(graph_arrivals.insert(), {**arrival_row(request(seq), at), "seq": seq})


def seqs(found: list) -> list[int]:
    return [a.seq for a in found]


def test_an_arrival_committed_after_a_higher_one_was_read_is_still_read(
    engine: sa.Engine, open_log: Callable[..., SQLArrivalLog]
) -> None:
    log = open_log()
    put(engine, 1)
    put(engine, 2)
    found, cursor = log.since(Cursor())
    assert seqs(found) == [1, 2]
    # a logged arrival has no channel: an own channel's device and IP were never logged
    assert found[0].application() == {
        "application_id": "APP1", "credit_code": "91420100000000001Y", "applicant_id": None,
        "phone": "13800000001", "device_id": None, "ip": None, "ip_subnet": None, "address": None,
        "email": None, "bank_account": None, "channel": None, "applied_at": AT,
    }  # fmt: skip
    put(engine, 5)  # 3 and 4 were numbered first but commit later (PostgreSQL sequences)
    found, cursor = log.since(cursor)
    assert seqs(found) == [5]
    assert (cursor.last, cursor.waiting) == (5, (3, 4))
    put(engine, 4)
    found, cursor = log.since(cursor)
    assert seqs(found) == [4]
    assert cursor.waiting == (3,)
    put(engine, 3)
    put(engine, 6)
    found, cursor = log.since(cursor)
    assert seqs(found) == [3, 6]
    assert (cursor.last, cursor.waiting) == (6, ())
    assert log.since(cursor) == ([], cursor)  # nothing new: the same cursor back


def test_a_number_that_never_commits_is_given_up_after_the_wait(
    engine: sa.Engine, open_log: Callable[..., SQLArrivalLog]
) -> None:
    ticks = Ticks()
    log = open_log(wait=60.0, monotonic=ticks)
    put(engine, 1)
    put(engine, 3)  # 2 was rolled back, or burnt by a conflicting insert
    found, cursor = log.since(Cursor())
    assert cursor.waiting == (2,)
    ticks.now = 59.0
    assert log.since(cursor)[1].waiting == (2,)
    ticks.now = 61.0
    found, cursor = log.since(cursor)
    assert (found, cursor.waiting, cursor.last) == ([], (), 3)


def test_only_the_highest_skipped_numbers_are_waited_for(
    engine: sa.Engine, open_log: Callable[..., SQLArrivalLog]
) -> None:
    log = open_log(max_gaps=3)
    put(engine, 1)
    put(engine, 100)
    _, cursor = log.since(Cursor())
    assert cursor.waiting == (97, 98, 99)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgresql_numbers_at_insert_and_shows_at_commit(
    engine: sa.Engine, open_log: Callable[..., SQLArrivalLog]
) -> None:
    log = open_log()
    slow = engine.connect()
    slow_tx = slow.begin()
    log_arrival(slow, request(1), AT)  # numbered 1, not committed yet
    with engine.begin() as conn:
        log_arrival(conn, request(2), AT)  # numbered 2, committed
    found, cursor = log.since(Cursor())
    assert [a.application_id for a in found] == ["APP2"]
    assert cursor.waiting == (found[0].seq - 1,)
    slow_tx.commit()
    slow.close()
    found, cursor = log.since(cursor)
    assert [a.application_id for a in found] == ["APP1"]
    assert cursor.waiting == ()


def test_an_application_is_logged_once(engine: sa.Engine, open_log: Callable[..., SQLArrivalLog]) -> None:
    with engine.begin() as conn:
        log_arrival(conn, request(1), AT)
    with engine.begin() as conn:
        log_arrival(conn, {**request(1), "phone": "13999999999"}, AT + dt.timedelta(hours=1))  # another key
    found, _ = open_log().since(Cursor())
    assert [(a.application_id, a.phone, a.applied_at) for a in found] == [("APP1", "13800000001", AT)]


def test_start_reads_from_the_arrivals_applied_shortly_before(
    engine: sa.Engine, open_log: Callable[..., SQLArrivalLog]
) -> None:
    log = open_log(wait=60.0)
    assert log.start(AT) == Cursor(0)  # an empty log: from the beginning
    for seq, minutes in ((1, -10), (2, -5), (3, -0.5), (4, 0), (5, 3)):
        put(engine, seq, AT + dt.timedelta(minutes=minutes))
    found, _ = log.since(log.start(AT))
    assert seqs(found) == [3, 4, 5]  # everything applied at or after AT, and what a minute before it
