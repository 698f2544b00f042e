"""SQLOutbox: the OutboxStore on SQLite or PostgreSQL, and ``write_message`` for stores that write to the outbox.

Each delivery-state change is one ``UPDATE ... WHERE outbox_id = :id AND sent_at IS NULL AND dead_at IS NULL
AND attempts = :read``: a row moved by another dispatcher meanwhile is left alone (the call returns ``False``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from riskloop.domain.outbox import DEAD, PENDING, SENT, OutboxEvent, OutboxMessage
from riskloop.storage.decision_models import outbox

_INSERT = outbox.insert()
_EARLIER_DEAD = outbox.alias("earlier")
_STATE = {
    PENDING: sa.and_(outbox.c.sent_at.is_(None), outbox.c.dead_at.is_(None)),
    SENT: outbox.c.sent_at.is_not(None),
    DEAD: sa.and_(outbox.c.sent_at.is_(None), outbox.c.dead_at.is_not(None)),
}
_HELD = sa.and_(  # pending behind a dead message of its topic and key
    _STATE[PENDING],
    sa.exists().where(
        _EARLIER_DEAD.c.topic == outbox.c.topic,
        _EARLIER_DEAD.c.key == outbox.c.key,
        _EARLIER_DEAD.c.dead_at.is_not(None),
        _EARLIER_DEAD.c.sent_at.is_(None),
        _EARLIER_DEAD.c.outbox_id < outbox.c.outbox_id,
    ),
).label("held")


def write_message(conn: sa.Connection, message: OutboxMessage) -> None:
    """Append ``message`` inside the transaction of ``conn`` (it commits or rolls back with its change)."""
    conn.execute(_INSERT, _message_row(message))


def write_messages(conn: sa.Connection, messages: Sequence[OutboxMessage]) -> None:
    """Append ``messages`` in order inside the transaction of ``conn``, in one statement."""
    if messages:
        conn.execute(_INSERT, [_message_row(m) for m in messages])


def _message_row(message: OutboxMessage) -> dict[str, Any]:
    payload = json.dumps(dict(message.payload), sort_keys=True, ensure_ascii=False)
    return {"created_at": message.created_at, "topic": message.topic, "key": message.key, "payload": payload,
            "sent_at": None}  # fmt: skip


class SQLOutbox:
    """The outbox on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def pending(self, *, after: int, limit: int) -> list[OutboxEvent]:
        """Undelivered messages that are not dead, above ``after``, in id order (``held`` filled in)."""
        stmt = (
            sa.select(outbox, _HELD)
            .where(_STATE[PENDING], outbox.c.outbox_id > after)
            .order_by(outbox.c.outbox_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_event(r._mapping) for r in conn.execute(stmt)]

    def delivered(self, event: OutboxEvent, at: dt.datetime) -> bool:
        """Mark ``event`` sent at ``at``."""
        return self._move(event, sent_at=at)

    def failed(self, event: OutboxEvent, *, next_attempt_at: dt.datetime, error: str) -> bool:
        """One more failed attempt, retried at ``next_attempt_at``."""
        return self._move(event, attempts=event.attempts + 1, next_attempt_at=next_attempt_at, last_error=error)

    def dead(self, event: OutboxEvent, *, at: dt.datetime, error: str) -> bool:
        """The last failed attempt: dead-lettered at ``at``."""
        return self._move(event, attempts=event.attempts + 1, dead_at=at, last_error=error, next_attempt_at=None)

    def events(self, *, state: str | None, limit: int) -> list[OutboxEvent]:
        """Messages in ``state`` (any when ``None``), newest first."""
        stmt = sa.select(outbox, _HELD).order_by(outbox.c.outbox_id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(_STATE[state])
        with self.engine.connect() as conn:
            return [_event(r._mapping) for r in conn.execute(stmt)]

    def redeliver(self, outbox_ids: list[int] | None) -> list[int]:
        """Dead messages (those of ``outbox_ids``, or all) pending again with no attempts; their ids."""
        where = [_STATE[DEAD]]
        if outbox_ids is not None:
            where.append(outbox.c.outbox_id.in_(outbox_ids))
        with self.engine.begin() as conn:
            ids = sorted(conn.execute(sa.select(outbox.c.outbox_id).where(*where)).scalars())
            if ids:
                conn.execute(
                    outbox.update()
                    .where(outbox.c.outbox_id.in_(ids), _STATE[DEAD])
                    .values(dead_at=None, attempts=0, next_attempt_at=None)
                )
        return ids

    def counts(self) -> dict[str, int]:
        """Pending, sent and dead messages."""
        with self.engine.connect() as conn:
            return {
                state: int(conn.execute(sa.select(sa.func.count()).select_from(outbox).where(cond)).scalar_one())
                for state, cond in _STATE.items()
            }

    def _move(self, event: OutboxEvent, **values: Any) -> bool:
        with self.engine.begin() as conn:
            updated = conn.execute(
                outbox.update()
                .where(outbox.c.outbox_id == event.outbox_id, _STATE[PENDING], outbox.c.attempts == event.attempts)
                .values(**values)
            )
        return updated.rowcount == 1


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _event(row: Any) -> OutboxEvent:
    created = _utc(row["created_at"])
    assert created is not None
    return OutboxEvent(
        outbox_id=int(row["outbox_id"]),
        topic=row["topic"],
        key=row["key"],
        payload=json.loads(row["payload"]),
        created_at=created,
        sent_at=_utc(row["sent_at"]),
        attempts=int(row["attempts"]),
        next_attempt_at=_utc(row["next_attempt_at"]),
        last_error=row["last_error"],
        dead_at=_utc(row["dead_at"]),
        held=bool(row["held"]),
    )
