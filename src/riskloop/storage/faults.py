"""Database faults that are the database's state, not a bug: down, unreachable, locked, timed out.

The API answers them as a ``StorageError`` (503 with ``Retry-After``, ``api/errors.py``) instead of a 500. A
fault is recognised by its class (SQLAlchemy's ``OperationalError`` and ``InterfaceError``: refused or lost
connections, SQLite's ``database is locked`` after ``busy_timeout``, PostgreSQL's ``lock_timeout`` and
``statement_timeout``; ``TimeoutError``: no pooled connection free in time) or by the dialect calling it a
disconnect. Integrity and data errors stay what they are (bugs: 500). The message is the driver's first
line only: no statement, no bound parameter.
"""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.errors import StorageError
from riskloop.storage.engine import driver_message


def unavailable(exc: BaseException) -> StorageError | None:
    """The StorageError that ``exc`` means when it is a database fault, else None."""
    disconnect = isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError) or disconnect:
        return StorageError(f"database unavailable: {driver_message(exc)}; retry later")
    return None
