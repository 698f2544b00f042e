"""SQLAlertStore: the AlertStore of the alert desk on SQLite or PostgreSQL (it persists, it decides nothing).

A new alert is one insert guarded by the unique key (credit code, signal, period): a concurrent raise of the
same key is an IntegrityError, turned into a ConflictError. A save is a compare-and-set on ``row_version``.
Each write commits the alert with its audit row and, as the rules of ``domain.alert_lifecycle`` hand them
over, its outbox message or its loan action, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from riskloop.domain.alert import CLOSED, Alert, AlertFilter, AlertKey, Evidence, StoredLevel
from riskloop.domain.alert_lifecycle import LoanAction
from riskloop.domain.audit import AuditEntry
from riskloop.domain.outbox import OutboxMessage
from riskloop.errors import ConflictError
from riskloop.storage.alert_models import alerts, loan_actions
from riskloop.storage.audit import record, record_many
from riskloop.storage.decision_models import audit_log
from riskloop.storage.outbox import write_message, write_messages

_FIELDS = ("level", "evidence", "officer", "status", "loan_id", "updated_at", "row_version")  # what moves
_KEYS_PER_READ = 500  # keys looked up per query (three bound values each)
_FILTERS = {"level": alerts.c.level, "industry_section": alerts.c.industry_section, "officer": alerts.c.officer,
            "status": alerts.c.status, "origin": alerts.c.origin}  # fmt: skip


class SQLAlertStore:
    """Alerts on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def find(self, alert_id: str) -> Alert | None:
        """The alert ``alert_id``, or ``None``."""
        return self._one(alerts.c.alert_id == alert_id)

    def find_key(self, key: AlertKey) -> Alert | None:
        """The alert of ``key``, or ``None``."""
        c = alerts.c
        return self._one(sa.and_(c.credit_code == key.credit_code, c.signal == key.signal, c.period == key.period))

    def find_keys(self, keys: Sequence[AlertKey]) -> dict[AlertKey, Alert]:
        """The stored alerts of ``keys``, by key (by the unique key's index, ``_KEYS_PER_READ`` keys a query)."""
        c, wanted, found = alerts.c, sorted(set(keys), key=_order), {}
        by_key = sa.tuple_(c.credit_code, c.signal, c.period)
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _KEYS_PER_READ):
                chunk = [(k.credit_code, k.signal, k.period) for k in wanted[start : start + _KEYS_PER_READ]]
                for row in conn.execute(sa.select(alerts).where(by_key.in_(chunk))):
                    alert = _alert(row._mapping)
                    found[alert.key] = alert
        return found

    def find_levels(self, keys: Sequence[AlertKey]) -> dict[AlertKey, StoredLevel]:
        """The id and level of the stored alerts of ``keys``: five columns of their periods, kept when wanted."""
        c, wanted = alerts.c, {(k.credit_code, k.signal, k.period): k for k in keys}
        periods = sorted({k.period for k in keys})
        query = sa.select(c.credit_code, c.signal, c.period, c.alert_id, c.level).where(c.period.in_(periods))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = {}
        for code, signal, period, alert_id, level in rows:
            key = wanted.get((code, signal, period))
            if key is not None:
                found[key] = StoredLevel(alert_id, level)
        return found

    def page(self, where: AlertFilter, *, limit: int, offset: int) -> tuple[list[Alert], int]:
        """Matching alerts, newest first (then by id): one page and how many match."""
        conditions = [column == getattr(where, name) for name, column in _FILTERS.items()
                      if getattr(where, name) is not None]  # fmt: skip
        rows = sa.select(alerts).where(*conditions).order_by(alerts.c.created_at.desc(), alerts.c.alert_id)
        count = sa.select(sa.func.count()).select_from(alerts).where(*conditions)
        with self.engine.connect() as conn:
            found = [_alert(r._mapping) for r in conn.execute(rows.limit(limit).offset(offset))]
            total = int(conn.execute(count).scalar_one())
        return found, total

    def add(self, alert: Alert, entry: AuditEntry, message: OutboxMessage) -> None:
        """Store a new alert with its audit row and outbox message; a stored key is a ConflictError."""
        try:
            with self.engine.begin() as conn:
                conn.execute(alerts.insert(), _row(alert))
                record(conn, entry)
                write_message(conn, message)
        except sa.exc.IntegrityError:  # the key was raised concurrently
            key = f"{alert.credit_code} {alert.signal} {alert.period}"
            raise ConflictError("alert", f"an alert of {key} exists already") from None

    def add_many(self, items: Sequence[tuple[Alert, AuditEntry, OutboxMessage]]) -> None:
        """Store new alerts with their audit rows and messages in one transaction; a stored key stores none."""
        if not items:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(alerts.insert(), [_row(alert) for alert, _, _ in items])
                record_many(conn, [entry for _, entry, _ in items])
                write_messages(conn, [message for _, _, message in items])
        except sa.exc.IntegrityError:  # one of the keys was raised concurrently
            raise ConflictError("alert", "an alert of the batch exists already; raise them one by one") from None

    def save(
        self,
        before: Alert,
        after: Alert,
        entry: AuditEntry,
        *,
        message: OutboxMessage | None = None,
        action: LoanAction | None = None,
    ) -> None:
        """Write ``after`` over ``before`` (compare-and-set on ``row_version``) with what goes with it."""
        with self.engine.begin() as conn:
            _compare_and_set(conn, before, after)
            record(conn, entry)
            if message is not None:
                write_message(conn, message)
            if action is not None:
                conn.execute(loan_actions.insert(), _action_row(action))

    def save_many(self, changes: Sequence[tuple[Alert, Alert, AuditEntry, OutboxMessage]]) -> None:
        """``save`` of each change in one transaction; a conflict rolls back every one."""
        if not changes:
            return
        with self.engine.begin() as conn:
            for before, after, _, _ in changes:
                _compare_and_set(conn, before, after)
            record_many(conn, [entry for _, _, entry, _ in changes])
            write_messages(conn, [message for _, _, _, message in changes])

    def actions(self, alert_id: str) -> list[LoanAction]:
        """Loan actions of ``alert_id``, oldest first."""
        stmt = sa.select(loan_actions).where(loan_actions.c.alert_id == alert_id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.order_by(loan_actions.c.at, loan_actions.c.action_id)).all()
        return [
            LoanAction(r.action_id, r.alert_id, r.credit_code, r.loan_id, r.action, tuple(json.loads(r.reasons)),
                       r.actor, _utc(r.at))
            for r in rows
        ]  # fmt: skip

    def history(self, alert_id: str) -> list[AuditEntry]:
        """Audit entries of ``alert_id``, oldest first."""
        stmt = (
            sa.select(audit_log)
            .where(audit_log.c.entity == "alert", audit_log.c.entity_id == alert_id)
            .order_by(audit_log.c.audit_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [AuditEntry(_utc(r.at), r.actor, r.action, r.entity, r.entity_id, json.loads(r.detail)) for r in rows]

    def open_levels(self, credit_code: str) -> list[str]:
        """Levels of the enterprise's alerts not closed (the drawdown re-check reads them)."""
        stmt = sa.select(alerts.c.level).where(alerts.c.credit_code == credit_code, alerts.c.status != CLOSED)
        with self.engine.connect() as conn:
            return [str(level) for level in conn.execute(stmt).scalars()]

    def _one(self, where: sa.ColumnElement[bool]) -> Alert | None:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(alerts).where(where)).first()
        return None if found is None else _alert(found._mapping)


def _order(key: AlertKey) -> tuple[str, str, str]:
    return key.period, key.credit_code, key.signal


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _row(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "credit_code": alert.credit_code,
        "loan_id": alert.loan_id,
        "level": alert.level,
        "signal": alert.signal,
        "period": alert.period,
        "origin": alert.origin,
        "evidence": json.dumps(alert.evidence.to_dict(), sort_keys=True, ensure_ascii=False),
        "industry_section": alert.industry_section,
        "enterprise_kind": alert.enterprise_kind,
        "officer": alert.officer,
        "status": alert.status,
        "created_at": alert.created_at,
        "updated_at": alert.updated_at,
        "row_version": alert.row_version,
    }


def _action_row(action: LoanAction) -> dict[str, Any]:
    return {
        "action_id": action.action_id,
        "alert_id": action.alert_id,
        "credit_code": action.credit_code,
        "loan_id": action.loan_id,
        "action": action.action,
        "reasons": json.dumps(list(action.reasons), ensure_ascii=False),
        "actor": action.actor,
        "at": action.at,
    }


def _compare_and_set(conn: sa.Connection, before: Alert, after: Alert) -> None:
    values = {k: v for k, v in _row(after).items() if k in _FIELDS}
    updated = conn.execute(
        alerts.update()
        .where(alerts.c.alert_id == before.alert_id, alerts.c.row_version == before.row_version)
        .values(values)
    )
    if updated.rowcount != 1:
        raise ConflictError("alert", f"alert {before.alert_id} changed meanwhile; read it again")


def _alert(row: Any) -> Alert:
    return Alert(
        alert_id=row["alert_id"],
        credit_code=row["credit_code"],
        level=row["level"],
        signal=row["signal"],
        period=row["period"],
        origin=row["origin"],
        evidence=Evidence.from_dict(json.loads(row["evidence"])),
        status=row["status"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        loan_id=row["loan_id"],
        industry_section=row["industry_section"],
        enterprise_kind=row["enterprise_kind"],
        officer=row["officer"],
        row_version=int(row["row_version"]),
    )
