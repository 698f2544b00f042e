"""Audit rows: written on the caller's connection, so they commit or roll back with the change they record."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.storage.decision_models import audit_log

_INSERT = audit_log.insert()  # built once: audited changes run it on every decision


def audit(
    conn: sa.Connection,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one audit row inside the transaction of ``conn``."""
    conn.execute(
        _INSERT,
        {
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": json.dumps(dict(detail or {}), sort_keys=True, default=str),
        },
    )


def audit_trail(engine: sa.Engine, entity_id: str) -> list[dict[str, Any]]:
    """Every audit row of ``entity_id``, oldest first."""
    stmt = sa.select(audit_log).where(audit_log.c.entity_id == entity_id).order_by(audit_log.c.audit_id)
    with engine.connect() as conn:
        return [
            {**dict(r._mapping), "detail": json.loads(r.detail), "at": r.at.isoformat()} for r in conn.execute(stmt)
        ]


def record(conn: sa.Connection, entry: AuditEntry) -> None:
    """Append ``entry`` inside the transaction of ``conn``."""
    audit(conn, at=entry.at, actor=entry.actor, action=entry.action, entity=entry.entity, entity_id=entry.entity_id,
          detail=entry.detail)  # fmt: skip


def record_many(conn: sa.Connection, entries: Sequence[AuditEntry]) -> None:
    """Append ``entries`` inside the transaction of ``conn``, in one statement (a batch of raised alerts)."""
    if entries:
        conn.execute(_INSERT, [audit_row(e) for e in entries])


def audit_row(e: AuditEntry) -> dict[str, Any]:
    """The ``audit_log`` row of ``e`` (its detail as sorted JSON)."""
    return {"at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity, "entity_id": e.entity_id,
            "detail": json.dumps(dict(e.detail or {}), sort_keys=True, default=str)}  # fmt: skip
