"""The port of the alert desk: stored alerts, the actions taken on their loans, and their audit trail.

Writes are atomic: an alert's new state, its audit row, and (for a new or upgraded alert) its outbox message or
(for an action) the loan action commit together or not at all. ``save`` is a compare-and-set: it writes
``after`` only while the stored alert is still ``before`` (same ``row_version``), else it raises ConflictError
and writes nothing. In-memory implementation: ``riskloop.testing.memory_alerts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from riskloop.domain.alert import Alert, AlertFilter, AlertKey, StoredLevel
from riskloop.domain.alert_lifecycle import LoanAction
from riskloop.domain.audit import AuditEntry
from riskloop.domain.outbox import OutboxMessage


class AlertStore(Protocol):
    """Stored alerts."""

    def find(self, alert_id: str) -> Alert | None:
        """The alert ``alert_id``, or ``None``."""
        ...

    def find_key(self, key: AlertKey) -> Alert | None:
        """The alert of ``key`` (credit code, signal, period), or ``None``."""
        ...

    def find_keys(self, keys: Sequence[AlertKey]) -> dict[AlertKey, Alert]:
        """The stored alerts of ``keys`` (those there are), by key."""
        ...

    def find_levels(self, keys: Sequence[AlertKey]) -> dict[AlertKey, StoredLevel]:
        """The id and level of the stored alerts of ``keys`` (those there are), by key: one narrow read of a batch.

        A monitoring run raises its whole book again every day; what it needs of the alerts already stored is
        whether each key is there and at which level (an unchanged alert is never read whole).
        """
        ...

    def page(self, where: AlertFilter, *, limit: int, offset: int) -> tuple[list[Alert], int]:
        """Alerts matching ``where``, newest first (then by id), ``limit`` from ``offset``; and how many match."""
        ...

    def add(self, alert: Alert, entry: AuditEntry, message: OutboxMessage) -> None:
        """Store a new alert with its audit row and outbox message; a stored key is a ConflictError (``alert``)."""
        ...

    def add_many(self, items: Sequence[tuple[Alert, AuditEntry, OutboxMessage]]) -> None:
        """Store new alerts with their audit rows and messages in one transaction (a stored key: ConflictError)."""
        ...

    def save(
        self,
        before: Alert,
        after: Alert,
        entry: AuditEntry,
        *,
        message: OutboxMessage | None = None,
        action: LoanAction | None = None,
    ) -> None:
        """Replace ``before`` by ``after`` with ``entry`` (and ``message``, ``action``), compare-and-set."""
        ...

    def save_many(self, changes: Sequence[tuple[Alert, Alert, AuditEntry, OutboxMessage]]) -> None:
        """``save`` of each ``(before, after, entry, message)`` in one transaction; a conflict saves none."""
        ...

    def actions(self, alert_id: str) -> list[LoanAction]:
        """The loan actions taken on ``alert_id``, oldest first."""
        ...

    def history(self, alert_id: str) -> list[AuditEntry]:
        """The audit trail of ``alert_id``, oldest first."""
        ...
