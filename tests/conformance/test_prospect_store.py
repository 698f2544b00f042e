"""The ProspectStore and CampaignApplications ports on every backend: runs, ranked pages, filters, campaigns, audit.

The SQL store keeps each name sealed (read back opened); the decisions naming a campaign are found by its column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.prospect import Campaign
from riskloop.errors import ConflictError
from riskloop.privacy.envelope import Sealer, is_sealed
from riskloop.storage.decision_models import audit_log, decisions
from riskloop.storage.prospect_models import campaign_members, campaigns, prospect_runs, prospects
from riskloop.storage.prospects import SQLCampaignApplications, SQLProspectStore
from riskloop.testing.keys import MemoryKeyProvider
from riskloop.testing.memory_prospects import MemoryCampaignApplications, MemoryProspectStore
from riskloop.testing.prospects import AS_OF, CREATED, run_entry, sample_prospects, sample_run

TABLES = (campaign_members, campaigns, prospects, prospect_runs, decisions, audit_log)  # children first
AT = dt.datetime(2026, 7, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Backend:
    store: Any  # a ProspectStore
    applications: Any  # a CampaignApplications
    decide: Callable[[str | None, str, str, str | None, str], None]  # campaign, code, status, outcome, role
    actions: Callable[[], list[tuple[str, str, str]]]  # audit rows: actor, action, entity id


def _memory() -> Backend:
    store, apps = MemoryProspectStore(), MemoryCampaignApplications()

    def decide(campaign: str | None, code: str, status: str, outcome: str | None, role: str) -> None:
        if role == "champion":  # the fake holds champion decisions only
            apps.add(campaign, code, status, outcome)

    return Backend(store, apps, decide, lambda: [(e.actor, e.action, e.entity_id) for e in store.audit_rows])


def _sql(engine: sa.Engine) -> Backend:
    def decide(campaign: str | None, code: str, status: str, outcome: str | None, role: str) -> None:
        with engine.begin() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one()
            inputs = {"request": {"credit_code": code, "campaign_id": campaign}}
            conn.execute(decisions.insert(), {
                "decision_id": f"D{n:05d}", "application_id": f"A{n:05d}", "role": role, "strategy": "reference@1",
                "tier": "auto_approve", "score": None, "pd": None, "limit_cents": 0, "rate_bp": 0,
                "decided_at": AT + dt.timedelta(minutes=n), "decision": "{}", "inputs": json.dumps(inputs),
                "status": status, "final_outcome": outcome, "campaign_id": campaign,
            })  # fmt: skip

    def actions() -> list[tuple[str, str, str]]:
        stmt = sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.entity_id).order_by(audit_log.c.audit_id)
        with engine.connect() as conn:
            return [(r.actor, r.action, r.entity_id) for r in conn.execute(stmt)]

    store = SQLProspectStore(engine, Sealer(MemoryKeyProvider()))
    return Backend(store, SQLCampaignApplications(engine), decide, actions)


@pytest.fixture
def backend(module_port_engine: sa.Engine | None) -> Backend:
    if module_port_engine is None:
        return _memory()
    with module_port_engine.begin() as conn:
        for table in TABLES:
            conn.execute(table.delete())
    return _sql(module_port_engine)


def _save(backend: Backend, run_id: str, n: int, **kw: Any) -> list[Any]:
    ranked = sample_prospects(n, seed=len(run_id))
    run = sample_run(run_id, n, **kw)
    backend.store.save_run(run, ranked, run_entry(run))
    return ranked


def test_a_saved_run_reads_back_whole_by_rank_with_its_audit_row(backend: Backend) -> None:
    ranked = _save(backend, "R1", 12)
    assert backend.store.run("R1") == sample_run("R1", 12)
    assert backend.store.prospects("R1") == ranked  # every field, reasons and offers included, names opened
    assert backend.store.count("R1") == 12
    assert backend.actions() == [("lead", "prospects.screen", "R1")]
    assert backend.store.run("nope") is None
    assert backend.store.prospects("nope") == []


def test_pages_and_industry_filters_follow_the_rank(backend: Backend) -> None:
    ranked = _save(backend, "R1", 20)
    page = backend.store.prospects("R1", top=5, offset=5)
    assert [p.rank for p in page] == [6, 7, 8, 9, 10]
    industry_e = [p for p in ranked if p.section == "E"]
    assert backend.store.prospects("R1", industry="E") == industry_e
    assert backend.store.prospects("R1", industry="E", top=2, offset=1) == industry_e[1:3]
    assert backend.store.count("R1", industry="E") == len(industry_e) == 5
    assert backend.store.codes("R1", industry="E", top=3) == [p.credit_code for p in industry_e[:3]]
    assert backend.store.codes("R1") == [p.credit_code for p in ranked]
    assert backend.store.prospects("R1", industry="Z") == []


def test_the_latest_run_is_the_newest_of_its_day(backend: Backend) -> None:
    assert backend.store.latest_run() is None
    _save(backend, "R-early", 3)
    _save(backend, "R-late", 3, created_at=CREATED + dt.timedelta(hours=1))
    _save(backend, "R-next-day", 3, as_of=AS_OF + dt.timedelta(days=1), created_at=CREATED - dt.timedelta(hours=1))
    assert backend.store.latest_run(AS_OF).run_id == "R-late"
    assert backend.store.latest_run(AS_OF + dt.timedelta(days=1)).run_id == "R-next-day"
    assert backend.store.latest_run(AS_OF - dt.timedelta(days=1)) is None
    assert backend.store.latest_run().run_id == "R-late"  # the newest made, whatever its day


def test_a_run_id_or_a_rank_twice_is_a_conflict_and_stores_nothing(backend: Backend) -> None:
    _save(backend, "R1", 3)
    with pytest.raises(ConflictError):
        _save(backend, "R1", 4)
    assert backend.store.count("R1") == 3
    twice = sample_prospects(2)
    twice[1] = dataclasses.replace(twice[1], rank=1)
    with pytest.raises(ConflictError):
        backend.store.save_run(sample_run("R2", 2), twice, run_entry(sample_run("R2", 2)))
    assert backend.store.run("R2") is None


def test_campaigns_keep_their_members_and_conflict_on_their_id(backend: Backend) -> None:
    ranked = _save(backend, "R1", 6)
    codes = [p.credit_code for p in ranked[:4]]
    made = Campaign("CMP-1", "R1", "第三季度 制造业", "andy", AT, len(codes))
    backend.store.add_campaign(made, codes, AuditEntry(AT, "andy", "campaign.create", "campaign", "CMP-1"))
    assert backend.store.campaign("CMP-1") == made
    assert backend.store.campaign_members("CMP-1") == frozenset(codes)
    assert backend.store.campaign("CMP-2") is None
    assert backend.store.campaign_members("CMP-2") == frozenset()
    with pytest.raises(ConflictError):
        backend.store.add_campaign(made, codes[:1], AuditEntry(AT, "andy", "campaign.create", "campaign", "CMP-1"))
    assert backend.store.campaign_members("CMP-1") == frozenset(codes)
    backend.store.audit(AuditEntry(AT, "otto", "prospects.read", "prospect_run", "R1", {"rows": 6}))
    assert backend.actions()[1:] == [("andy", "campaign.create", "CMP-1"), ("otto", "prospects.read", "R1")]


def test_applications_naming_a_campaign_are_its_champion_decisions_oldest_first(backend: Backend) -> None:
    backend.decide("CMP-1", "C1", "final", "approved", "champion")
    backend.decide("CMP-1", "C1", "final", "approved", "shadow")  # a challenger's decision is not an application
    backend.decide(None, "C2", "final", "declined", "champion")
    backend.decide("CMP-1", "C3", "in_review", None, "champion")
    backend.decide("CMP-2", "C4", "final", "declined", "champion")
    assert backend.applications.outcomes("CMP-1") == [("C1", "final", "approved"), ("C3", "in_review", None)]
    assert backend.applications.outcomes("CMP-3") == []


def test_names_are_sealed_at_rest(module_port_engine: sa.Engine | None) -> None:
    if module_port_engine is None:
        pytest.skip("the fake keeps nothing at rest")
    with module_port_engine.begin() as conn:
        for table in TABLES:
            conn.execute(table.delete())
    ranked = _save(_sql(module_port_engine), "R1", 3)
    with module_port_engine.connect() as conn:
        stored = dict(conn.execute(sa.select(prospects.c.rank, prospects.c.name)).all())
        text = " ".join(str(v) for row in conn.execute(sa.select(prospects)) for v in row)
    assert all(is_sealed(stored[p.rank]) for p in ranked)
    assert not any(p.name in text for p in ranked)
