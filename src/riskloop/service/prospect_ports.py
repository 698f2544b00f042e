"""Ports of prospect screening: where runs, prospects and campaigns are kept, and the applications naming one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.prospect import Campaign, Prospect, ProspectRun


class ProspectStore(Protocol):
    """Prospect runs with their ranked prospects, and the campaigns taken from them (names sealed at rest)."""

    def save_run(self, run: ProspectRun, prospects: Sequence[Prospect], entry: AuditEntry) -> None:
        """Store a run and its prospects in one transaction, with its audit row."""
        ...

    def latest_run(self, as_of: dt.date | None = None) -> ProspectRun | None:
        """The newest run (of day ``as_of`` when given)."""
        ...

    def run(self, run_id: str) -> ProspectRun | None:
        """One run by id."""
        ...

    def prospects(
        self, run_id: str, *, industry: str | None = None, top: int | None = None, offset: int = 0
    ) -> list[Prospect]:
        """A run's prospects by rank, of one industry section when given."""
        ...

    def count(self, run_id: str, *, industry: str | None = None) -> int:
        """How many prospects a run holds (of one industry section when given)."""
        ...

    def codes(self, run_id: str, *, industry: str | None = None, top: int | None = None) -> list[str]:
        """A run's credit codes by rank (of one industry section when given): no name is opened."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Append one audit row on its own (who read or exported names)."""
        ...

    def add_campaign(self, campaign: Campaign, members: Sequence[str], entry: AuditEntry) -> None:
        """Store a campaign with its members' credit codes."""
        ...

    def campaign(self, campaign_id: str) -> Campaign | None:
        """One campaign by id."""
        ...

    def campaign_members(self, campaign_id: str) -> frozenset[str]:
        """The credit codes of a campaign's members."""
        ...


class CampaignApplications(Protocol):
    """Decisions of applications that named a campaign."""

    def outcomes(self, campaign_id: str) -> list[tuple[str, str, str | None]]:
        """(credit code, status, final outcome) of each champion decision naming ``campaign_id``."""
        ...
