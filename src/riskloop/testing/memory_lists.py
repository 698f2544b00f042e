"""The lists' ports in memory: MemoryListStore (values kept as they are, audit rows in a list), MemoryGangFinder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from riskloop.domain.audit import AuditEntry
from riskloop.domain.lists import MATCH_KIND, DetectedGang, ListEntry, ListVersion, allowed, normalise
from riskloop.errors import ConflictError, IdentifierError, NotFoundError, ValidationError


class MemoryListStore:
    """ListStore in memory, with the same versions and audit rows as the SQL store."""

    def __init__(self) -> None:
        self._entries: dict[str, ListEntry] = {}
        self._versions: list[ListVersion] = []
        self.audit: list[AuditEntry] = []

    def _version(self, action: str, actor: str, at: dt.datetime, detail: Mapping[str, Any]) -> ListVersion:
        version = ListVersion(len(self._versions) + 1, action, actor, at, dict(detail))
        self._versions.append(version)
        return version

    def save(
        self, entries: Sequence[ListEntry], *, action: str, actor: str, at: dt.datetime, detail: Mapping[str, Any]
    ) -> tuple[ListVersion, list[ListEntry]]:
        """Store ``entries`` as one new version, each audited."""
        version = self._version(action, actor, at, detail)
        saved = [replace(e, entry_id=f"L{len(self._entries) + i:020d}", version=version.version)
                 for i, e in enumerate(entries)]  # fmt: skip
        for e in saved:
            self._entries[e.entry_id] = e
            self.audit.append(AuditEntry(at, actor, action, "list_entry", e.entry_id, {"label": e.label}))
        self.audit.append(AuditEntry(at, actor, action, "list_version", str(version.version), dict(detail)))
        return version, saved

    def end(self, entry_id: str, *, actor: str, at: dt.datetime, reason: str) -> ListEntry:
        """End-date ``entry_id`` at ``at`` as a new version, audited."""
        entry = self._entries.get(entry_id)
        if entry is None:
            raise NotFoundError(f"list entry {entry_id} does not exist")
        if entry.ended_at is not None:
            raise ConflictError("entry_id", f"{entry_id} was already ended at {entry.ended_at.isoformat()}")
        version = self._version("list.end", actor, at, {"entry_id": entry_id, "reason": reason})
        self._entries[entry_id] = replace(entry, ended_at=at, ended_by=actor, end_reason=reason)
        self.audit.append(AuditEntry(at, actor, "list.end", "list_entry", entry_id, {"version": version.version}))
        return replace(self._entries[entry_id], value=None)

    def entries(
        self, *, list_kind: str | None, include_ended: bool, reveal_to: str | None, at: dt.datetime
    ) -> list[ListEntry]:
        """Stored entries, oldest first; values for ``reveal_to`` only, with an audit row."""
        rows = [
            e
            for e in self._entries.values()
            if (list_kind is None or e.list_kind == list_kind) and (include_ended or e.ended_at is None)
        ]
        if reveal_to is not None and rows:
            self.audit.append(AuditEntry(at, reveal_to, "pii.reveal", "list_entries", list_kind or "all",
                                         {"entries": [e.entry_id for e in rows]}))  # fmt: skip
        return [e if reveal_to is not None else replace(e, value=None) for e in rows]

    def versions(self) -> list[ListVersion]:
        """Every version, oldest first."""
        return list(self._versions)

    def find(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[ListEntry]]:
        """Entries of each (match kind, value) in ``keys``."""
        wanted = set(keys)
        found: dict[tuple[str, str], list[ListEntry]] = {}
        for e in self._entries.values():
            key = e.match_key
            if key in wanted:
                found.setdefault(key, []).append(e)
        return found

    def allows(self, kind: str, value: str, at: dt.datetime) -> bool:
        """True when ``value`` is white-listed and not black-listed at ``at`` (an invalid value: False)."""
        try:
            key = (MATCH_KIND[kind], normalise(kind, value))
        except (IdentifierError, ValidationError, KeyError):
            return False
        return allowed(self.find([key]).get(key, []), at)


class MemoryGangFinder:
    """GangFinder of gangs given in advance."""

    def __init__(self, gangs: Sequence[DetectedGang]) -> None:
        self.gangs = {g.gang_id: g for g in gangs}

    def gang(self, gang_id: str, *, until: dt.datetime | None = None, window_days: float | None = None) -> DetectedGang:
        """The gang ``gang_id``; NotFoundError when none was given."""
        if gang_id not in self.gangs:
            raise NotFoundError(f"gang {gang_id}: not among the {len(self.gangs)} gangs detected")
        return self.gangs[gang_id]
