"""Prospect screening's ports in memory: MemoryProspectStore (audit rows in a list), MemoryCampaignApplications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from riskloop.domain.audit import AuditEntry
from riskloop.domain.prospect import Campaign, Prospect, ProspectRun
from riskloop.errors import ConflictError


class MemoryProspectStore:
    """ProspectStore in memory, with the same ordering, conflicts and audit rows as the SQL store."""

    def __init__(self) -> None:
        self._runs: dict[str, ProspectRun] = {}
        self._prospects: dict[str, list[Prospect]] = {}
        self._campaigns: dict[str, Campaign] = {}
        self._members: dict[str, frozenset[str]] = {}
        self.audit_rows: list[AuditEntry] = []

    def save_run(self, run: ProspectRun, ranked: Sequence[Prospect], entry: AuditEntry) -> None:
        """Store ``run`` and its prospects with ``entry``; ConflictError when the id exists or ranks repeat."""
        if run.run_id in self._runs or len({p.rank for p in ranked}) != len(ranked):
            raise ConflictError("run_id", f"{run.run_id} exists, or two prospects share a rank")
        self._runs[run.run_id] = run
        self._prospects[run.run_id] = sorted(ranked, key=lambda p: p.rank)
        self.audit_rows.append(entry)

    def latest_run(self, as_of: dt.date | None = None) -> ProspectRun | None:
        """The newest run (of day ``as_of`` when given)."""
        runs = [r for r in self._runs.values() if as_of is None or r.as_of == as_of]
        return max(runs, key=lambda r: (r.created_at, r.run_id), default=None)

    def run(self, run_id: str) -> ProspectRun | None:
        """One run by id."""
        return self._runs.get(run_id)

    def _of(self, run_id: str, industry: str | None) -> list[Prospect]:
        return [p for p in self._prospects.get(run_id, ()) if industry is None or p.section == industry]

    def prospects(
        self, run_id: str, *, industry: str | None = None, top: int | None = None, offset: int = 0
    ) -> list[Prospect]:
        """A run's prospects by rank, of one industry section when given."""
        found = self._of(run_id, industry)[offset:]
        return found if top is None else found[:top]

    def count(self, run_id: str, *, industry: str | None = None) -> int:
        """How many prospects a run holds (of one industry section when given)."""
        return len(self._of(run_id, industry))

    def codes(self, run_id: str, *, industry: str | None = None, top: int | None = None) -> list[str]:
        """A run's credit codes by rank (of one industry section when given)."""
        return [p.credit_code for p in self.prospects(run_id, industry=industry, top=top)]

    def audit(self, entry: AuditEntry) -> None:
        """Append one audit row."""
        self.audit_rows.append(entry)

    def add_campaign(self, campaign: Campaign, members: Sequence[str], entry: AuditEntry) -> None:
        """Store ``campaign`` with its members and ``entry``; ConflictError when its id exists."""
        if campaign.campaign_id in self._campaigns:
            raise ConflictError("campaign_id", f"{campaign.campaign_id} exists")
        self._campaigns[campaign.campaign_id] = campaign
        self._members[campaign.campaign_id] = frozenset(members)
        self.audit_rows.append(entry)

    def campaign(self, campaign_id: str) -> Campaign | None:
        """One campaign by id."""
        return self._campaigns.get(campaign_id)

    def campaign_members(self, campaign_id: str) -> frozenset[str]:
        """The credit codes of a campaign's members."""
        return self._members.get(campaign_id, frozenset())


class MemoryCampaignApplications:
    """CampaignApplications over decisions a test adds (champion decisions only, oldest first)."""

    def __init__(self) -> None:
        self.decisions: list[tuple[str | None, str, str, str | None]] = []  # campaign, credit code, status, outcome

    def add(self, campaign_id: str | None, credit_code: str, status: str, final_outcome: str | None) -> None:
        """A champion decision of ``credit_code`` naming ``campaign_id`` (or none)."""
        self.decisions.append((campaign_id, credit_code, status, final_outcome))

    def outcomes(self, campaign_id: str) -> list[tuple[str, str, str | None]]:
        """(credit code, status, final outcome) of each decision naming ``campaign_id``."""
        return [(code, status, outcome) for c, code, status, outcome in self.decisions if c == campaign_id]
