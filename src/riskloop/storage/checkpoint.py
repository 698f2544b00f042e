"""SQLite WAL checkpoints off the request path: a background thread instead of the committing request.

By default the connection whose commit pushes the WAL past 1,000 pages runs the checkpoint inside that
commit, stalling one request every few hundred writes. The API's engine turns that off on its own
connections (``wal_autocheckpoint=0``) and a daemon thread checkpoints (PASSIVE: it never blocks writers
or readers) every ``interval`` seconds. PostgreSQL engines get nothing.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


class BackgroundCheckpointer:
    """Checkpoints a SQLite engine's WAL from a daemon thread; a no-op on other databases.

    Examples
    --------
    >>> engine = sa.create_engine("sqlite://")
    >>> with BackgroundCheckpointer(engine, interval=0.5) as cp:
    ...     cp.active
    False

    """

    def __init__(self, engine: sa.Engine, interval: float = 1.0) -> None:
        self.engine = engine
        self.interval = interval
        database = engine.url.database
        self.active = engine.url.get_backend_name() == "sqlite" and bool(database) and database != ":memory:"
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.active:
            event.listen(engine, "connect", _no_autocheckpoint)

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint now."""
        with self.engine.connect() as con:
            con.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        self.checkpoints += 1

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.checkpoint()
            except sa.exc.OperationalError:  # busy or locked: the next round catches up
                continue

    def __enter__(self) -> BackgroundCheckpointer:
        if self.active:
            self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self.checkpoint()  # leave the WAL folded into the database file
