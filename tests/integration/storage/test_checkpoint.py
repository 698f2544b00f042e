"""WAL checkpoints off the request path: connections never checkpoint on commit, a thread does."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from riskloop.storage.checkpoint import BackgroundCheckpointer
from riskloop.storage.engine import make_engine


def _autocheckpoint(engine: sa.Engine) -> int:
    with engine.connect() as con:
        return int(con.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_commits_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as con:
        con.exec_driver_sql("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    engine.dispose()
    checkpointer = BackgroundCheckpointer(engine, interval=0.05)
    assert checkpointer.active
    assert _autocheckpoint(engine) == 0  # a committing request never runs the checkpoint
    with checkpointer:
        for k in range(2000):  # well past the 1,000-page default threshold in total
            with engine.begin() as con:
                con.exec_driver_sql("INSERT INTO t VALUES (?, ?)", (k, "x" * 500))
        stop = time.monotonic() + 30
        while checkpointer.checkpoints < 2 and time.monotonic() < stop:
            time.sleep(0.05)
        assert checkpointer.checkpoints >= 2
    with engine.connect() as con:
        busy, log, done = con.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert (busy, log) == (0, done)  # everything in the WAL is in the database file
        assert con.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2000
    engine.dispose()


def test_other_engines_are_left_alone(tmp_path: Path) -> None:
    plain = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    assert _autocheckpoint(plain) == 1000  # the default, where no checkpointer is installed
    memory = BackgroundCheckpointer(sa.create_engine("sqlite://"))
    assert not memory.active
    postgres = BackgroundCheckpointer(sa.create_engine("postgresql+psycopg://u@127.0.0.1:1/none"))
    assert not postgres.active
    with memory, postgres:  # nothing starts, nothing connects
        pass
    assert memory.checkpoints == postgres.checkpoints == 0
