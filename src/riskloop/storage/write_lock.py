"""One writer at a time on a SQLite database, handed over at once instead of by SQLite's busy sleeps.

SQLite lets one connection write at a time. A writer that finds the lock taken sleeps in SQLite's busy
handler (1, 2, 5, 10 ... 100 ms) and polls again, so under concurrent posts a decision can wait tens of
milliseconds for a lock that was free after a fraction of one. Writers of the decision service take this
lock first: a thread lock inside the process, then ``flock`` on a file beside the database across worker
processes; the kernel wakes the next waiter as soon as the holder releases it. PostgreSQL engines get a
no-op (row locks there).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


class WriteLock:
    """Serialises writers of ``engine``'s SQLite file (threads and processes); a no-op on other databases."""

    def __init__(self, engine: sa.Engine) -> None:
        database = engine.url.database
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
        with self._thread_lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock
