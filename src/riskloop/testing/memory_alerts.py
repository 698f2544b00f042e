"""MemoryAlerts: the AlertStore in memory, with its audit rows, loan actions and outbox (a MemoryOutbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from riskloop.domain.alert import CLOSED, Alert, AlertFilter, AlertKey, StoredLevel
from riskloop.domain.alert_lifecycle import LoanAction
from riskloop.domain.audit import AuditEntry
from riskloop.domain.outbox import OutboxMessage
from riskloop.errors import ConflictError
from riskloop.service.alert_ports import AlertStore
from riskloop.testing.memory_outbox import MemoryOutbox


@dataclass
class MemoryAlerts:
    """Alerts in dicts; each write is atomic under the outbox's lock, as a transaction is."""

    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    alerts: dict[str, Alert] = field(default_factory=dict)
    loan_actions: list[LoanAction] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    def open_levels(self, credit_code: str) -> list[str]:
        """Levels of the enterprise's alerts not closed."""
        with self.outbox.lock:
            return [a.level for a in self.alerts.values() if a.credit_code == credit_code and a.status != CLOSED]

    def find(self, alert_id: str) -> Alert | None:
        """The alert ``alert_id``, or ``None``."""
        return self.alerts.get(alert_id)

    def find_key(self, key: AlertKey) -> Alert | None:
        """The alert of ``key``, or ``None``."""
        with self.outbox.lock:
            return next((a for a in self.alerts.values() if a.key == key), None)

    def find_keys(self, keys: Sequence[AlertKey]) -> dict[AlertKey, Alert]:
        """The stored alerts of ``keys``, by key."""
        wanted = set(keys)
        with self.outbox.lock:
            return {a.key: a for a in self.alerts.values() if a.key in wanted}

    def find_levels(self, keys: Sequence[AlertKey]) -> dict[AlertKey, StoredLevel]:
        """The id and level of the stored alerts of ``keys``, by key."""
        wanted = set(keys)
        with self.outbox.lock:
            return {a.key: StoredLevel(a.alert_id, a.level) for a in self.alerts.values() if a.key in wanted}

    def page(self, where: AlertFilter, *, limit: int, offset: int) -> tuple[list[Alert], int]:
        """Matching alerts, newest first (then by id), one page of them and how many match."""
        with self.outbox.lock:
            found = [a for a in self.alerts.values() if where.matches(a)]
        found.sort(key=lambda a: a.alert_id)
        found.sort(key=lambda a: a.created_at, reverse=True)
        return found[offset : offset + limit], len(found)

    def add(self, alert: Alert, entry: AuditEntry, message: OutboxMessage) -> None:
        """Store a new alert with its audit row and outbox message; a stored key is a ConflictError."""
        with self.outbox.lock:
            if alert.alert_id in self.alerts or any(a.key == alert.key for a in self.alerts.values()):
                raise ConflictError("alert", f"alert {alert.alert_id} of {alert.credit_code} exists already")
            self.alerts[alert.alert_id] = alert
            self.audit.append(entry)
            self.outbox.write(message)

    def add_many(self, items: Sequence[tuple[Alert, AuditEntry, OutboxMessage]]) -> None:
        """Store new alerts with their audit rows and messages at once; a stored key stores none of them."""
        with self.outbox.lock:
            keys = {a.key for a in self.alerts.values()}
            batch = [alert.key for alert, _, _ in items]
            if len(set(batch)) != len(batch) or keys & set(batch):
                raise ConflictError("alert", "an alert of the batch exists already; raise them one by one")
            for alert, entry, message in items:
                self.alerts[alert.alert_id] = alert
                self.audit.append(entry)
                self.outbox.write(message)

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
        with self.outbox.lock:
            stored = self.alerts.get(before.alert_id)
            if stored is None or stored.row_version != before.row_version:
                raise ConflictError("alert", f"alert {before.alert_id} changed meanwhile; read it again")
            self.alerts[after.alert_id] = after
            self.audit.append(entry)
            if message is not None:
                self.outbox.write(message)
            if action is not None:
                self.loan_actions.append(action)

    def save_many(self, changes: Sequence[tuple[Alert, Alert, AuditEntry, OutboxMessage]]) -> None:
        """``save`` of each change at once; a conflict saves none."""
        with self.outbox.lock:
            for before, _, _, _ in changes:
                stored = self.alerts.get(before.alert_id)
                if stored is None or stored.row_version != before.row_version:
                    raise ConflictError("alert", f"alert {before.alert_id} changed meanwhile; read it again")
            for _, after, entry, message in changes:
                self.alerts[after.alert_id] = after
                self.audit.append(entry)
                self.outbox.write(message)

    def actions(self, alert_id: str) -> list[LoanAction]:
        """Loan actions of ``alert_id``, oldest first."""
        return [a for a in self.loan_actions if a.alert_id == alert_id]

    def history(self, alert_id: str) -> list[AuditEntry]:
        """Audit entries of ``alert_id``, oldest first."""
        return [e for e in self.audit if e.entity_id == alert_id]


def _as_port(store: MemoryAlerts) -> AlertStore:  # mypy checks the fake against its port here
    return store
