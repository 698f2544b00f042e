"""The SQLite writer lock serialises writers across threads and processes; PostgreSQL needs none."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from riskloop.storage.write_lock import WriteLock

_CHILD = """
import sys, time
import pytest
import sqlalchemy as sa
from riskloop.storage.write_lock import WriteLock
lock = WriteLock(sa.create_engine(sys.argv[1]))
with lock.held():
    print(time.time())
"""


def test_another_process_waits_for_the_holder_and_gets_the_lock_once_it_is_released(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    lock = WriteLock(sa.create_engine(url))
    with lock.held():
        child = subprocess.Popen([sys.executable, "-c", _CHILD, url], stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        assert child.poll() is None  # still waiting
        released = time.time()
    out, _ = child.communicate(timeout=30)
    assert float(out.strip()) >= released  # it held the lock only after the holder let go


def test_the_holder_keeps_an_os_file_lock_so_a_waiter_is_woken_by_the_kernel(tmp_path: Path) -> None:
    # A blocking flock is woken by the kernel the moment the holder closes its descriptor, where SQLite's busy
    # handler would only retry on its next poll: the lock must be a real flock on the file beside the database.
    lock = WriteLock(sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    assert lock.path is not None
    with lock.held(), lock.path.open("a") as other, pytest.raises(BlockingIOError):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with lock.path.open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once released


def test_threads_take_turns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    inside, most = [0], [0]
    guard = threading.Lock()

    def work() -> None:
        lock = WriteLock(sa.create_engine(url))  # separate instances share the process's lock
        for _ in range(50):
            with lock.held():
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                with guard:
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


def test_no_lock_for_other_databases() -> None:
    assert WriteLock(sa.create_engine("sqlite://")).path is None
    assert WriteLock(sa.create_engine("postgresql+psycopg://localhost/test")).path is None
