"""Ports of the graph explorer: the loaded graph, the enterprises' registrations, and the names vault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from riskloop.domain.enterprise_card import EnterpriseCard
from riskloop.graph.explore import GraphView


class GraphSource(Protocol):
    """The graph a process has loaded (the decision path's, ``WorkspaceGraphChecks``): read under its lock."""

    def reading(self) -> AbstractContextManager[GraphView | None]:
        """The loaded graph for the duration of a read, or None when it was loaded without one."""
        ...


class EnterpriseDirectory(Protocol):
    """Registered enterprises and persons (the ingested ``enterprises`` and ``persons`` tables)."""

    def by_codes(self, codes: Sequence[str]) -> dict[str, EnterpriseCard]:
        """The latest registration of each of ``codes`` held."""
        ...

    def with_prefix(self, prefix: str, limit: int, offset: int) -> tuple[list[EnterpriseCard], int]:
        """Enterprises whose credit code starts with ``prefix``, by code: one page and the total."""
        ...

    def named(self, names: Sequence[str], limit: int, offset: int) -> tuple[list[EnterpriseCard], int]:
        """Enterprises whose stored name is one of ``names`` (as written, or its keyed form), by code."""
        ...

    def person_names(self, persons: Sequence[str]) -> dict[str, str]:
        """Stored name (keyed: ``tok1:<token>:<masked>``) of each stored person id in ``persons`` held."""
        ...


class NameVault(Protocol):
    """Opens stored (keyed) values, each call audited (``storage.protected.SQLVault``)."""

    def open_all(
        self, kind: str, stored: Sequence[str], *, actor: str, purpose: str, at: dt.datetime
    ) -> dict[str, str]:
        """The written value of each keyed form in ``stored`` the vault holds; one audit row per call."""
        ...
