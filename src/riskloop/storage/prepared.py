"""PreparedRead: a SELECT compiled once for its engine and run on a pooled DBAPI connection.

SQLAlchemy Core costs about 60 µs per executed statement on top of the driver (a connection wrapper, the
compiled cache's key, an execution context, the result wrapper): three times what an indexed SQLite read takes.
The decision path runs several such reads per decision. A ``PreparedRead`` compiles its statement once for the
engine's dialect; a call binds the parameters in the compiled order (with each type's bind processor), runs on a
connection of the engine's own pool (the same pragmas, the same reset on return; on PostgreSQL in autocommit, which
saves the BEGIN and ROLLBACK round trips of a lone read) and converts each column with its type's result processor,
so its rows equal ``Connection.execute``'s (``tests/unit/storage/test_prepared.py``).
A driver error is raised as the ``sqlalchemy.exc.DBAPIError`` subclass SQLAlchemy would raise, and a broken
connection is invalidated, so callers and the API's error mapping see what they always saw.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

Processor = Callable[[Any], Any] | None


class PreparedRead:
    """One SELECT of ``engine`` with named parameters; ``all`` returns rows with attribute access by column."""

    def __init__(self, engine: sa.Engine, statement: sa.Select[Any]) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.engine, self.sql = engine, str(compiled)
        # On PostgreSQL a lone read runs in autocommit: no BEGIN and ROLLBACK round trips around it
        self._autocommit = dialect.name == "postgresql"
        self._order = list(compiled.positiontup or ()) if compiled.positional else None
        self._binds: dict[str, Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in compiled.binds.items()
        }
        self._columns = list(statement.selected_columns)
        self._results: list[Processor] | None = None  # from the first result's column type codes (as SQLAlchemy)
        self._row = namedtuple("Row", [c.key for c in self._columns], rename=True)  # type: ignore[misc]

    def all(self, params: Mapping[str, Any]) -> list[Any]:
        """Every row for ``params`` (named as the statement's bound parameters)."""
        args = self._arguments(params)
        dialect = self.engine.dialect
        try:
            raw = self.engine.raw_connection()
        except dialect.loaded_dbapi.Error as exc:  # a new connection refused: as Engine.connect raises it
            error: Exception = sa.exc.DBAPIError.instance(None, None, exc, dialect.loaded_dbapi.Error,
                                                          hide_parameters=True, dialect=dialect)  # fmt: skip
            raise error from exc
        dbapi: Any = raw.dbapi_connection
        single = False
        try:
            single = self._autocommit and _idle_autocommit(dbapi)
            cursor = raw.cursor()
            try:
                cursor.execute(self.sql, args)
                results = self._results or self._processors(cursor.description)
                return [self._convert(results, row) for row in cursor.fetchall()]
            finally:
                cursor.close()
        except self.engine.dialect.loaded_dbapi.Error as exc:
            raise self._failure(raw, exc, args) from exc
        finally:
            if single and raw.dbapi_connection is not None:  # as the pool hands connections out
                try:
                    dbapi.autocommit = False
                except self.engine.dialect.loaded_dbapi.Error as exc:
                    raw.invalidate(exc)  # a connection that cannot say so is not handed out again
            raw.close()

    def first(self, params: Mapping[str, Any]) -> Any | None:
        """The first row for ``params``, or None."""
        rows = self.all(params)
        return rows[0] if rows else None

    def _arguments(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = {name: value if (p := self._binds.get(name)) is None else p(value) for name, value in params.items()}
        return values if self._order is None else [values[name] for name in self._order]

    def _processors(self, description: Sequence[Sequence[Any]]) -> list[Processor]:
        dialect = self.engine.dialect
        self._results = [
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(self._columns, description, strict=True)
        ]
        return self._results

    def _convert(self, results: list[Processor], row: Sequence[Any]) -> Any:
        return self._row(*(value if p is None else p(value) for p, value in zip(results, row, strict=True)))

    def _failure(self, raw: Any, exc: Any, args: Any) -> Exception:
        dialect = self.engine.dialect
        lost = dialect.is_disconnect(exc, raw.dbapi_connection, None)
        if lost:
            raw.invalidate(exc)  # never handed out again by the pool
        error: Exception = sa.exc.DBAPIError.instance(self.sql, args, exc, dialect.loaded_dbapi.Error,
                                                      hide_parameters=True, connection_invalidated=lost,
                                                      dialect=dialect)  # fmt: skip
        return error


def _idle_autocommit(connection: Any) -> bool:
    """Switch an idle psycopg connection to autocommit (a client-side flag); False when it is not idle."""
    if getattr(connection, "autocommit", True) or connection.info.transaction_status != 0:  # 0: IDLE
        return False
    connection.autocommit = True
    return True
