"""Strategy versions in the database: the lifecycle's StrategyStore (it persists, decides nothing) and a loader.

Saves are compare-and-set: a version is updated ``WHERE name, version AND row_version = :read``, a change
``WHERE change_id AND status = 'pending'``; no row updated means someone moved it since it was read
(ConflictError, the transaction rolls back). A partial unique index keeps at most one active version per
name, so two activations of one strategy racing from "nothing active" cannot both commit. Audit rows commit
in the same transaction as the change. The rules are in ``domain.strategy_lifecycle``, the use case in
``service.strategies``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.strategy_lifecycle import (
    ACTIVE,
    LOADABLE,
    Activation,
    ActivationChange,
    StrategyVersion,
)
from riskloop.errors import ConflictError, NotFoundError, ValidationError
from riskloop.rules.engine import Strategy, parse_key
from riskloop.storage.audit import record
from riskloop.storage.decision_models import strategies, strategy_changes

_VERSION = (strategies.c.name, strategies.c.version, strategies.c.status, strategies.c.author,
            strategies.c.approved_by, strategies.c.sha256, strategies.c.created_at, strategies.c.note,
            strategies.c.row_version)  # fmt: skip
_MOVED = ("status", "approved_by", "sha256", "row_version")  # what a transition may change


class SQLStrategyRepository:
    """Strategy versions and activation changes on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def find(self, name: str, version: int) -> StrategyVersion | None:
        """One version, or ``None``."""
        stmt = sa.select(*_VERSION).where(strategies.c.name == name, strategies.c.version == version)
        with self.engine.connect() as conn:
            found = conn.execute(stmt).first()
        return None if found is None else _version(found)

    def versions(self, name: str) -> list[StrategyVersion]:
        """Every version of ``name``, oldest first."""
        stmt = sa.select(*_VERSION).where(strategies.c.name == name).order_by(strategies.c.version)
        with self.engine.connect() as conn:
            return [_version(r) for r in conn.execute(stmt)]

    def names(self) -> list[str]:
        """Every strategy name with a stored version, sorted."""
        stmt = sa.select(strategies.c.name).distinct().order_by(strategies.c.name)
        with self.engine.connect() as conn:
            return [str(n) for n in conn.execute(stmt).scalars()]

    def list_changes(self, status: str | None = None) -> list[ActivationChange]:
        """Activation changes (of ``status`` when given), oldest first."""
        stmt = sa.select(strategy_changes).order_by(strategy_changes.c.change_id)
        if status is not None:
            stmt = stmt.where(strategy_changes.c.status == status)
        with self.engine.connect() as conn:
            return [_change(r) for r in conn.execute(stmt)]

    def active(self, name: str) -> StrategyVersion | None:
        """The active version of ``name``, if any."""
        stmt = sa.select(*_VERSION).where(strategies.c.name == name, strategies.c.status == ACTIVE)
        with self.engine.connect() as conn:
            found = conn.execute(stmt).first()
        return None if found is None else _version(found)

    def content(self, name: str, version: int) -> str | None:
        """The JDM JSON of one version (drafts included, e.g. to backtest a candidate), or ``None``."""
        stmt = sa.select(strategies.c.content).where(strategies.c.name == name, strategies.c.version == version)
        with self.engine.connect() as conn:
            found = conn.execute(stmt).scalar()
        return None if found is None else str(found)

    def change(self, change_id: int) -> ActivationChange | None:
        """One activation change, or ``None``."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(strategy_changes).where(strategy_changes.c.change_id == change_id)).first()
        return None if found is None else _change(found)

    def add(self, draft: StrategyVersion, content: str, entry: AuditEntry) -> None:
        """Store a new version; a version number taken meanwhile is a ConflictError."""
        row = {"name": draft.name, "version": draft.version, "content": content, "sha256": draft.sha256,
               "status": draft.status, "author": draft.author, "created_at": draft.created_at,
               "approved_by": draft.approved_by, "note": draft.note, "row_version": draft.row_version}  # fmt: skip
        with self._transaction(f"{draft.key} was created meanwhile; try again") as conn:
            conn.execute(strategies.insert(), row)
            record(conn, entry)

    def save(
        self, before: StrategyVersion, after: StrategyVersion, entry: AuditEntry, content: str | None = None
    ) -> None:
        """Replace ``before`` by ``after`` (and the content when given) with ``entry``; compare-and-set."""
        with self._transaction(f"{after.key} changed meanwhile; read it again") as conn:
            _move(conn, before, after, {} if content is None else {"content": content})
            record(conn, entry)

    def add_change(self, change: ActivationChange, entry: AuditEntry) -> int:
        """Store a pending change; ``entry``'s detail gains the change id assigned here."""
        with self.engine.begin() as conn:
            change_id = conn.execute(
                strategy_changes.insert().returning(strategy_changes.c.change_id),
                {"name": change.name, "version": change.version, "requested_by": change.requested_by,
                 "requested_at": change.requested_at, "status": change.status, "approved_by": change.approved_by,
                 "note": change.note},
            ).scalar_one()  # fmt: skip
            record(conn, replace(entry, detail={**entry.detail, "change_id": int(change_id)}))
        return int(change_id)

    def apply(self, activation: Activation, entries: Sequence[AuditEntry]) -> None:
        """The change, then each move, compare-and-set, with ``entries``; at most one active version per name."""
        before, after = activation.change
        with self._transaction(f"{activation.activated.key}: another version became active meanwhile") as conn:
            updated = conn.execute(
                strategy_changes.update()
                .where(strategy_changes.c.change_id == before.change_id, strategy_changes.c.status == before.status)
                .values(status=after.status, approved_by=after.approved_by)
            )
            if updated.rowcount != 1:
                raise ConflictError("status", f"change {before.change_id} was decided meanwhile")
            for old, new in activation.moves:
                _move(conn, old, new, {})
            for entry in entries:
                record(conn, entry)

    @contextmanager
    def _transaction(self, clash: str) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.IntegrityError:  # a primary key or the one-active index: a concurrent writer won
            raise ConflictError("status", clash) from None


