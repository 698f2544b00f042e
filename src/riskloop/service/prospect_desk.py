"""The use cases of prospect runs: read the ranked list, export it, take a campaign from it, follow its conversion.

Analysts read, export and create campaigns; auditors read. Names of enterprises (at times a person's name) are
shown only to them, and every read of names and every export is audited: who, how many, which run.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.domain.access import ANALYST, AUDITOR, Principal, require_role
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.prospect import Campaign, CampaignConversion, Prospect, ProspectRun
from riskloop.errors import NotFoundError, ValidationError
from riskloop.service.prospect_export import check_format, check_lang, export_bytes, prospect_view
from riskloop.service.prospect_ports import CampaignApplications, ProspectStore

READERS = (ANALYST, AUDITOR)
SCREEN_COMMAND = "riskloop prospects screen --as-of {day}"
APPROVED, FINAL = "approved", "final"


def no_run(day: dt.date | None) -> NotFoundError:
    """The error of a missing run, naming the command that makes one."""
    if day is None:
        return NotFoundError(f"no prospect run yet (run: {SCREEN_COMMAND.format(day='DATE')})")
    return NotFoundError(f"no prospect run for {day.isoformat()} (run: {SCREEN_COMMAND.format(day=day.isoformat())})")


def new_campaign_id(now: dt.datetime) -> str:
    """A fresh campaign id: ``CMP-<day>-<12 hex>``."""
    return f"CMP-{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class ProspectPage:
    """One page of a run's prospects (``total``: those matching the filter)."""

    run: ProspectRun
    prospects: list[Prospect]
    total: int
    offset: int
    industry: str | None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """JSON-ready fields, each prospect with its industry name and reasons in ``lang``."""
        return {"run": self.run.to_dict(), "total": self.total, "offset": self.offset, "industry": self.industry,
                "lang": lang, "prospects": [prospect_view(p, lang) for p in self.prospects]}  # fmt: skip


