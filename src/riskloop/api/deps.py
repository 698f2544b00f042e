"""Services the routes depend on, built once per app and injected with ``Annotated`` dependencies."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request

from riskloop.domain.clock import Clock
from riskloop.rules.reasons import RuleReasonCatalog
from riskloop.service.alerts import AlertDesk
from riskloop.service.api_keys import ApiKeyAdmin, Authenticator
from riskloop.service.collection_ports import Checker
from riskloop.service.collections import CollectionDesk
from riskloop.service.consents import ConsentDesk
from riskloop.service.decide import Decider
from riskloop.service.decision_lookup import DecisionLookup
from riskloop.service.disbursal_ports import CoreBanking
from riskloop.service.drawdowns import DrawdownDesk
from riskloop.service.effect import EffectTracker
from riskloop.service.graph_explorer import GraphExplorer
from riskloop.service.graph_explorer_ports import GraphSource
from riskloop.service.group_commit import GroupCommitter
from riskloop.service.intake import Intake, Split
from riskloop.service.list_ports import GangFinder
from riskloop.service.lists import ListDesk
from riskloop.service.model_monitoring import ModelMonitor
from riskloop.service.models import ModelDesk
from riskloop.service.offers import OfferDesk
from riskloop.service.outcomes import OutcomeTracker
from riskloop.service.prospect_desk import ProspectDesk
from riskloop.service.recheck import recheck_catalog
from riskloop.service.registrations import RegistrationScreen
from riskloop.service.review_case import ReviewCase
from riskloop.service.reviews import ReviewDesk
from riskloop.service.shadow_model import ShadowModel
from riskloop.service.shadow_report import ShadowReport
from riskloop.service.step_up import StepUps
from riskloop.service.strategies import StrategyLifecycle
from riskloop.service.strategy_backtest import StrategyBacktest
from riskloop.service.text_tagging import ActiveTagger
from riskloop.service.verification_ports import VerificationVendors
from riskloop.service.verifications import VerificationDesk
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.model_registry import SQLModelRegistry
from riskloop.workspace import Workspace

CheckerSource = Callable[[], Checker | None]  # the active transcript checker, None while no QA model is active


def no_checker() -> Checker | None:
    """No transcript checker: the transcript route answers 503 until one is wired and a QA model is active."""
    return None


def _no_consents() -> ConsentDesk:
    from riskloop.errors import NotFoundError

    raise NotFoundError("consents are not served by this app")


def _no_lending() -> Any:
    from riskloop.errors import DataSourceError

    raise DataSourceError("offers and drawdowns are not served by this app")


@dataclass
class Lending:
    """Offers and drawdowns, their desks built on first use (the drawdown desk holds the core's connection)."""

    offers: Callable[[], OfferDesk] = field(default=_no_lending)
    drawdowns: Callable[[], DrawdownDesk] = field(default=_no_lending)
    core_secret: bytes | None = None  # signs the core's confirmations (RISKLOOP_CORE_SECRET)
    catalog: RuleReasonCatalog = field(default_factory=recheck_catalog)
    core_state: Callable[[], str] | None = None  # ``/readyz``'s ``core`` line (None: drawdowns are not served)

    @classmethod
    def of(cls, ws: Workspace, decider: Decider, step_ups: StepUps, core: CoreBanking | None = None) -> Lending:
        """The desks of ``ws`` on the pipeline ``decider``'s sources; ``core``: the configured core by default."""
        from riskloop.service.core_watch import WatchedCore, core_state

        secret = ws.settings.core_secret
        found = core or ws.core_banking()
        watched = None if found is None else WatchedCore(found, ws.clock)  # what the drawdowns see, for /readyz
        return cls(
            offers=functools.cache(lambda: ws.offer_desk(step_ups)),
            drawdowns=functools.cache(lambda: ws.drawdown_desk(decider, watched)),
            core_secret=None if not secret else secret.encode(),
            core_state=lambda: core_state(watched),
        )


@dataclass
class Services:
    """What the routes use."""

    engine: sa.Engine
    intake: Intake
    decisions: SQLDecisionStore
    clock: Clock
    reviews: ReviewDesk
    strategies: StrategyLifecycle
    keys: ApiKeyAdmin
    auth: Authenticator
    lookup: DecisionLookup
    alerts: AlertDesk
    outcomes: OutcomeTracker
    models: SQLModelRegistry
    model_monitor: ModelMonitor
    effect: EffectTracker
    shadow_report: ShadowReport
    collections: CollectionDesk
    transcript_checker: CheckerSource
    verifications: VerificationDesk
    step_ups: StepUps
    text_tagger: ActiveTagger
    commits: GroupCommitter  # decisions of concurrent posts written together (started and closed by the app)
    lists: Callable[[], ListDesk] | None = None  # built per call: the list routes need the keys, decisions do not
    consents: Callable[[], ConsentDesk] = field(default=_no_consents)
    registrations: RegistrationScreen | None = None  # registration screening (POST /v1/registrations)
    gangs: Callable[[], GangFinder] | None = None  # gang detection for confirmations, built per call
    prospects: Callable[[], ProspectDesk] | None = None  # prospect runs and campaigns, built per call (the PII keys)
    strategy_backtest: Callable[[], StrategyBacktest] | None = None  # built per call: it loads the model and graph
    graph: GraphExplorer | None = None  # the console's graph reads over the serving graph (None: not wired)
    lending: Lending = field(default_factory=Lending)  # offers and drawdowns (issue 22)

    @property
    def model_desk(self) -> ModelDesk:
        """Model cards, approval and activation (the model registry)."""
        return ModelDesk(self.models)

    @property
    def review_case(self) -> ReviewCase:
        """The case view of reviews (the review desk and the stored decisions)."""
        return ReviewCase(self.reviews, self.decisions)

    @classmethod
    def of(
        cls,
        ws: Workspace,
        decider: Decider,
        split: Split | None,
        shadow: ShadowModel | None = None,
        checker: CheckerSource = no_checker,
        *,
        vendors: VerificationVendors | None = None,
        graph: GraphSource | None = None,
        core: CoreBanking | None = None,
    ) -> Services:
        """The services of ``ws`` around the pipeline ``decider``.

        A challenger model in ``shadow``; the transcript checker from ``checker``, asked on each check so a newly
        activated QA model is used. Identity verification goes through ``vendors`` (default: none configured).
        The console's graph reads go to ``graph``, the graph the pipeline loaded (None: graph reads are 503s).
        """
        store = ws.decision_store()
        desk = ws.verification_desk(vendors)
        step_ups = ws.step_ups(desk)
        return cls(
            ws.engine,
            Intake(decider, store, split, ages=ws.applicant_ages(), shadow_model=shadow),
            store,
            ws.clock,
            ws.reviews(),
            ws.strategies(),
            ws.api_keys(),
            ws.authenticator(),
            DecisionLookup(store),
            ws.alerts(),
            ws.outcomes(),
            ws.model_registry(),
            ws.model_monitor(),
            ws.effect(),
            ws.shadow_report(),
            ws.collections(),
            checker,
            desk,
            step_ups,
            ActiveTagger(ws.model_registry()),
            GroupCommitter(store),
            lists=ws.lists,
            consents=ws.consents,  # built per request: recording consents is rare, the key read is cheap
            registrations=ws.registrations(),
            gangs=ws.gang_finder,
            prospects=ws.prospect_desk,
            strategy_backtest=ws.strategy_backtest,
            graph=ws.graph_explorer(graph),
            lending=Lending.of(ws, decider, step_ups, core),
        )


async def services(request: Request) -> Services:
    """The app's services."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
