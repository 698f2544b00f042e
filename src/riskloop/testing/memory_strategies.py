"""MemoryStrategies: the StrategyStore in memory, with its activation changes and audit rows.

``StoredStrategyLoader`` is the StrategyLoader over it, as ``storage.strategies.SQLStrategyLoader`` is over the
database: submitted and later versions only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from riskloop.domain.audit import AuditEntry
from riskloop.domain.strategy_lifecycle import ACTIVE, LOADABLE, Activation, ActivationChange, StrategyVersion
from riskloop.errors import ConflictError, NotFoundError
from riskloop.rules.engine import Strategy, StrategyLoader, parse_key
from riskloop.service.strategy_ports import StrategyStore


@dataclass
class MemoryStrategies:
    """Versions and changes in dicts; each write is atomic under one lock, as a transaction is."""

    stored: dict[tuple[str, int], StrategyVersion] = field(default_factory=dict)
    contents: dict[tuple[str, int], str] = field(default_factory=dict)
    changes: dict[int, ActivationChange] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def find(self, name: str, version: int) -> StrategyVersion | None:
        """One version, or ``None``."""
        return self.stored.get((name, version))

    def versions(self, name: str) -> list[StrategyVersion]:
        """Every version of ``name``, oldest first."""
        return sorted((v for v in self.stored.values() if v.name == name), key=lambda v: v.version)

    def names(self) -> list[str]:
        """Every strategy name with a stored version, sorted."""
        return sorted({name for name, _ in self.stored})

    def list_changes(self, status: str | None = None) -> list[ActivationChange]:
        """Activation changes (of ``status`` when given), oldest first."""
        return [c for _, c in sorted(self.changes.items()) if status is None or c.status == status]

    def active(self, name: str) -> StrategyVersion | None:
        """The active version of ``name``, if any."""
        return next((v for v in self.versions(name) if v.status == ACTIVE), None)

    def content(self, name: str, version: int) -> str | None:
        """The JDM JSON of one version, or ``None``."""
        return self.contents.get((name, version))

    def change(self, change_id: int) -> ActivationChange | None:
        """One activation change, or ``None``."""
        return self.changes.get(change_id)

    def add(self, draft: StrategyVersion, content: str, entry: AuditEntry) -> None:
        """Store a new version; a version number taken is a ConflictError."""
        with self._lock:
            if (draft.name, draft.version) in self.stored:
                raise ConflictError("status", f"{draft.key} was created meanwhile; try again")
            self.stored[draft.name, draft.version] = draft
            self.contents[draft.name, draft.version] = content
            self.audit.append(entry)

    def save(
        self, before: StrategyVersion, after: StrategyVersion, entry: AuditEntry, content: str | None = None
    ) -> None:
        """Replace ``before`` by ``after`` (and the content when given) with ``entry``; compare-and-set."""
        with self._lock:
            self._check([(before, after)])
            self.stored[after.name, after.version] = after
            if content is not None:
                self.contents[after.name, after.version] = content
            self.audit.append(entry)

    def add_change(self, change: ActivationChange, entry: AuditEntry) -> int:
        """Store a pending change; ``entry``'s detail gains the change id assigned here."""
        with self._lock:
            change_id = len(self.changes) + 1
            self.changes[change_id] = replace(change, change_id=change_id)
            self.audit.append(replace(entry, detail={**entry.detail, "change_id": change_id}))
        return change_id

    def apply(self, activation: Activation, entries: Sequence[AuditEntry]) -> None:
        """The change, then each move, compare-and-set, with ``entries``; at most one active version per name."""
        before, after = activation.change
        with self._lock:
            stored = self.changes.get(before.change_id)
            if stored is None or stored.status != before.status:
                raise ConflictError("status", f"change {before.change_id} was decided meanwhile")
            self._check(activation.moves)
            moved = {(v.name, v.version): v for _, v in activation.moves}
            actives = [k for k, v in {**self.stored, **moved}.items() if k[0] == after.name and v.status == ACTIVE]
            if len(actives) > 1:
                raise ConflictError("status", f"{activation.activated.key}: another version became active meanwhile")
            self.changes[after.change_id] = after
            self.stored.update(moved)
            self.audit.extend(entries)

    def _check(self, moves: Sequence[tuple[StrategyVersion, StrategyVersion]]) -> None:
        for before, _ in moves:
            stored = self.stored.get((before.name, before.version))
            if stored is None or stored.row_version != before.row_version:
                raise ConflictError("status", f"{before.key} changed meanwhile; read it again")


class StoredStrategyLoader:
    """Loads the submitted and later versions of a MemoryStrategies (drafts are still changing)."""

    def __init__(self, store: MemoryStrategies) -> None:
        self.store = store

    def load(self, key: str) -> Strategy:
        """The stored version ``key``; NotFoundError when it is missing or a draft."""
        name, version = parse_key(key)
        found, content = self.store.find(name, version), self.store.content(name, version)
        if found is None or content is None or found.status not in LOADABLE:
            raise NotFoundError(f"strategy {key}: not stored or still a draft")
        return Strategy.of(name, version, content)


def _as_port(store: MemoryStrategies) -> StrategyStore:  # mypy checks the fake against its port here
    return store


def _as_loader(loader: StoredStrategyLoader) -> StrategyLoader:
    return loader
