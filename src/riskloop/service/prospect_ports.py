"""Ports of prospect screening: its inputs, where runs, prospects and campaigns live, and applications naming one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

import pyarrow as pa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.products import ProductOffer
from riskloop.domain.prospect import Campaign, Prospect, ProspectRun
from riskloop.prospecting.graph_signals import GraphSignalArrays


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


class ForecastSource(Protocol):
    """The business-scale forecast of every enterprise with sales history (``riskloop.forecast.schema``)."""

    @property
    def version(self) -> str:
        """The forecast model that forecasts."""
        ...

    def forecast(self, as_of: dt.date) -> pa.Table:
        """One row per enterprise: last 12 months' sales, 3/6/12-month forecasts, growth and its probability."""
        ...


class PdSource(Protocol):
    """The credit model's PD of every enterprise on a profile without an application."""

    @property
    def version(self) -> str:
        """The credit model that scores."""
        ...

    def pds(self, as_of: dt.date) -> pa.Table:
        """Columns ``credit_code`` and ``pd``."""
        ...


class GraphSignalSource(Protocol):
    """Graph signals of many enterprises at once."""

    @property
    def version(self) -> str:
        """The graph build read."""
        ...

    def signals(self, codes: Sequence[str], as_of: dt.date) -> GraphSignalArrays:
        """Signals of ``codes`` as known before ``as_of``."""
        ...


class Blacklist(Protocol):
    """Which of many credit codes the bank's black list holds."""

    def blacklisted(self, codes: Sequence[str], moments: Sequence[dt.datetime]) -> frozenset[str]:
        """The codes black-listed at any of ``moments``."""
        ...


class ProductChooser(Protocol):
    """The active product catalogue: the product that fits each prospect."""

    def recommend_many(self, profiles: Sequence[Mapping[str, object]]) -> list[ProductOffer | None]:
        """One offer (or none) per profile, in order."""
        ...