def _move(conn: sa.Connection, before: StrategyVersion, after: StrategyVersion, extra: dict[str, Any]) -> None:
    updated = conn.execute(
        strategies.update()
        .where(
            strategies.c.name == before.name,
            strategies.c.version == before.version,
            strategies.c.row_version == before.row_version,
        )
        .values({**{f: getattr(after, f) for f in _MOVED}, **extra})
    )
    if updated.rowcount != 1:
        raise ConflictError("status", f"{before.key} changed meanwhile; read it again")


class SQLStrategyLoader:
    """StrategyLoader over the database: submitted and later versions only (drafts are still changing)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def load(self, key: str) -> Strategy:
        """The stored version ``key``."""
        name, version = parse_key(key)
        stmt = sa.select(strategies.c.content, strategies.c.status, strategies.c.sha256).where(
            strategies.c.name == name, strategies.c.version == version
        )
        with self.engine.connect() as conn:
            found = conn.execute(stmt).first()
        if found is None or found.status not in LOADABLE:
            raise NotFoundError(f"strategy {key}: not stored or still a draft")
        strategy = Strategy.of(name, version, found.content)
        if strategy.sha256 != found.sha256:
            raise ValidationError("strategy", f"{key}: content does not match its recorded sha256")
        return strategy


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _version(row: Any) -> StrategyVersion:
    return StrategyVersion(
        name=row.name,
        version=int(row.version),
        status=row.status,
        author=row.author,
        approved_by=row.approved_by,
        sha256=row.sha256,
        created_at=_utc(row.created_at),
        note=row.note or "",
        row_version=int(row.row_version),
    )


def _change(row: Any) -> ActivationChange:
    return ActivationChange(
        change_id=int(row.change_id),
        name=row.name,
        version=int(row.version),
        requested_by=row.requested_by,
        requested_at=_utc(row.requested_at),
        status=row.status,
        approved_by=row.approved_by,
        note=row.note or "",
    )
