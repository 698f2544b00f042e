"""The port of the strategy lifecycle's use case: versions, their content and activation changes.

Writes are atomic with their audit rows. ``save`` and ``apply`` are compare-and-set: each version is written
only while it is still the ``before`` read (same ``row_version``), a change only while it is pending, and at
most one version of a name is active; otherwise ConflictError and nothing is written. In-memory
implementation: ``riskloop.testing.memory_strategies``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.strategy_lifecycle import Activation, ActivationChange, StrategyVersion


class ActiveVersions(Protocol):
    """Which version of a strategy is active (what the decision path follows)."""

    def active(self, name: str) -> StrategyVersion | None:
        """The active version of ``name``, if any."""
        ...


class StrategyStore(ActiveVersions, Protocol):
    """Stored strategy versions and activation changes."""

    def find(self, name: str, version: int) -> StrategyVersion | None:
        """One version, or ``None``."""
        ...

    def versions(self, name: str) -> list[StrategyVersion]:
        """Every version of ``name``, oldest first."""
        ...

    def names(self) -> list[str]:
        """Every strategy name with a stored version, sorted."""
        ...

    def list_changes(self, status: str | None = None) -> list[ActivationChange]:
        """Activation changes (of ``status`` when given), oldest first."""
        ...

    def content(self, name: str, version: int) -> str | None:
        """The JDM JSON of one version (drafts included), or ``None``."""
        ...

    def change(self, change_id: int) -> ActivationChange | None:
        """One activation change, or ``None``."""
        ...

    def add(self, draft: StrategyVersion, content: str, entry: AuditEntry) -> None:
        """Store a new version with ``entry``; a version number already taken is a ConflictError."""
        ...

    def save(
        self, before: StrategyVersion, after: StrategyVersion, entry: AuditEntry, content: str | None = None
    ) -> None:
        """Replace ``before`` by ``after`` (and its content when given) with ``entry``; compare-and-set."""
        ...

    def add_change(self, change: ActivationChange, entry: AuditEntry) -> int:
        """Store a pending change (its ``change_id`` is assigned here) with ``entry``, whose detail gains the id."""
        ...

    def apply(self, activation: Activation, entries: Sequence[AuditEntry]) -> None:
        """Write the change and every move of ``activation`` with ``entries``; compare-and-set on each."""
        ...
