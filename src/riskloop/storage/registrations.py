"""The VelocityStore port in SQL: one row of bounded JSON state per keyed identifier."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from riskloop.admission.state import Key, KeyState, Step, T
from riskloop.errors import StorageError
from riskloop.storage.registration_models import registration_velocity as table
from riskloop.storage.write_lock import WriteLock

RETRIES = 3  # a lost race on a new key (two workers inserting it) is retried from the read


class SQLVelocityStore:
    """Read-step-write of a registration's keys in one transaction, so concurrent registrations lose no use.

    The rows are locked for update on PostgreSQL; on SQLite writers take the write lock first.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = WriteLock(engine)

    def update(self, keys: Sequence[Key], step: Step[T]) -> T:
        """Read, step and write ``keys`` atomically."""
        for attempt in range(RETRIES):
            try:
                with self._lock.held(), self.engine.begin() as conn:
                    before = self._read(conn, keys)
                    new, result = step(before)
                    self._write(conn, new, before)
                    return result
            except sa.exc.IntegrityError as exc:
                if attempt == RETRIES - 1:
                    problem = f"registration state: a concurrent insert of a key kept failing ({exc.orig})"
                    raise StorageError(problem) from exc
        raise AssertionError("unreachable")

    def _read(self, conn: sa.Connection, keys: Sequence[Key]) -> dict[Key, KeyState | None]:
        wanted = sa.tuple_(table.c.kind, table.c.key).in_([sa.tuple_(k, v) for k, v in keys])
        query = sa.select(table.c.kind, table.c.key, table.c.state).where(wanted)
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update()
        found = {(r.kind, r.key): KeyState.from_json(r.state) for r in conn.execute(query)}
        return {key: found.get(key) for key in keys}

    @staticmethod
    def _write(conn: sa.Connection, new: Mapping[Key, KeyState], before: dict[Key, KeyState | None]) -> None:
        inserts = [k for k in new if before.get(k) is None]
        updates = [k for k in new if before.get(k) is not None]
        if inserts:
            conn.execute(
                table.insert(),
                [{"kind": k[0], "key": k[1], "state": new[k].to_json(), "last_seen": new[k].last} for k in inserts],
            )
        for kind, key in updates:
            state = new[(kind, key)]
            conn.execute(
                table.update()
                .where(table.c.kind == kind, table.c.key == key)
                .values(state=state.to_json(), last_seen=state.last)
            )

    def expire(self, before: int) -> int:
        """Delete keys idle since ``before``."""
        with self._lock.held(), self.engine.begin() as conn:
            return conn.execute(table.delete().where(table.c.last_seen < before)).rowcount or 0

    def size(self) -> int:
        """Keys held."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


class InProcessVelocityStore:
    """The VelocityStore in this process's memory: for replays of a log and a single worker (lost on exit)."""

    def __init__(self) -> None:
        self._states: dict[Key, KeyState] = {}
        self._guard = threading.Lock()

    def update(self, keys: Sequence[Key], step: Step[T]) -> T:
        """Read, step and write under one lock."""
        with self._guard:
            new, result = step({k: self._states.get(k) for k in keys})
            self._states.update(new)
            return result

    def expire(self, before: int) -> int:
        """Drop keys idle since ``before``."""
        with self._guard:
            idle = [k for k, s in self._states.items() if s.last < before]
            for key in idle:
                del self._states[key]
            return len(idle)

    def size(self) -> int:
        """Keys held."""
        return len(self._states)
