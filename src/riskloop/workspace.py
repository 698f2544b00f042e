"""The composition root: ``Workspace.open(settings)`` migrates once and builds every adapter behind its port.

Entry points (CLI commands, the API app, jobs, benchmarks) open one workspace and ask it for adapters and use
cases; use cases take ports only, and nothing else opens the database. Where a capability has alternatives
(feature engines, graph checks) a name → implementation registry (``riskloop.plugins.Registry``) picks one and
an unknown name is a clear error listing the valid ones. The training stack (scikit-learn, optbinning) is never
imported here, so serving does not load it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from riskloop.config import Settings
from riskloop.domain.applicant import AgeRange
from riskloop.domain.clock import Clock, ReplayClock, SystemClock
from riskloop.domain.products import PRODUCTS, parse_catalogue
from riskloop.errors import ConfigError, DataSourceError, NotFoundError, RiskloopError, ValidationError
from riskloop.io.warehouse import Warehouse
from riskloop.monitoring.policy import POLICY_NAME
from riskloop.plugins import Registry
from riskloop.rules.engine import KEY_SEPARATOR, StrategyLoader
from riskloop.rules.loaders import ChainStrategyLoader, PackageStrategyLoader
from riskloop.scoring.behaviour import KIND as BEHAVIOUR_KIND
from riskloop.scoring.registry import APPROVED, is_application_model
from riskloop.service import prerequisites as pre
from riskloop.service.active_model import ActiveModel
from riskloop.service.alerts import AlertDesk
from riskloop.service.api_keys import ApiKeyAdmin, Authenticator
from riskloop.service.collections import CollectionDesk
from riskloop.service.decide import Decider
from riskloop.service.fail_closed import (
    Dependencies,
    FreshFeatures,
    GuardedGraph,
    GuardedProfiles,
    UnavailableGraphChecks,
    UnavailableScorer,
    features_probe,
)
from riskloop.service.graph_integrity import verify_graph
from riskloop.service.intake import Intake, Split
from riskloop.service.outbox import OutboxDispatcher, Webhooks
from riskloop.service.outbox_ports import WebhookSender
from riskloop.service.ports import GraphChecks, IdentityOpener, ModelHome, Scorer
from riskloop.service.readiness import Probe, strategy_probe
from riskloop.service.reviews import ReviewDesk
from riskloop.service.runtime import ACTIVE, ActiveStrategy, NoGraphChecks, Runtime
from riskloop.service.shadow_model import ShadowModel, check_shadow_model, not_loaded
from riskloop.service.strategies import StrategyLifecycle
from riskloop.storage.engine import make_engine, redact
from riskloop.storage.migrate import schema_revision, upgrade
from riskloop.storage.sealed import holds_sealed_data
from riskloop.storage.secrets import FileKeyProvider, pii_key_path

SOURCES_FILE = "sources.json"  # the workspace's overrides of the shipped source settings
BUREAU_SOURCE = "pboc"
PII_REVISION = "0010"  # the schema from which personal identifiers are sealed at rest (ADR 0016)

if TYPE_CHECKING:
    import sqlalchemy as sa

    from riskloop.domain.outbox import RetryPolicy
    from riskloop.domain.source_settings import SourceCatalog, SourceSettings
    from riskloop.features.engine import FeatureEngine
    from riskloop.graph.tokens import Tokenizer
    from riskloop.ingest.report import IngestResult, ProgressFn
    from riskloop.monitoring.engine import SqlRunner
    from riskloop.privacy.envelope import Sealer
    from riskloop.scoring.behaviour import BehaviourModel
    from riskloop.scoring.registry import RegisteredModel
    from riskloop.service.alert_propagation import Propagator
    from riskloop.service.bureau_pull import BureauPull
    from riskloop.service.collection_adapters import ActiveQa, PolicyChooser
    from riskloop.service.consents import ConsentDesk
    from riskloop.service.disbursal_ports import CoreBanking
    from riskloop.service.drawdowns import DrawdownDesk
    from riskloop.service.effect import EffectTracker
    from riskloop.service.graph_checks import WorkspaceGraphChecks
    from riskloop.service.graph_explorer import GraphExplorer
    from riskloop.service.graph_explorer_ports import GraphSource
    from riskloop.service.list_ports import GangFinder, ListScreen
    from riskloop.service.lists import ListDesk
    from riskloop.service.model_backtest import ModelBacktestOptions
    from riskloop.service.model_monitoring import ModelMonitor
    from riskloop.service.models import ModelLifecycle
    from riskloop.service.monitor import Monitor
    from riskloop.service.offers import OfferDesk
    from riskloop.service.outcomes import OutcomeTracker
    from riskloop.service.product_fit import ProductFit
    from riskloop.service.prospect_desk import ProspectDesk
    from riskloop.service.prospects import ProspectScreen
    from riskloop.service.recheck import Recheck
    from riskloop.service.registration_ports import Allowlist
    from riskloop.service.registrations import RegistrationScreen
    from riskloop.service.shadow_report import ShadowReport
    from riskloop.service.source_ports import DataSource
    from riskloop.service.sources import SourcePuller
    from riskloop.service.step_up import StepUps
    from riskloop.service.strategy_backtest import StrategyBacktest
    from riskloop.service.verification_ports import VerificationVendors
    from riskloop.service.verifications import VerificationDesk
    from riskloop.storage.alerts import SQLAlertStore
    from riskloop.storage.api_keys import SQLApiKeys
    from riskloop.storage.arrivals import SQLArrivalLog
    from riskloop.storage.book_parts import WarehouseBookParts
    from riskloop.storage.checkpoint import BackgroundCheckpointer
    from riskloop.storage.collections import SQLCollectionStore
    from riskloop.storage.consents import SQLConsentStore
    from riskloop.storage.decisions import SQLDecisionStore
    from riskloop.storage.feature_store import SQLFeatureStore
    from riskloop.storage.graph_store import SQLGraphStore
    from riskloop.storage.lending import SQLLendingStore, SQLLoanProducts
    from riskloop.storage.list_store import SQLListStore
    from riskloop.storage.loop_steps import SQLLoopSteps
    from riskloop.storage.model_registry import SQLModelRegistry
    from riskloop.storage.monitor_runs import SQLMonitorRuns
    from riskloop.storage.outbox import SQLOutbox
    from riskloop.storage.profiles import SQLProfileSource
    from riskloop.storage.prospects import SQLCampaignApplications, SQLProspectStore
    from riskloop.storage.protected import SQLVault
    from riskloop.storage.raw_payloads import SQLRawPayloadStore
    from riskloop.storage.registrations import SQLVelocityStore
    from riskloop.storage.reviews import SQLReviewQueue
    from riskloop.storage.strategies import SQLStrategyRepository
    from riskloop.storage.verifications import SQLVerificationStore


_log = logging.getLogger(__name__)


@runtime_checkable
class Closes(Protocol):
    """An adapter holding connections until it is closed (an HTTP client's pool)."""

    def close(self) -> None:
        """Release the connections."""
        ...


C = TypeVar("C", bound=Closes)


class Workspace:
    """One workspace: its settings, clock, database engine, warehouse and secrets, and the adapters built on them.

    Open it with ``Workspace.open`` (or as a context manager) and close it when done; the engine is disposed then.
    """

    def __init__(self, settings: Settings, engine: sa.Engine, clock: Clock) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.warehouse = Warehouse(settings.warehouse)
        self._puller: SourcePuller | None = None
        self._opened: list[Closes] = []  # HTTP clients this workspace opened (their connection pools): closed with it

    @classmethod
    def open(
        cls, settings: Settings, *, clock: Clock | None = None, migrate: bool = True, create: bool = True
    ) -> Workspace:
        """The workspace of ``settings``, its database migrated to the latest schema unless ``migrate`` is off.

        ``migrate=False`` is for processes started after a parent migrated (serve workers), and for read-only
        commands that must not write a workspace they only inspect. ``create=False`` is for every command that
        needs what an earlier command put there: a workspace that does not exist yet is a NotFoundError naming
        the command to run first, and nothing is created (no directory, no database file, no schema).
        A database that cannot be reached is a StorageError with the driver's reason, before anything else.
        """
        revision = schema_revision(settings.database_url)
        if revision is None and not create:
            raise NotFoundError(pre.no_workspace(cls.where(settings)))
        keys = pii_key_path(settings.home)
        if migrate:
            if revision is None or revision < PII_REVISION:  # created, or first sealed: its PII keys are made now
                FileKeyProvider.create(keys)
            upgrade(settings.database_url, home=settings.home)
        engine = make_engine(settings.database_url)
        if not keys.exists() and not holds_sealed_data(engine):  # migrated by hand: nothing sealed can be lost
            FileKeyProvider.create(keys)
        return cls(settings, engine, clock or SystemClock())

    @staticmethod
    def exists(settings: Settings) -> bool:
        """Whether the workspace's database was created (migrated at least once); nothing is created."""
        return schema_revision(settings.database_url) is not None

    @staticmethod
    def where(settings: Settings) -> str:
        """The workspace as people name it: its directory, or the database URL (password hidden) when not SQLite."""
        return str(settings.home) if settings.database_url.startswith("sqlite") else redact(settings.database_url)

    def close(self) -> None:
        """Close the HTTP clients this workspace opened and dispose of the database engine (its pooled connections)."""
        while self._opened:
            self._opened.pop().close()
        self.engine.dispose()

    def _own(self, client: C) -> C:
        """``client``, closed when this workspace is (adapters that hold connections: core, webhooks, gateways)."""
        self._opened.append(client)
        return client

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # --- places and secrets ---------------------------------------------------------------------------------

    @property
    def home(self) -> Path:
        """The workspace directory."""
        return self.settings.home

    @property
    def models_dir(self) -> Path:
        """Where model bundles are written."""
        return self.settings.home / "models"

    def graph_key(self, *, create: bool = False) -> bytes:
        """The key of the graph's HMAC tokens; DataSourceError when missing, unless ``create`` (graph builds only)."""
        from riskloop.storage.secrets import graph_key

        return graph_key(self.settings.home, create=create)

    def tokenizer(self, *, create: bool = False) -> Tokenizer:
        """Keyed tokens of identifiers, as the stored graph uses them (``create``: a graph build's new key)."""
        from riskloop.graph.tokens import Tokenizer

        return Tokenizer(self.graph_key(create=create))

    def training_graph_key(self) -> bytes:
        """The graph key training computes graph features with: created only while no graph is built yet."""
        return self.graph_key(create=self.graph_store().latest_build() is None)

    # --- adapters ---------------------------------------------------------------------------------------------

    def feature_store(self) -> SQLFeatureStore:
        """Published features for online lookup."""
        from riskloop.storage.feature_store import SQLFeatureStore

        return SQLFeatureStore(self.engine, self.clock)

    def profiles(self, blacklist: frozenset[str] = frozenset()) -> SQLProfileSource:
        """Registration profiles of enterprises, with the bank's blacklist flag."""
        from riskloop.storage.profiles import SQLProfileSource

        return SQLProfileSource(self.engine, blacklist)

    def model_registry(self) -> SQLModelRegistry:
        """Registered model bundles."""
        from riskloop.storage.model_registry import SQLModelRegistry

        return SQLModelRegistry(self.engine, self.clock)

    def strategy_repository(self) -> SQLStrategyRepository:
        """Stored strategy versions and activation changes (the StrategyStore)."""
        from riskloop.storage.strategies import SQLStrategyRepository

        return SQLStrategyRepository(self.engine)

    def strategy_loader(self, *more: StrategyLoader) -> ChainStrategyLoader:
        """Strategies stored in the workspace, then the shipped ones, then ``more``."""
        from riskloop.storage.strategies import SQLStrategyLoader

        return ChainStrategyLoader(SQLStrategyLoader(self.engine), PackageStrategyLoader(), *more)

    def decision_store(self) -> SQLDecisionStore:
        """Decisions under idempotency keys, with audit and review rows."""
        from riskloop.storage.decisions import SQLDecisionStore

        return SQLDecisionStore(self.engine, sealer=self.sealer(), tokenizer=self._arrival_tokenizer())

    def _arrival_tokenizer(self) -> Tokenizer | None:
        """The graph key's tokens for the arrival log (the key is made when no graph is built yet).

        A built graph whose key is missing gets ``None`` (arrivals then hold their identifiers sealed, linking
        nothing), and the graph checks are unavailable until the key is restored, so nothing is approved meanwhile.
        """
        try:
            return self.tokenizer(create=self.graph_store().latest_build() is None)
        except DataSourceError as exc:
            _log.warning("arrival log: identifiers left out (%s)", exc)
            return None

    def list_store(self, *, sealed: bool = True) -> SQLListStore:
        """The bank's black, grey and white lists (``sealed``: with the PII keys that seal and open values)."""
        from riskloop.storage.list_store import SQLListStore

        tokenizer = self.tokenizer(create=self.graph_store().latest_build() is None)
        return SQLListStore(self.engine, tokenizer, self.sealer() if sealed else None)

    def lists(self) -> ListDesk:
        """The lists' use cases: load files, add, end-date, show, confirm gangs (ADR 0032)."""
        from riskloop.service.lists import ListDesk

        return ListDesk(self.list_store(), self.clock)

    def list_screen(self) -> ListScreen:
        """What a decision asks of the lists: one indexed read; without the key, a screen that fails (referred).

        The request's personal identifiers are looked up by value and by graph key (a confirmed gang's shared
        identifiers are listed by graph key only), under the graph's key.
        """
        from functools import partial

        from riskloop.graph.shared import request_keys
        from riskloop.service.lists import StoreListScreen, UnavailableListScreen
        from riskloop.storage.list_store import SQLListStore

        try:
            tokenizer = self.tokenizer(create=self.graph_store().latest_build() is None)
        except DataSourceError as exc:
            return UnavailableListScreen(str(exc))
        store = SQLListStore(self.engine, tokenizer, None)
        return StoreListScreen(store, partial(request_keys, tokenizer=tokenizer))

    def gang_finder(self) -> GangFinder:
        """Gang detection for confirmations: needs ingested applications and a built graph (checked here)."""
        from riskloop.service.graph import WorkspaceGangFinder
        from riskloop.service.prerequisites import GANG_TABLES

        self.require_ingested(*GANG_TABLES)
        self.require_graph()
        return WorkspaceGangFinder(self.warehouse.connect, self.graph_store(), self.tokenizer())

    def graph_explorer(self, source: GraphSource | None) -> GraphExplorer:
        """The console's graph reads over ``source`` (the serving graph; None: none deployed, reads are 503s)."""
        from riskloop.service.graph_explorer import GraphExplorer
        from riskloop.storage.graph_directory import SQLEnterpriseDirectory

        return GraphExplorer(source, SQLEnterpriseDirectory(self.engine), self.vault(), self.clock)

    def vault(self) -> SQLVault:
        """The written values behind the ingested tables' tokens, opened for a named actor and purpose, audited."""
        from riskloop.storage.protected import SQLVault

        return SQLVault(self.engine, self.sealer())

    def sealer(self) -> Sealer:
        """Seals and opens personal identifiers at rest; ConfigError now when the workspace's PII keys are missing."""
        from riskloop.privacy.envelope import Sealer

        provider = FileKeyProvider(pii_key_path(self.settings.home))
        provider.current()  # fail at startup, not at the first decision
        return Sealer(provider)

    def review_queue(self) -> SQLReviewQueue:
        """Stored reviews of the manual-review queue (the ReviewStore)."""
        from riskloop.storage.reviews import SQLReviewQueue

        return SQLReviewQueue(self.engine)

    def alert_store(self) -> SQLAlertStore:
        """Stored post-loan alerts, their loan actions and audit trail (the AlertStore)."""
        from riskloop.storage.alerts import SQLAlertStore

        return SQLAlertStore(self.engine)

    def collection_store(self) -> SQLCollectionStore:
        """Stored collection plans, recorded actions, call findings and QA cases (the CollectionStore)."""
        from riskloop.storage.collections import SQLCollectionStore

        return SQLCollectionStore(self.engine)

    def outbox(self) -> SQLOutbox:
        """Stored outbox messages and their delivery state (the OutboxStore)."""
        from riskloop.storage.outbox import SQLOutbox

        return SQLOutbox(self.engine)

    def api_key_store(self) -> SQLApiKeys:
        """Stored API keys and the principals they act as (the ApiKeyStore)."""
        from riskloop.storage.api_keys import SQLApiKeys

        return SQLApiKeys(self.engine)

    def graph_store(self) -> SQLGraphStore:
        """The persisted enterprise graph."""
        from riskloop.storage.graph_store import SQLGraphStore

        return SQLGraphStore(self.engine)

    def arrival_log(self) -> SQLArrivalLog:
        """The shared log of decided applications every serving worker's graph checks tail."""
        from riskloop.storage.arrivals import SQLArrivalLog

        return SQLArrivalLog(self.engine)

    def verification_store(self) -> SQLVerificationStore:
        """Verification sessions, hashed codes, step-ups, sends and device sightings (the VerificationStore)."""
        from riskloop.storage.verifications import SQLVerificationStore

        return SQLVerificationStore(self.engine)

    def verification_desk(self, vendors: VerificationVendors | None = None) -> VerificationDesk:
        """Identity verification through ``vendors`` (default: none configured, so nothing verifies)."""
        from riskloop.service.verifications import VerificationDesk
        from riskloop.storage.secrets import verification_key

        chosen = vendors or _no_vendors()
        return VerificationDesk(store=self.verification_store(), sms=chosen.sms, face=chosen.face,
                                carrier=chosen.carrier, key=verification_key(self.home), clock=self.clock)  # fmt: skip

    def step_ups(self, desk: VerificationDesk) -> StepUps:
        """Second confirmations sharing ``desk``'s codes and face vendor."""
        from riskloop.service.step_up import StepUps

        return StepUps(desk.codes, desk.face_matcher, desk.policy)

    def checkpointer(self) -> BackgroundCheckpointer:
        """SQLite WAL checkpoints off the request path; ask for it before the engine opens a connection."""
        from riskloop.storage.checkpoint import BackgroundCheckpointer

        return BackgroundCheckpointer(self.engine)

    # --- registries of alternatives ---------------------------------------------------------------------------

    def feature_engine(self, name: str) -> FeatureEngine:
        """The feature engine called ``name`` (``FEATURE_ENGINES``) over the warehouse."""
        return FEATURE_ENGINES.create(name, self.settings.warehouse)

    def graph_checks(self, name: str, *, shared: bool = False) -> GraphChecks:
        """The graph checks called ``name`` (``GRAPH_CHECKS``; ``none``: every application referred for it)."""
        return GRAPH_CHECKS.create(name, self, shared)

    def workspace_graph_checks(self, window_days: float | None = 30.0, *, shared: bool = False) -> WorkspaceGraphChecks:
        """Graph checks of the stored graph (``riskloop graph build``), usage and status as of now.

        ``shared``: tail the workspace's arrival log (the decision service: every worker sees what every other
        decided, a restart what was decided since the build). Without it the checks see the build and their own
        arrivals only (backtests, which must not see live traffic). Raises NotFoundError when no graph was built.
        """
        from riskloop.service.graph_checks import load_graph_checks

        log = self.arrival_log() if shared else None
        con = self.warehouse.connect()
        try:
            return load_graph_checks(
                con, self.graph_store(), self.tokenizer(), self.clock, window_days=window_days, log=log
            )
        except BaseException:
            if log is not None:
                log.close()
            raise
        finally:
            con.close()

    def graph_checks_before(self, day: dt.date, clock: Clock) -> WorkspaceGraphChecks:
        """Graph checks on the warehouse as it stood before ``day``, built in memory (nothing is persisted).

        For deciding history without hindsight: ``clock`` (a ``ReplayClock`` starting at ``day``) is moved to
        each replayed application's time, and the checks record each one then, in time order, as live checks do.
        """
        from riskloop.service.graph_checks import graph_checks_as_of

        con = self.warehouse.connect(before=day)
        try:
            return graph_checks_as_of(con, self.tokenizer(), clock)
        finally:
            con.close()

    def model_lifecycle(self) -> ModelLifecycle:
        """Approval and activation of registered models (four eyes, audited)."""
        from riskloop.service.models import ModelLifecycle

        return ModelLifecycle(self.model_registry())

    def model_home(self) -> ModelHome:
        """Where training reads and writes (``riskloop.service.train``)."""
        return ModelHome(self.settings.warehouse, self.models_dir, self.model_registry(), self.training_graph_key)

    # --- prerequisites: each check names the command to run first (``riskloop.service.prerequisites``) -------

    def require_ingested(self, *tables: str) -> str:
        """Some data is ingested into the warehouse, and each of ``tables`` in particular."""
        return pre.require_ingested(self.warehouse, tables)

    def require_profiles(self) -> str:
        """The database holds enterprise profiles (``riskloop ingest`` into this database)."""
        return pre.require_profiles(self.profiles(), self.warehouse)

    def require_graph(self) -> str:
        """A graph is built (``riskloop graph build``)."""
        return pre.require_graph(self.graph_store(), self.warehouse)

    def require_published_features(self) -> str:
        """Enterprise features are published under the current feature set (``riskloop features publish``)."""
        from riskloop.features.publish import ENTERPRISE_FEATURE_SET

        return pre.require_published_features(self.feature_store(), ENTERPRISE_FEATURE_SET, self.warehouse)

    def require_servable(self, model: str | None = None) -> str:
        """``require_model`` of the model serving would score with: the active one, or a named approved one."""
        self.servable_bundle(model)
        return self.require_model(model)

    def require_model(self, model: str | None = None) -> str:
        """The bundle ``model`` names (default: the deployed one) exists (``riskloop train``) and is intact.

        Intact: every file matches its manifest, and the manifest the sha256 the registry recorded (a
        DataSourceError otherwise, as the decision path's loader would raise).
        """
        from riskloop.scoring.bundle import read_bundle
        from riskloop.scoring.model_text import check_model_text
        from riskloop.scoring.registry import manifest_digest

        folder, registered = self.model_bundle(model)
        manifest_digest(folder)  # NotFoundError: not a bundle
        bundle = read_bundle(folder, registered)
        for name, data in sorted(bundle.files.items()):  # as a worker will, before LightGBM's C library reads them
            if name.startswith("gbdt-") and name.endswith(".txt"):
                try:
                    check_model_text(data.decode("utf-8", errors="replace"), name)
                except ValidationError as exc:
                    raise DataSourceError(f"model: {folder / exc.field}: {exc.problem}") from exc
        digest = bundle.manifest_sha256
        return f"{folder.name} (manifest sha256 {digest[:12]})"

    def require_strategy(self, strategy: str) -> str:
        """``name@version`` loads; a bare name has an active version."""
        if KEY_SEPARATOR in strategy:
            return pre.require_strategy(self.strategy_loader(), strategy)
        return pre.require_active_strategy(self.strategy_repository(), strategy)

    def verify_graph(self) -> str:
        """The stored graph was built under this workspace's key and holds every edge its build counted."""
        from riskloop.graph.tokens import key_fingerprint

        try:
            return verify_graph(self.graph_store(), lambda: key_fingerprint(self.graph_key()))
        except DataSourceError as exc:  # a missing graph is NotFoundError, said once by require_graph
            raise DataSourceError(f"graph: {exc}") from exc

    def require_decisions(self) -> str:
        """Decisions are stored (``riskloop serve`` records them)."""
        return pre.require_decisions(self.decision_store())

    def require_api_keys(self) -> str:
        """API keys exist (``riskloop keys create``)."""
        return pre.require_api_keys(self.api_keys())

    def serving_checks(self, runtime: Runtime, graph: str, challenger: str | None = None) -> dict[str, Probe]:
        """What ``riskloop serve`` needs, as probes (``service.readiness``), in the order their commands run.

        Profiles come from the enterprises ingested into the database; the stored graph's checks (``graph``
        ``workspace``) read the applications ingested into the warehouse. Without any of these every
        application would be referred.
        """
        tables = ("enterprises", "applications") if graph == "workspace" else ("enterprises",)
        checks: dict[str, Probe] = {
            "data": lambda: self.require_ingested(*tables),
            "profiles": self.require_profiles,
            "model": lambda: self.require_servable(runtime.model),
        }
        if graph == "workspace":
            checks["graph"] = self.require_graph
            checks["graph integrity"] = self.verify_graph
        checks["features"] = self.require_published_features
        checks["strategy"] = lambda: self.require_strategy(runtime.strategy)
        checks["lists"] = lambda: _lists_state(runtime, self.list_store().counts())
        if challenger:
            checks["challenger"] = lambda: self.require_strategy(challenger)
        return checks

    def require_serving(self, runtime: Runtime, graph: str, challenger: str | None = None) -> dict[str, str]:
        """Every serving check passes (what each found), or one NotFoundError listing what to run, in order."""
        return pre.require_all("not ready to serve", self.serving_checks(runtime, graph, challenger))

    # --- use cases --------------------------------------------------------------------------------------------

    def model_folder(self, model: str | None = None) -> Path:
        """The bundle to serve (``model_bundle``)."""
        return self.model_bundle(model)[0]

    def model_bundle(self, model: str | None = None) -> tuple[Path, str | None]:
        """The bundle to serve and the manifest sha256 the registry recorded for it (``None``: not registered).

        ``model`` is a folder or a registered model id (a backtest's candidate, a replay); by default the active
        application model: only a model approved and activated by someone other than its trainer is served
        (issue 14). With none active, a NotFoundError names the steps that make one active.
        """
        registry = self.model_registry()
        if model is not None and Path(model).is_dir():
            folder = Path(model).resolve()
            known = [m for m in registry.list() if Path(m.path).resolve() == folder]
            return folder, known[0].manifest_sha256 if known else None
        if model is not None:
            found = registry.get(model)
            return Path(found.path), found.manifest_sha256
        found = self.active_model()
        return Path(found.path), found.manifest_sha256

    def active_model(self) -> RegisteredModel:
        """The active application model (the newest if several names have one); NotFoundError naming what to run."""
        registered = [m for m in self.model_registry().list() if is_application_model(m.kind)]
        active = [m for m in registered if m.status == ACTIVE]
        if active:
            return max(active, key=lambda m: (m.created_at, m.version))
        if not registered:
            raise NotFoundError(f"no model registered in {self.home} (run: riskloop train)")
        latest = max(registered, key=lambda m: (m.created_at, m.version))
        raise NotFoundError(
            f"no active model: {latest.model_id} is {latest.status}; a person other than its trainer approves and "
            f"activates it (run: riskloop models approve {latest.model_id}, then riskloop models activate "
            f"{latest.model_id})"
        )

    def decider(
        self,
        runtime: Runtime | None = None,
        *,
        graph: GraphChecks | None = None,
        loader: StrategyLoader | None = None,
        scorer: Scorer | None = None,
    ) -> Decider:
        """The decision pipeline on this workspace: published features, profiles, the model, the strategies.

        ``graph`` defaults to ``NoGraphChecks`` (every application referred for its graph check); ``scorer``
        to the bundle ``runtime.model`` names, loaded here.
        """
        from riskloop.rules.zen import ZenRuleEngine
        from riskloop.service.scorer import EnsembleScorer

        runtime = runtime or Runtime()
        strategy: str | Callable[[], str] = runtime.strategy
        if KEY_SEPARATOR not in runtime.strategy:  # a bare name: its active version, followed as it changes
            strategy = ActiveStrategy(self.strategy_repository(), runtime.strategy, self.clock)
        return Decider(
            features=self.feature_store(),
            profiles=self.profiles(runtime.blacklist),
            graph=graph or NoGraphChecks(),
            scorer=scorer or EnsembleScorer.load(*self.model_bundle(runtime.model)),  # the registered digest must match
            rules=ZenRuleEngine(loader or self.strategy_loader()),
            strategy=strategy,
            clock=self.clock,
            lists=self.list_screen(),
            verifications=self.verification_desk(),  # a request naming a session decides on the server's results
            bureau=self.bureau_pull(),
        )

    def serving_pipeline(
        self, runtime: Runtime | None = None, graph_name: str | None = None, graph: GraphChecks | None = None
    ) -> tuple[Decider, Dependencies, GraphChecks, ShadowModel | None]:
        """The live pipeline, failing closed: the decider, its watched dependencies, graph checks and shadow model.

        The graph checks returned are the unguarded ones; the shadow model is the one ``runtime.shadow_model``
        names (None: none named, or it could not be loaded). A model or graph that cannot be loaded does not stop
        the process: its stand-in refers every application with the reason, and the dependency reports it
        (``/readyz``) and logs it once. Graph checks are ``graph``, or those called ``graph_name`` tailing the
        shared arrival log, else none (``NoGraphChecks``). A shadow model that cannot be loaded is left out
        (``/readyz`` says why, and stays ready: it decides nothing that is returned).
        """
        from riskloop.features.publish import ENTERPRISE_FEATURE_SET
        from riskloop.service.scorer import EnsembleScorer

        runtime = runtime or Runtime()
        inner: GraphChecks = graph or NoGraphChecks()
        if graph is None and graph_name is not None:
            try:
                inner = self.graph_checks(graph_name, shared=True)  # workers share arrivals
            except RiskloopError as exc:
                inner = UnavailableGraphChecks(str(exc))
        scorer: Scorer
        if runtime.model is None:  # the active model, followed as activations and rollbacks are approved
            scorer = ActiveModel(
                lambda: self.active_model().model_id,
                lambda model_id: EnsembleScorer.load(*self.model_bundle(model_id)),
                self.clock,
            )
        else:
            try:
                scorer = EnsembleScorer.load(*self.servable_bundle(runtime.model))
            except RiskloopError as exc:  # a bad bundle refers every application; serve refuses to start on it
                scorer = UnavailableScorer(str(exc))
        with suppress(DataSourceError):  # unreadable: the lists check says why, and every profile is unavailable
            runtime = _with_blacklist(runtime)
        decider = self.decider(runtime, graph=inner, scorer=scorer)
        max_age = dt.timedelta(days=runtime.max_feature_age_days)
        probes: dict[str, Probe] = {
            "model": lambda: self._model_state(scorer, runtime.model),
            "strategy": strategy_probe(decider.rules, lambda: decider.strategy),
            "graph": lambda: self._graph_state(inner),
            "profiles": lambda: pre.require_profiles(self.profiles()),
            "features": features_probe(self.feature_store(), ENTERPRISE_FEATURE_SET, self.clock, max_age),
            "lists": lambda: _lists_state(runtime, self.list_store().counts()),
        }
        if decider.bureau is not None:
            probes["sources"] = self.sources_probe
        shadow: ShadowModel | None = None
        if runtime.shadow_model is not None:
            try:
                shadow = self.shadow_model(runtime.shadow_model, runtime)
            except RiskloopError as exc:  # serve refused to start on it; a later change leaves it out
                _log.warning("shadow model %s not loaded: %s", runtime.shadow_model, exc)
                probes["shadow model"] = partial(not_loaded, runtime.shadow_model, str(exc))
            else:
                probes["shadow model"] = shadow.state
        dependencies = Dependencies(probes, self.clock)
        decider.graph = GuardedGraph(inner, dependencies)
        decider.features = FreshFeatures(decider.features, self.clock, max_age)
        decider.profiles = GuardedProfiles(decider.profiles, dependencies)
        return decider, dependencies, inner, shadow

    def shadow_model(self, model_id: str, runtime: Runtime | None = None) -> ShadowModel:
        """``model_id`` loaded to decide in shadow beside ``runtime``'s champion (``require_shadow_model`` first)."""
        from riskloop.service.scorer import EnsembleScorer

        runtime = runtime or Runtime()
        self.require_shadow_model(model_id, runtime.model)
        scorer = EnsembleScorer.load(*self.model_bundle(model_id))  # the registered digest must match
        return ShadowModel(model_id, self.decider(runtime, scorer=scorer))

    def require_shadow_model(self, model_id: str, champion: str | None = None) -> str:
        """``model_id`` may run in shadow beside the champion ``champion`` (default: the active model).

        NotFoundError for an unknown id, ValidationError naming ``shadow_model`` for the model serving or a
        behaviour model, DataSourceError for a bundle whose files no longer match the registered sha256.
        """
        registry = self.model_registry()
        pinned_id = None
        if champion is not None:
            folder = self.model_bundle(champion)[0].resolve()
            pinned_id = next((m.model_id for m in registry.list() if Path(m.path).resolve() == folder), champion)
        model = check_shadow_model(registry.get(model_id), pinned_id)
        return f"{model.model_id} ({model.status}): {self.require_model(model_id)}"

    def _model_state(self, scorer: Scorer, model: str | None) -> str:
        if isinstance(scorer, ActiveModel):
            current = scorer.current()
            if scorer.model_id is None:
                raise NotFoundError(scorer.problem or "no active model")
            self.require_model(scorer.model_id)  # the files served from are still intact
            return f"loaded {current.version} (active {scorer.model_id})"
        if isinstance(scorer, UnavailableScorer):
            raise NotFoundError(scorer.reason)
        self.require_model(model)  # the files served from are still intact
        return f"loaded {scorer.version}"

    def servable_bundle(self, model: str | None) -> tuple[Path, str | None]:
        """The bundle ``model`` names for serving: only an approved (or active) registered model, else NotFoundError.

        The default is the active model; a named one (a pinned canary) must have been approved by someone other
        than its trainer. An unregistered folder is never served.
        """
        if model is None:
            return self.model_bundle(None)
        folder, digest = self.model_bundle(model)
        known = [m for m in self.model_registry().list() if Path(m.path).resolve() == folder.resolve()]
        if not known:
            raise NotFoundError(f"model {model}: not registered, so never approved (run: riskloop train)")
        found = known[0]
        if found.status not in (APPROVED, ACTIVE):
            raise NotFoundError(
                f"model {found.model_id} is {found.status}: only an approved model is served "
                f"(run: riskloop models approve {found.model_id}, by a person other than its trainer)"
            )
        return folder, digest

    def _graph_state(self, checks: GraphChecks) -> str:
        if isinstance(checks, UnavailableGraphChecks):
            raise NotFoundError(checks.reason)
        if isinstance(checks, NoGraphChecks):
            raise NotFoundError("not deployed (run: riskloop graph build)")
        from riskloop.graph.tokens import key_fingerprint
        from riskloop.service.graph_checks import WorkspaceGraphChecks

        if not isinstance(checks, WorkspaceGraphChecks):  # not the stored graph's checks: nothing stored to verify
            return f"{type(checks).__name__} deployed"

        return verify_graph(self.graph_store(), lambda: key_fingerprint(self.graph_key()))

    def velocity_store(self) -> SQLVelocityStore:
        """Registration screening's per-key state under the graph key's tokens (the VelocityStore)."""
        from riskloop.storage.registrations import SQLVelocityStore

        return SQLVelocityStore(self.engine)

    def registrations(self, policy: Path | None = None, allowlist: Allowlist | None = None) -> RegistrationScreen:
        """Registration screening over the stored state, wired to the bank's lists.

        The thresholds: ``policy`` (a file) when given, else the registry's active registration policy, read on
        every registration (the shipped one while none is active). The carrier networks of the shipped
        infrastructure list, identifiers keyed with the graph key (made when no graph is built yet). The lists'
        store is the white list (``allowlist`` replaces it) and takes the grey entries of a block (ADR 0031).
        """
        from riskloop.admission.policy import load_policy, shipped_policy
        from riskloop.graph.infrastructure import shipped_infrastructure
        from riskloop.service.registration_policy import ActiveRegistrationPolicy
        from riskloop.service.registrations import FixedPolicy, RegistrationScreen
        from riskloop.storage.list_store import SQLListStore

        # the graph key is read at the first registration: a missing key fails that request, not the start
        tokens = _LazyTokens(lambda: self.tokenizer(create=self.graph_store().latest_build() is None))
        lists = SQLListStore(self.engine, tokens, self.sealer())
        source = (
            FixedPolicy(load_policy(policy), f"file {policy.name}")
            if policy is not None
            else ActiveRegistrationPolicy(self.model_registry(), shipped_policy())
        )
        return RegistrationScreen(
            self.velocity_store(),
            self.clock,
            source,
            tokens.token,
            allowlist=allowlist or lists,
            infrastructure=frozenset(shipped_infrastructure().subnets()),
            holds=lists,
        )

    def reviews(self) -> ReviewDesk:
        """The manual-review queue: claims with leases, decisions, four eyes on overrides."""
        return ReviewDesk(self.review_queue(), self.clock)

    def strategies(self) -> StrategyLifecycle:
        """The strategy lifecycle: drafts, four-eyes approval, activations and rollbacks.

        A ``products`` version must also be a valid product catalogue (``domain.products.parse_catalogue``).
        """
        return StrategyLifecycle(self.strategy_repository(), self.clock, validators={PRODUCTS: parse_catalogue})

    def strategy_backtest(self) -> StrategyBacktest:
        """Backtests of strategy versions against the active one on a sample of this workspace's history.

        The pipeline is built per backtest: the active model, and the stored graph when one was built (without
        one every application is referred for its graph check, on both sides alike; the report says so).
        """
        from riskloop.service.strategy_backtest import BacktestSources, StrategyBacktest

        def decider(loader: StrategyLoader) -> Decider:
            return self.decider(Runtime(), graph=graph_checks(), loader=loader)

        def graph_checks() -> GraphChecks:
            try:
                self.require_graph()
            except RiskloopError:
                return NoGraphChecks()
            return self.workspace_graph_checks(shared=False)  # its own arrivals only: never live traffic

        def graph_state() -> str:
            try:
                return f"stored graph: {self.require_graph()}"
            except RiskloopError:
                return "none built: every application referred for its graph check (riskloop graph build)"

        def history() -> str:
            return self.require_ingested(*pre.BACKTEST_TABLES, "bureau_scores")

        def opener(actor: str) -> IdentityOpener:
            return self.vault().opener(actor=actor, purpose="strategy backtest", at=self.clock.now())

        sources = BacktestSources(self.settings.warehouse, history, decider, opener, graph_state)
        return StrategyBacktest(self.strategy_repository(), self.strategy_loader(), sources, self.clock)

    def product_fit(self) -> ProductFit:
        """Eligible products and offers per prospect from the active ``products`` catalogue (followed live)."""
        from riskloop.rules.zen import ZenRuleEngine
        from riskloop.service.product_fit import ProductFit

        loader = self.strategy_loader()
        return ProductFit(self.strategy_repository(), loader, ZenRuleEngine(loader))

    # --- offers, drawdowns and disbursal (issue 22) ------------------------------------------------------------
    def lending_store(self) -> SQLLendingStore:
        """Offers, drawdowns and the loans they booked (the LendingStore)."""
        from riskloop.storage.lending import SQLLendingStore

        return SQLLendingStore(self.engine)

    def loan_products(self) -> SQLLoanProducts:
        """The bank's loan products (``loan_products``): the bounds of an offer's term."""
        from riskloop.storage.lending import SQLLoanProducts

        return SQLLoanProducts(self.engine)

    def core_banking(self) -> CoreBanking | None:
        """The core system that pays out drawdowns (``RISKLOOP_CORE_URL``); None when none is configured."""
        from riskloop.connectors.core_banking import HttpCoreBanking

        url, secret = self.settings.core_url, self.settings.core_secret
        if url is None or not secret:
            return None
        return self._own(HttpCoreBanking(url, secret.encode(), timeout=self.settings.core_timeout, clock=self.clock))

    def offer_desk(self, step_ups: StepUps | None = None) -> OfferDesk:
        """Offers made from approvals and accepted with a second confirmation (``step_ups``: the server's own)."""
        from riskloop.service.offers import OfferDesk

        confirmations = step_ups or self.step_ups(self.verification_desk())
        return OfferDesk(self.lending_store(), decisions=self.decision_store(), products=self.loan_products(),
                         step_ups=confirmations, clock=self.clock)  # fmt: skip

    def recheck(self, decider: Decider) -> Recheck:
        """The pre-disbursal re-check on ``decider``'s own sources and the active ``drawdown-recheck`` policy."""
        from riskloop.rules.zen import ZenRuleEngine
        from riskloop.service.recheck import Recheck, RecheckPolicy

        loader = self.strategy_loader()
        policy = RecheckPolicy(self.strategy_repository(), loader, ZenRuleEngine(loader))
        return Recheck(profiles=decider.profiles, features=decider.features, graph=decider.graph,
                       lists=decider.lists, alerts=self.alert_store(), policy=policy, clock=self.clock.now,
                       feature_set=decider.feature_set)  # fmt: skip

    def book_parts(self) -> WarehouseBookParts:
        """The warehouse's loan book tables, where booked loans are published for monitoring and outcomes."""
        from riskloop.storage.book_parts import WarehouseBookParts

        return WarehouseBookParts(self.warehouse)

    def drawdown_desk(self, decider: Decider | None, core: CoreBanking | None = None) -> DrawdownDesk:
        """Drawdowns of accepted offers, re-checked on ``decider``'s sources and paid through ``core``.

        ``core`` defaults to the configured core system (none: drawing and reconciling are DataSourceErrors naming
        the setting; reading and the core's confirmations still work). Without a
        ``decider`` the desk only settles and reconciles (an operator's command needs no model or graph).
        """
        from riskloop.service.drawdowns import DrawdownDesk

        recheck = None if decider is None else self.recheck(decider)
        return DrawdownDesk(self.lending_store(), self.decision_store(), recheck, core or self.core_banking(),
                            self.clock)  # fmt: skip

    def alerts(self) -> AlertDesk:
        """Post-loan alerts: raised idempotently by monitoring, worked by post-loan officers."""
        return AlertDesk(self.alert_store(), self.clock)

    def collections(self) -> CollectionDesk:
        """The collection desk: next best actions, recorded actions and outcomes, QA of collection calls."""
        return CollectionDesk(self.collection_store(), self.clock)

    def collection_chooser(self) -> PolicyChooser:
        """The active collection policy (NotFoundError naming the commands that release one)."""
        from riskloop.service.collection_adapters import active_chooser

        return active_chooser(self.model_registry())

    def transcript_checker(self) -> ActiveQa:
        """The active transcript QA, followed across activations (None while no QA model is active)."""
        from riskloop.service.collection_adapters import ActiveQa

        return ActiveQa(self.model_registry())

    def monitor_runs(self) -> SQLMonitorRuns:
        """Records of post-loan monitoring runs (the MonitorRuns port)."""
        from riskloop.storage.monitor_runs import SQLMonitorRuns

        return SQLMonitorRuns(self.engine)

    def monitor_runner(self, engine: str = "duckdb") -> SqlRunner:
        """The SQL runner of monitoring (and of the behaviour score's snapshots) over the warehouse."""
        from riskloop.monitoring.engine import DuckDBRunner

        if engine == "spark":
            from riskloop.monitoring.spark import SparkRunner

            return SparkRunner(self.settings.warehouse)
        if engine == "duckdb":
            return DuckDBRunner(self.settings.warehouse)
        raise ConfigError(f"monitoring engine: duckdb or spark (got {engine!r})")

    def monitor(self, engine: str = "duckdb", policy: str = POLICY_NAME) -> Monitor:
        """Post-loan monitoring over the warehouse with the active version of the warning policy ``policy``."""
        from riskloop.rules.zen import ZenRuleEngine
        from riskloop.service.monitor import Monitor

        runner = self.monitor_runner(engine)
        rules = ZenRuleEngine(self.strategy_loader())
        return Monitor(
            runner,
            self.settings.warehouse,
            self.monitor_runs(),
            self.strategy_repository(),
            rules,
            self.alerts(),
            self.clock,
            policy,
            self._alert_propagator(),
            self.behaviour_model,
        )

    def outcomes(self) -> OutcomeTracker:
        """Decision outcomes: the book's performance as of a day, updated incrementally, linked to decisions."""
        from riskloop.service.outcomes import OutcomeTracker
        from riskloop.storage.outcomes import SQLDecisionLinks, SQLOutcomeStore, WarehouseLoanBook

        return OutcomeTracker(
            WarehouseLoanBook(self.warehouse), SQLDecisionLinks(self.engine), SQLOutcomeStore(self.engine), self.clock
        )

    def model_monitor(self) -> ModelMonitor:
        """Model monitoring of the active application model, graded by the ``model-monitoring`` policy."""
        from riskloop.rules.zen import ZenRuleEngine
        from riskloop.service.model_monitoring import ModelMonitor
        from riskloop.storage.model_monitoring import BundleReferences, SQLMonitoredDecisions
        from riskloop.storage.outcomes import SQLOutcomeStore

        return ModelMonitor(
            SQLMonitoredDecisions(self.engine),
            BundleReferences(self.active_model),
            SQLOutcomeStore(self.engine),
            self.strategy_repository(),
            ZenRuleEngine(self.strategy_loader()),
            self.alerts(),
        )

    def effect(self) -> EffectTracker:
        """Effect tracking: funnel, vintage curves, expected against realised loss as of a day."""
        from riskloop.service.effect import EffectTracker
        from riskloop.storage.effect import SQLEffectSource
        from riskloop.storage.outcomes import SQLOutcomeStore, WarehouseLoanBook

        source = SQLEffectSource(self.engine, self.warehouse)
        return EffectTracker(source, SQLOutcomeStore(self.engine), WarehouseLoanBook(self.warehouse))

    def behaviour_model(self, name: str = "behaviour") -> BehaviourModel | None:
        """The active behaviour model of ``name`` (its manifest checked against the registered sha256), else None."""
        from riskloop.scoring.behaviour import BehaviourModel

        active = [m for m in self.model_registry().list(name) if m.status == ACTIVE and m.kind == BEHAVIOUR_KIND]
        if not active:
            return None
        best = max(active, key=lambda m: m.version)
        return BehaviourModel.load(Path(best.path), best.manifest_sha256)

    def _alert_propagator(self) -> Propagator | None:
        """Propagation of warnings over the stored graph (read when first needed); None while no graph is built."""
        from riskloop.graph.memory import EnterpriseGraph
        from riskloop.service.alert_propagation import Propagator

        store = self.graph_store()
        if store.latest_build() is None:
            return None

        def load() -> EnterpriseGraph:
            tables = store.read()
            if tables is None:
                raise DataSourceError("graph: the stored build has no tables (run: riskloop graph build)")
            return EnterpriseGraph(tables)

        return Propagator(load)

    def outbox_dispatcher(
        self,
        *,
        webhooks: dict[str, str] | None = None,
        secret: str | None = None,
        policy: RetryPolicy | None = None,
        sender: WebhookSender | None = None,
    ) -> OutboxDispatcher:
        """Delivery of the outbox to the webhook of each topic (``webhooks``, else ``RISKLOOP_WEBHOOKS``).

        ``secret`` signs every body (else ``RISKLOOP_WEBHOOK_SECRET``); ``sender`` defaults to HTTP with httpx.
        """
        from riskloop.connectors.webhooks import HttpxWebhookSender

        routes = dict(self.settings.webhooks) | (webhooks or {})
        key = secret if secret is not None else self.settings.webhook_secret or ""
        return OutboxDispatcher(
            self.outbox(), sender or self._own(HttpxWebhookSender()), Webhooks(routes, key.encode()), self.clock, policy
        )

    def api_keys(self) -> ApiKeyAdmin:
        """Creating, listing and revoking API keys (audited)."""
        return ApiKeyAdmin(self.api_key_store(), self.clock)

    def authenticator(self) -> Authenticator:
        """Who a presented API key is, and whether it holds a role."""
        return Authenticator(self.api_key_store())

    def intake(self, decider: Decider, split: Split | None = None, shadow_model: ShadowModel | None = None) -> Intake:
        """Applications in, stored decisions out (idempotent, audited); optional challenger split and shadow model."""
        return Intake(decider, self.decision_store(), split, ages=self.applicant_ages(), shadow_model=shadow_model)

    def shadow_report(self) -> ShadowReport:
        """Shadow against champion decisions of a challenger model (agreement, swap sets, outcomes); reads only."""
        from riskloop.service.shadow_report import ShadowReport
        from riskloop.storage.outcomes import SQLOutcomeStore
        from riskloop.storage.shadow import SQLShadowDecisions

        return ShadowReport(SQLShadowDecisions(self.engine), self.model_registry(), SQLOutcomeStore(self.engine))

    def model_backtest(
        self,
        options: ModelBacktestOptions,
        *,
        warehouse: Warehouse | None = None,
        graph: bool = True,
        progress: Any = None,
        actor: str = "cli:backtest",
    ) -> dict[str, Any]:
        """Challenger against champion model on the applications of a period, as of each one's day; no writes.

        Both decide with ``options.strategy`` (a bare name: its active version); the graph is rebuilt in memory from
        ``warehouse`` (default: this workspace's) every ``options.graph_step_days`` days, or left out without
        ``graph`` (every application is then referred for it, for both models alike).
        """
        from riskloop.service.graph_checks import graph_checks_as_of
        from riskloop.service.model_backtest import run_model_backtest
        from riskloop.service.ports import no_progress
        from riskloop.service.scorer import EnsembleScorer

        tables = warehouse or self.warehouse
        strategy = self.strategy_key(options.strategy)
        options = replace(options, strategy=strategy)
        runtime = Runtime(strategy=strategy)
        champion = self.decider(runtime, scorer=EnsembleScorer.load(*self.model_bundle(options.champion)))
        challenger = self.decider(runtime, scorer=EnsembleScorer.load(*self.model_bundle(options.challenger)))
        tokenizer = self.tokenizer() if graph else None

        def graphs(day: dt.date, clock: ReplayClock) -> GraphChecks:
            assert tokenizer is not None
            con = tables.connect(before=day)
            try:
                return graph_checks_as_of(con, tokenizer, clock)
            finally:
                con.close()

        opener = self.vault().opener(actor=actor, purpose="model backtest", at=self.clock.now())  # audited
        return run_model_backtest(
            champion, challenger, tables.root, graphs if graph else None, options, opener, progress or no_progress
        )

    def strategy_key(self, strategy: str) -> str:
        """``name@version`` of ``strategy``: itself when it has a version, else the active version of the name."""
        if KEY_SEPARATOR in strategy:
            return strategy
        active = self.strategy_repository().active(strategy)
        if active is None:
            raise NotFoundError(f"strategy {strategy}: no active version (riskloop strategies activate)")
        return str(active.key)

    def loop_steps(self) -> SQLLoopSteps:
        """The closed loop's records (``riskloop loop``)."""
        from riskloop.storage.loop_steps import SQLLoopSteps

        return SQLLoopSteps(self.engine)

    def applicant_ages(self) -> AgeRange:
        """The applicant age range the products accept (``RISKLOOP_APPLICANT_AGE``)."""
        return AgeRange(*self.settings.applicant_age)

    def ingest(
        self, source: str | Path, *, as_of: dt.date | None = None, progress: ProgressFn | None = None, **options: Any
    ) -> IngestResult:
        """Validate and load the table files under ``source`` (``riskloop.ingest.pipeline.ingest``)."""
        from riskloop.ingest.pipeline import ingest

        return ingest(
            self.settings,
            self.engine,
            source,
            clock=self.clock,
            as_of=as_of,
            progress=progress,
            sealer=self.sealer(),
            tokenizer=self.tokenizer(create=self.graph_store().latest_build() is None),
            **options,
        )

    # --- data sources and consent (issue 17) -----------------------------------------------------------------

    def source_catalog(self) -> SourceCatalog:
        """The shipped source settings with the workspace's ``sources.json`` over them (ConfigError naming a key)."""
        return load_catalog(self.home / SOURCES_FILE)

    def consent_store(self) -> SQLConsentStore:
        """Recorded consents (the ConsentStore)."""
        from riskloop.storage.consents import SQLConsentStore

        return SQLConsentStore(self.engine)

    def raw_payload_store(self) -> SQLRawPayloadStore:
        """Pulled payloads, sealed, with lineage (the RawPayloadStore)."""
        from riskloop.storage.raw_payloads import SQLRawPayloadStore

        return SQLRawPayloadStore(self.engine, self.sealer())

    def consents(self) -> ConsentDesk:
        """Record, list and revoke consents; subjects tokenised with the workspace's key."""
        from riskloop.service.consents import ConsentDesk

        return ConsentDesk(self.consent_store(), self._consent_tokens(), self.clock)

    def _consent_tokens(self) -> Tokenizer:
        return self.tokenizer(create=self.graph_store().latest_build() is None)

    def source_puller(self) -> SourcePuller:
        """The puller over every configured source, one per workspace (its breakers and buckets are shared)."""
        if self._puller is None:
            import time

            from riskloop.service.sources import SourcePuller

            catalog = self.source_catalog()
            adapters = {s.name: SOURCE_KINDS.create(s.kind, s) for s in catalog.configured()}
            for adapter in adapters.values():
                if isinstance(adapter, Closes):  # an HTTP gateway's connection pool (a file drop holds none)
                    self._own(adapter)
            self._puller = SourcePuller(
                catalog=catalog,
                sources=adapters,
                consents=self.consent_store(),
                payloads=self.raw_payload_store(),
                tokens=self._consent_tokens(),
                clock=self.clock,
                sleep=time.sleep,
            )
        return self._puller

    def bureau_pull(self) -> BureauPull | None:
        """The bureau report pulled on the decision path when the ``pboc`` source is configured, else None."""
        from riskloop.service.bureau_pull import BureauPull

        if not self.source_catalog().get(BUREAU_SOURCE).configured:
            return None
        return BureauPull(self.source_puller(), BUREAU_SOURCE)

    def sources_probe(self) -> str:
        """Readiness of the configured sources: fails while a circuit is open (``/readyz``)."""
        from riskloop.service.sources import circuits_probe

        return circuits_probe(self.source_puller())()

    # --- prospects and campaigns (issue 18) -------------------------------------------------------------------

    def prospect_store(self) -> SQLProspectStore:
        """Prospect runs with their ranked prospects (names sealed) and campaigns (the ProspectStore)."""
        from riskloop.storage.prospects import SQLProspectStore

        return SQLProspectStore(self.engine, self.sealer())

    def campaign_applications(self) -> SQLCampaignApplications:
        """Champion decisions of applications naming a campaign (the CampaignApplications)."""
        from riskloop.storage.prospects import SQLCampaignApplications

        return SQLCampaignApplications(self.engine)

    def prospect_desk(self) -> ProspectDesk:
        """Read and export prospect runs, create campaigns and follow their conversion (analysts, auditors)."""
        from riskloop.service.prospect_desk import ProspectDesk

        return ProspectDesk(self.prospect_store(), self.campaign_applications(), self.clock)

    def prospect_screen(self, engine: str = "duckdb") -> ProspectScreen:
        """Screen every enterprise into a ranked prospect run: the active forecast, credit model, catalogue and policy.

        Raises NotFoundError naming the missing step: the active application model (the PD without an application),
        the graph, an active forecast model (read when a run starts).
        """
        from riskloop.service.prospect_inputs import ListBlacklist, NoApplicationPd, WorkspaceGraphSignals
        from riskloop.service.prospect_models import ActiveForecast, ActiveScreeningPolicy
        from riskloop.service.prospects import ProspectScreen, ScreenInputs

        root = self.settings.warehouse
        folder, sha = self.model_bundle()
        inputs = ScreenInputs(
            root=root,
            forecasts=ActiveForecast(self.model_registry(), root),
            pds=NoApplicationPd(self.feature_engine(engine), root, folder, sha),
            graph=WorkspaceGraphSignals(
                lambda day: self.warehouse.connect(before=day), self.graph_store(), self.tokenizer()
            ),
            blacklist=ListBlacklist(self.list_store(sealed=False)),
            products=self.product_fit(),
        )
        return ProspectScreen(inputs, ActiveScreeningPolicy(self.model_registry()), self.prospect_store(), self.clock)


class _LazyTokens:
    """A tokenizer made at its first use (``make`` may raise DataSourceError then, naming the missing key)."""

    def __init__(self, make: Callable[[], Tokenizer]) -> None:
        self._make = make
        self._made: Tokenizer | None = None

    def token(self, kind: str, value: str) -> str:
        """``Tokenizer.token`` of the tokenizer, made now if not yet."""
        if self._made is None:
            self._made = self._make()
        return self._made.token(kind, value)


def _lists_state(runtime: Runtime, stored: dict[str, int]) -> str:
    """What the bank's lists hold (informational: no list is said, not failed); unreadable: raises."""
    held = ", ".join(f"{kind} {stored[kind]:,}" for kind in sorted(stored)) or "none"
    if runtime.blacklist_file:
        from riskloop.storage.lists import read_list

        codes = len(read_list(Path(runtime.blacklist_file)))
        return f"blacklist {runtime.blacklist_file}: {codes:,} credit codes; stored entries: {held}"
    if runtime.blacklist:
        return f"blacklist: {len(runtime.blacklist):,} credit codes; stored entries: {held}"
    return f"stored entries: {held}"


def _with_blacklist(runtime: Runtime) -> Runtime:
    """``runtime`` with its blacklist file read into ``blacklist``; DataSourceError when it cannot be read."""
    if not runtime.blacklist_file:
        return runtime

    from riskloop.storage.lists import read_list

    return replace(runtime, blacklist=runtime.blacklist | read_list(Path(runtime.blacklist_file)))


def _no_vendors() -> VerificationVendors:
    from riskloop.connectors.verification_vendors import NoCarrier, NoFaceVendor, NoSmsGateway
    from riskloop.service.verification_ports import VerificationVendors

    return VerificationVendors(NoSmsGateway(), NoFaceVendor(), NoCarrier())


def load_catalog(override: Path) -> SourceCatalog:
    """The shipped ``connectors/data/sources.json`` with ``override`` (when it exists) laid over it."""
    import json
    from importlib import resources

    from riskloop.domain.source_settings import parse_catalog

    shipped = json.loads(resources.files("riskloop.connectors").joinpath("data/sources.json").read_text("utf-8"))
    local = None
    if override.exists():
        try:
            local = json.loads(override.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"sources: {override} cannot be read ({exc})") from None
    return parse_catalog(shipped, local)


def _http_source(settings: SourceSettings) -> DataSource:
    from riskloop.connectors.gateway import HttpGatewaySource

    return HttpGatewaySource(settings.name, str(settings.endpoint))


def _file_source(settings: SourceSettings) -> DataSource:
    from riskloop.ingest.file_drop import FileDropSource

    return FileDropSource(settings, Path(str(settings.endpoint)))


def _duckdb_engine(root: Path) -> FeatureEngine:
    from riskloop.features.backends.duckdb import DuckDBFeatureEngine

    return DuckDBFeatureEngine(root)


def _spark(root: Path) -> FeatureEngine:
    from riskloop.features.backends.spark import SparkFeatureEngine

    return SparkFeatureEngine(root)


def _stored_graph(ws: Workspace, shared: bool) -> GraphChecks:
    return ws.workspace_graph_checks(shared=shared)


def _no_graph(_ws: Workspace, _shared: bool) -> GraphChecks:
    return NoGraphChecks()


# Alternatives chosen by name (``--engine``, ``--graph``): DuckDB embedded or Spark at bank scale; the stored
# graph, or none deployed (every application is then referred for its graph check, never approved).
FEATURE_ENGINES: Registry[FeatureEngine] = Registry("feature engine", {"duckdb": _duckdb_engine, "spark": _spark})
GRAPH_CHECKS: Registry[GraphChecks] = Registry("graph checks", {"workspace": _stored_graph, "none": _no_graph})
# Adapters of a data source by its settings' ``kind``: the bank's HTTP gateway, or a directory of dropped files.
SOURCE_KINDS: Registry[DataSource] = Registry("source kind", {"http": _http_source, "file": _file_source})
