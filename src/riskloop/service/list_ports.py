"""Ports of the bank's lists: the store (SQL in storage/list_store.py, in memory in testing/), the screen, gangs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.lists import DetectedGang, ListEntry, ListHits, ListVersion


class ListStore(Protocol):
    """Entries kept for lookup by keyed token, their values sealed; every change a version, audited."""

    def save(
        self, entries: Sequence[ListEntry], *, action: str, actor: str, at: dt.datetime, detail: Mapping[str, Any]
    ) -> tuple[ListVersion, list[ListEntry]]:
        """Store ``entries`` as one new version (ids assigned), with an audit row per entry and one for the version."""
        ...

    def end(self, entry_id: str, *, actor: str, at: dt.datetime, reason: str) -> ListEntry:
        """End-date ``entry_id`` at ``at`` (a new version, audited); NotFoundError, or ConflictError if ended."""
        ...

    def entries(
        self, *, list_kind: str | None, include_ended: bool, reveal_to: str | None, at: dt.datetime
    ) -> list[ListEntry]:
        """Stored entries, oldest first; values opened only with ``reveal_to`` (the reader, audited), else None."""
        ...

    def versions(self) -> list[ListVersion]:
        """Every version, oldest first."""
        ...

    def find(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[ListEntry]]:
        """Every entry (in force or not) of each (match kind, normalised value) of ``keys``: one indexed read."""
        ...

    def allows(self, kind: str, value: str, at: dt.datetime) -> bool:
        """True when ``value`` (of ``kind``) is white-listed at ``at`` and not black-listed (the Allowlist seam)."""
        ...


class ListScreen(Protocol):
    """What the decision pipeline asks of the lists."""

    def screen(self, request: DecisionRequest, at: dt.datetime) -> ListHits:
        """The request's identifiers found on the lists in force at ``at``."""
        ...


class GangFinder(Protocol):
    """Gang detection as a confirmation needs it (``service.graph.WorkspaceGangFinder``; in memory in testing/)."""

    def gang(self, gang_id: str, *, until: dt.datetime | None = None, window_days: float | None = None) -> DetectedGang:
        """The gang ``gang_id`` as detection finds it in the window ending at ``until``; NotFoundError if none."""
        ...
