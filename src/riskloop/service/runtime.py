"""Assemble the live decision pipeline of a workspace: database adapters, the deployed model, the strategies."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from riskloop.config import Settings
from riskloop.domain.clock import Clock, SystemClock
from riskloop.domain.decision_request import DecisionRequest, GraphSignals
from riskloop.errors import DataSourceError, NotFoundError
from riskloop.rules.engine import KEY_SEPARATOR, StrategyLoader
from riskloop.rules.loaders import REFERENCE_KEY, ChainStrategyLoader, PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.decide import Decider
from riskloop.service.ports import GraphChecks
from riskloop.service.scorer import EnsembleScorer
from riskloop.storage.feature_store import SQLFeatureStore
from riskloop.storage.model_registry import SQLModelRegistry
from riskloop.storage.profiles import SQLProfileSource
from riskloop.storage.strategies import SQLStrategyLoader, SQLStrategyRepository

ACTIVE = "active"
_log = logging.getLogger(__name__)


class NoGraphChecks:
    """GraphChecks when no graph is deployed: every check is unavailable, so nothing is approved on it."""

    def check(self, request: DecisionRequest) -> GraphSignals:
        """Fail: there is no graph."""
        raise DataSourceError("graph checks are not deployed")


class ActiveStrategy:
    """The key of the active version of strategy ``name``, re-read at most every ``ttl_seconds``.

    Each worker re-reads the ``strategies`` table on its own, so an approved activation or rollback takes
    effect everywhere within ``ttl_seconds``, with no restart. A failing read keeps the last active key:
    the strategy that was approved goes on deciding, nothing is approved without one.
    """

    def __init__(self, repository: SQLStrategyRepository, name: str, clock: Clock, ttl_seconds: float = 1.0) -> None:
        self.repository, self.name, self.clock, self.ttl = repository, name, clock, ttl_seconds
        self._key = self._read()
        if self._key is None:
            raise NotFoundError(f"strategy {name}: no active version")
        self._read_at = clock.now()

    def _read(self) -> str | None:
        active = self.repository.active(self.name)
        return active.key if active is not None else None

    def __call__(self) -> str:
        """``name@version`` of the active version (as of at most ``ttl_seconds`` ago)."""
        now = self.clock.now()
        if (now - self._read_at).total_seconds() >= self.ttl:
            self._read_at = now
            try:
                self._key = self._read() or self._key
            except Exception as exc:  # a database hiccup keeps the approved strategy deciding, never none
                _log.warning("strategy %s: active version not re-read (%s); keeping %s", self.name, exc, self._key)
        return str(self._key)


@dataclass(frozen=True)
class Runtime:
    """Settings of a live pipeline."""

    model: str | None = None  # bundle folder, registry model id, or None for the deployed one
    strategy: str = REFERENCE_KEY  # name@version, or a name for its active version
    blacklist: frozenset[str] = frozenset()


def model_folder(settings: Settings, engine: sa.Engine, model: str | None) -> Path:
    """The bundle to serve: a folder, a registered model id, else the active (or latest) registered ensemble.

    Falls back to the newest ``models/*/ensemble`` folder of the workspace (the demo's).
    """
    if model is not None:
        path = Path(model)
        if path.is_dir():
            return path
        return Path(SQLModelRegistry(engine).get(model).path)
    registered = SQLModelRegistry(engine).list()
    active = [m for m in registered if m.status == ACTIVE]
    if active or registered:
        best = max(active or registered, key=lambda m: (m.created_at, m.version))
        return Path(best.path)
    found = sorted((settings.home / "models").glob("*/ensemble"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise NotFoundError(f"no model in {settings.home} (run: riskloop train)")
    return found[-1]


def live_decider(
    settings: Settings,
    engine: sa.Engine,
    *,
    runtime: Runtime | None = None,
    graph: GraphChecks | None = None,
    loader: StrategyLoader | None = None,
    clock: Clock | None = None,
) -> Decider:
    """The pipeline on the workspace's database: published features, profiles, the model, the strategies.

    ``graph`` defaults to ``NoGraphChecks`` (every application referred for its graph check) until a graph
    adapter is given.
    """
    runtime = runtime or Runtime()
    clock = clock or SystemClock()
    strategy: str | ActiveStrategy = runtime.strategy
    if KEY_SEPARATOR not in runtime.strategy:  # a bare name: its active version, followed as it changes
        strategy = ActiveStrategy(SQLStrategyRepository(engine, clock), runtime.strategy, clock)
    return Decider(
        features=SQLFeatureStore(engine, clock),
        profiles=SQLProfileSource(engine, runtime.blacklist),
        graph=graph or NoGraphChecks(),
        scorer=EnsembleScorer.load(model_folder(settings, engine, runtime.model)),
        rules=ZenRuleEngine(loader or ChainStrategyLoader(SQLStrategyLoader(engine), PackageStrategyLoader())),
        strategy=strategy,
        clock=clock,
    )