class ProspectDesk:
    """Use cases of prospect runs and campaigns on a ``ProspectStore`` and the decisions naming campaigns."""

    def __init__(
        self,
        store: ProspectStore,
        applications: CampaignApplications,
        clock: Clock,
        new_id: Callable[[dt.datetime], str] = new_campaign_id,
    ) -> None:
        self.store, self.applications, self.clock, self.new_id = store, applications, clock, new_id

    def latest_run(self, principal: Principal, as_of: dt.date | None = None) -> ProspectRun:
        """The newest run (of day ``as_of`` when given); NotFoundError naming the command to run when none."""
        require_role(principal, READERS, "reading prospects")
        return self._run(as_of, None)

    def _run(self, as_of: dt.date | None, run_id: str | None) -> ProspectRun:
        if run_id is None:
            found = self.store.latest_run(as_of)
            if found is None:
                raise no_run(as_of)
            return found
        run = self.store.run(run_id)
        if run is None:
            raise NotFoundError(f"run_id: prospect run {run_id!r} does not exist")
        if as_of is not None and run.as_of != as_of:
            raise ValidationError("run_id", f"run {run_id} screened {run.as_of.isoformat()}, not {as_of.isoformat()}")
        return run

    def prospects(
        self,
        principal: Principal,
        *,
        as_of: dt.date | None = None,
        run_id: str | None = None,
        industry: str | None = None,
        top: int | None = 100,
        offset: int = 0,
    ) -> ProspectPage:
        """A page of a run's prospects by rank, names shown (audited); the newest run of ``as_of`` by default."""
        require_role(principal, READERS, "reading prospects")
        _check_window(top, offset)
        run = self._run(as_of, run_id)
        found = self.store.prospects(run.run_id, industry=industry, top=top, offset=offset)
        total = self.store.count(run.run_id, industry=industry)
        if found:
            self._audit(principal, "prospects.read", run, {"rows": len(found), "industry": industry, "offset": offset})
        return ProspectPage(run, found, total, offset, industry)

    def export(
        self,
        principal: Principal,
        *,
        as_of: dt.date | None = None,
        run_id: str | None = None,
        industry: str | None = None,
        top: int | None = None,
        fmt: str = "csv",
        lang: str = "zh",
    ) -> bytes:
        """The run's prospects (``top`` of them, of ``industry``) as a CSV or XLSX file (analysts; audited)."""
        require_role(principal, (ANALYST,), "exporting prospects")
        check_format(fmt)
        check_lang(lang)
        _check_window(top, 0)
        run = self._run(as_of, run_id)
        found = self.store.prospects(run.run_id, industry=industry, top=top)
        data = export_bytes(found, fmt, lang)
        self._audit(principal, "prospects.export", run, {"rows": len(found), "industry": industry, "top": top,
                                                         "format": fmt, "lang": lang})  # fmt: skip
        return data

    def create_campaign(
        self,
        principal: Principal,
        *,
        run_id: str,
        name: str,
        top: int | None = None,
        industry: str | None = None,
        codes: Sequence[str] | None = None,
    ) -> Campaign:
        """A campaign of run ``run_id`` (analysts): its ``top`` prospects (of ``industry``), or the given ``codes``."""
        require_role(principal, (ANALYST,), "creating campaigns")
        run = self._run(None, run_id)
        members = self._members(run, top, industry, codes)
        now = self.clock.now()
        campaign = Campaign(self.new_id(now), run.run_id, name.strip(), principal.name, now, len(members))
        selection = {"top": top, "industry": industry, "codes": None if codes is None else len(members)}
        entry = AuditEntry(now, principal.name, "campaign.create", "campaign", campaign.campaign_id,
                           {"run_id": run.run_id, "members": len(members), "selection": selection})  # fmt: skip
        self.store.add_campaign(campaign, members, entry)
        return campaign

    def _members(
        self, run: ProspectRun, top: int | None, industry: str | None, codes: Sequence[str] | None
    ) -> list[str]:
        if codes is not None:
            if top is not None or industry is not None:
                raise ValidationError("codes", "give the members' codes, or top and industry, not both")
            chosen = list(dict.fromkeys(c.strip() for c in codes))
            if not chosen:
                raise ValidationError("codes", "give at least one credit code")
            ranked = set(self.store.codes(run.run_id))
            unknown = [c for c in chosen if c not in ranked]
            if unknown:
                raise ValidationError("codes", f"{len(unknown)} not of run {run.run_id}, first {unknown[0]!r}")
            return chosen
        if top is None and industry is None:
            raise ValidationError("top", "choose the members: top N, an industry section, or codes")
        _check_window(top, 0)
        chosen = self.store.codes(run.run_id, industry=industry, top=top)
        if not chosen:
            raise ValidationError("industry", f"run {run.run_id} holds no prospect of section {industry!r}")
        return chosen

    def campaign(self, principal: Principal, campaign_id: str) -> Campaign:
        """One campaign; NotFoundError when it does not exist."""
        require_role(principal, READERS, "reading campaigns")
        found = self.store.campaign(campaign_id)
        if found is None:
            raise NotFoundError(f"campaign_id: campaign {campaign_id!r} does not exist")
        return found

    def conversion(self, principal: Principal, campaign_id: str) -> CampaignConversion:
        """How the campaign converted: members that applied naming it, and how their applications ended.

        A member counts once: approved when any of its applications naming the campaign was approved, else pending
        while one is not final, else declined. Applications of enterprises outside the campaign are not counted.
        """
        campaign = self.campaign(principal, campaign_id)
        members = self.store.campaign_members(campaign_id)
        by_member: dict[str, list[tuple[str, str | None]]] = {}
        for code, status, outcome in self.applications.outcomes(campaign_id):
            if code in members:
                by_member.setdefault(code, []).append((status, outcome))
        approved = sum(any(o == APPROVED for _, o in ends) for ends in by_member.values())
        pending = sum(
            not any(o == APPROVED for _, o in ends) and any(s != FINAL for s, _ in ends) for ends in by_member.values()
        )
        applied = len(by_member)
        return CampaignConversion(campaign.campaign_id, len(members), applied, approved, applied - approved - pending,
                                  pending)  # fmt: skip

    def _audit(self, principal: Principal, action: str, run: ProspectRun, detail: dict[str, Any]) -> None:
        self.store.audit(AuditEntry(self.clock.now(), principal.name, action, "prospect_run", run.run_id,
                                    {**detail, "as_of": run.as_of.isoformat(), "names": True}))  # fmt: skip


def _check_window(top: int | None, offset: int) -> None:
    if top is not None and top < 1:
        raise ValidationError("top", f"{top} is not a positive number of prospects")
    if offset < 0:
        raise ValidationError("offset", f"{offset} is negative")
