"""What each capability needs done first: one check per prerequisite, naming the command that does it.

A check takes ports and returns a short description of what it found (bound to its ports, a
``service.readiness.Probe``), or raises NotFoundError whose message ends with ``(run: <command>)``. When a
derived thing is missing (a graph, published features) and what it is derived from is missing too, the
message names the earlier command: the one to run first. The CLI runs these checks before a command does any
work, ``riskloop serve`` before any worker starts (``require_all``: every missing step in one line), and
``service.readiness.readiness`` runs the same probes.

Order of commands::

    riskloop ingest DIR (or riskloop demo) → riskloop train · riskloop graph build · riskloop features publish
    → riskloop serve (POST /v1/applications stores decisions) → riskloop replay
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from riskloop.errors import NotFoundError
from riskloop.service.readiness import Probe
from riskloop.service.strategy_ports import ActiveVersions

# The ingested tables a capability cannot run without.
TRAIN_TABLES = ("applications", "loans", "repayment_schedules", "repayments")  # point-in-time rows, observed labels
OUTCOME_TABLES = ("loans", "repayment_schedules", "repayments")  # observed loan outcomes (backtest without truth)
PUBLISH_TABLES = ("enterprises",)  # the enterprises whose features are published
GANG_TABLES = ("applications",)  # who applied with which identifiers
BACKTEST_TABLES = ("applications",)  # the history a backtest decides again


RUN_INGEST = "riskloop ingest DIR, or riskloop demo"
NO_DATA = f"no data ingested yet (run: {RUN_INGEST})"
NO_PROFILES = "no enterprises in this database yet (run: riskloop ingest DIR with this --database-url)"
NO_GRAPH = "no graph built yet (run: riskloop graph build)"
NO_DECISIONS = "no decisions stored yet (run: riskloop serve, then POST /v1/applications)"
NO_KEYS = "no API keys yet (run: riskloop keys create --principal NAME --role ROLE)"


def no_workspace(where: str) -> str:
    """The message of a workspace that does not exist yet (nothing was ever ingested or created there)."""
    return f"no workspace at {where} yet (run: {RUN_INGEST})"


def no_features(feature_set: str) -> str:
    """The message of a workspace with nothing published under the current feature set."""
    return f"no features published under feature set {feature_set} yet (run: riskloop features publish)"


class TableCatalog(Protocol):
    """The tables ingested so far (the warehouse is one)."""

    def tables(self) -> list[str]:
        """Names of the contract tables that hold data."""
        ...


class GraphBuilds(Protocol):
    """The stored graph's latest build (the graph store is one)."""

    def latest_build(self) -> dict[str, object] | None:
        """``build_id``, ``built_at`` and counts of the stored graph, or ``None``."""
        ...


class PublishedCounts(Protocol):
    """How many enterprises have features published (the feature store is one)."""

    def count(self, feature_set: str) -> int:
        """Enterprises with features published under ``feature_set``."""
        ...


class ProfileCount(Protocol):
    """How many enterprise profiles the database holds (the profile source is one)."""

    def count(self) -> int:
        """Enterprises with a profile."""
        ...


class StrategySource(Protocol):
    """Loads a strategy version by key (a strategy loader is one)."""

    def load(self, key: str) -> object:
        """The strategy ``key``; NotFoundError when there is none."""
        ...


class StoredDecisions(Protocol):
    """Stored decisions (the decision store is one)."""

    def all(self, role: str | None = None, limit: int | None = None) -> Sequence[object]:
        """Stored decisions, at most ``limit``."""
        ...


class KeyList(Protocol):
    """API keys (the key store is one)."""

    def list(self) -> Sequence[object]:
        """Every key."""
        ...


def require_ingested(catalog: TableCatalog, tables: Sequence[str] = ()) -> str:
    """Some data is ingested, and each of ``tables`` in particular."""
    present = set(catalog.tables())
    if not present:
        raise NotFoundError(NO_DATA)
    missing = [t for t in tables if t not in present]
    if missing:
        raise NotFoundError(f"no {', '.join(missing)} ingested yet (run: riskloop ingest DIR with those tables)")
    return f"{len(present)} tables ingested"


def require_profiles(profiles: ProfileCount, catalog: TableCatalog | None = None) -> str:
    """The database holds enterprise profiles (ingested with the same ``--database-url`` as this command's)."""
    count = profiles.count()
    if count == 0:
        if catalog is not None:
            require_ingested(catalog)
        raise NotFoundError(NO_PROFILES)
    return f"{count} enterprise profiles"


def require_graph(builds: GraphBuilds, catalog: TableCatalog | None = None) -> str:
    """A graph is built; when none is and nothing is ingested either, the ingest comes first."""
    build = builds.latest_build()
    if build is None:
        if catalog is not None:
            require_ingested(catalog)
        raise NotFoundError(NO_GRAPH)
    return f"graph {build['build_id']} built at {build['built_at']}"


def require_published_features(store: PublishedCounts, feature_set: str, catalog: TableCatalog | None = None) -> str:
    """Features are published under ``feature_set`` (the current one: an older set's rows are never read)."""
    count = store.count(feature_set)
    if count == 0:
        if catalog is not None:
            require_ingested(catalog, PUBLISH_TABLES)
        raise NotFoundError(no_features(feature_set))
    return f"{count} enterprises published under feature set {feature_set}"


def require_strategy(strategies: StrategySource, key: str) -> str:
    """The strategy version ``key`` (``name@version``) loads: shipped, or stored and approved."""
    strategies.load(key)
    return f"{key} found"


def require_active_strategy(versions: ActiveVersions, name: str) -> str:
    """Strategy ``name`` has an active version (what ``--strategy NAME`` follows)."""
    active = versions.active(name)
    if active is None:
        raise NotFoundError(
            f"strategy {name}: no active version (serve {name}@VERSION, or activate one: "
            f"POST /v1/strategies/{name}/activations, then approve it)"
        )
    return f"{name}: active {active.key}"


def require_decisions(store: StoredDecisions) -> str:
    """At least one decision is stored (what replay re-runs)."""
    if not store.all(limit=1):
        raise NotFoundError(NO_DECISIONS)
    return "decisions stored"


def require_api_keys(keys: KeyList) -> str:
    """At least one API key exists."""
    found = keys.list()
    if not found:
        raise NotFoundError(NO_KEYS)
    return f"{len(found)} API keys"


def require_all(what: str, checks: Mapping[str, Probe]) -> dict[str, str]:
    """Run every check in order: what each found, or one NotFoundError listing each missing step once.

    The message starts with ``what`` and keeps the checks' order, so the command to run first comes first.
    """
    found: dict[str, str] = {}
    missing: list[str] = []
    for name, check in checks.items():
        try:
            found[name] = check()
        except NotFoundError as exc:
            if str(exc) not in missing:
                missing.append(str(exc))
    if missing:
        raise NotFoundError(f"{what}: {'; '.join(missing)}")
    return found
