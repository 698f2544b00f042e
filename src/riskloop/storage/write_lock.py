"""One writer at a time on a SQLite database, handed over at once instead of by SQLite's busy sleeps.

SQLite lets one connection write at a time. A writer that finds the lock taken sleeps in SQLite's busy
handler (1, 2, 5, 10 ... 100 ms) and polls again, so under concurrent posts a decision can wait tens of
milliseconds for a lock that was free after a fraction of one. Writers of the decision service take this
lock first: a thread lock inside the process, then ``flock`` on a file beside the database across worker
processes. Both waits are bounded (``timeout``, 2 s): a lock held longer (a stuck writer, a batch job) is a
``StorageError`` (a 503 with ``Retry-After`` on the API), never a request hanging. The thread lock is handed
over at once; ``flock`` is tried without blocking and retried every millisecond until the deadline (a blocking
``flock`` cannot time out). PostgreSQL engines get a no-op (row locks there, bounded by ``lock_timeout``).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from riskloop.errors import StorageError

DEFAULT_TIMEOUT_SECONDS = 2.0
POLL_SECONDS = 0.001
_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


class WriteLock:
    """Serialises writers of ``engine``'s SQLite file (threads and processes); a no-op on other databases."""

    def __init__(self, engine: sa.Engine, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        database = engine.url.database
        self.timeout = timeout
        self.path: Path | None = None
        if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            self.path = Path(database).resolve().with_name(Path(database).name + ".write-lock")
            with _GUARD:
                self._thread_lock = _LOCKS.setdefault(str(self.path), threading.Lock())

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for one write transaction."""
        if self.path is None:
            yield
            return
        deadline = time.monotonic() + self.timeout
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise self._busy()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._flock(fd, deadline)
                yield
            finally:
                os.close(fd)  # closing releases the flock
        finally:
            self._thread_lock.release()

    def _flock(self, fd: int, deadline: float) -> None:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                time.sleep(POLL_SECONDS)

    def _busy(self) -> StorageError:
        return StorageError(f"database write lock not taken within {self.timeout:g} s (another writer holds it)")
