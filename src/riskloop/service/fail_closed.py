"""Fail closed, loudly: every dependency of a decision is re-checked while serving and a broken one refers.

``Dependencies`` runs one probe per dependency (``service.readiness.Probe``) at start and again at most every
``interval_seconds``: from a background thread while the API serves (``watching``), so no request pays for the
probes (they read the database and the model files: seconds on a large workspace, on PostgreSQL, with the
worker's event loop stalled meanwhile); otherwise when a decision or ``/readyz`` asks. A state the watcher has
not renewed for ``STALE_INTERVALS`` intervals (a probe hanging) fails every dependency. A condition that
appears, changes or clears is logged once (one warning line per condition, not one per request). The guarded
ports put the result on the decision path: a graph or feature source whose dependency is broken raises, so
``Decider.gather`` records it missing and the fail-safe refers the application with its ``DATA_UNAVAILABLE_*``
reason. Features older than the maximum age are refused per enterprise; a model that could not be loaded is
``UnavailableScorer``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from riskloop.domain.clock import Clock
from riskloop.domain.decision import DecisionReason
from riskloop.domain.decision_request import DecisionRequest, EnterpriseProfile, GraphSignals
from riskloop.errors import DataSourceError
from riskloop.service.ports import FeatureLookup, GraphChecks, ProfileSource
from riskloop.service.readiness import Probe, readiness

if TYPE_CHECKING:
    from riskloop.features.online import PublishedFeatures

DEFAULT_MAX_FEATURE_AGE_DAYS = 45.0
STALE_INTERVALS = 3  # a watched state older than this many intervals is no state: every dependency fails
MAX_FEATURE_AGE_ENV = "RISKLOOP_MAX_FEATURE_AGE_DAYS"
_log = logging.getLogger(__name__)


class Dependencies:
    """The state of each named dependency, from its probe, re-checked at most every ``interval_seconds``."""

    def __init__(self, probes: Mapping[str, Probe], clock: Clock, interval_seconds: float = 10.0) -> None:
        self._probes, self.clock, self.interval = dict(probes), clock, interval_seconds
        self._lock = threading.Lock()
        self._state: dict[str, tuple[bool, str]] = {}
        self._checked_at: dt.datetime | None = None
        self._watched = False
        self.refresh()

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Re-check from a daemon thread every interval while the block runs; requests only read the state."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(self.interval):
                try:
                    self.refresh()
                except Exception as exc:  # a probe that raises is a failed check; anything else: stale, then failed
                    _log.warning("dependency checks failed to run (%s)", type(exc).__name__)

        thread = threading.Thread(target=run, name="dependency-checks", daemon=True)
        self._watched = True
        thread.start()
        try:
            yield
        finally:
            stop.set()
            self._watched = False
            thread.join(timeout=5)

    def refresh(self) -> dict[str, tuple[bool, str]]:
        """Run every probe now; log each condition that appeared, changed or cleared."""
        with self._lock:
            found = {c.name: (c.ok, c.reason) for c in readiness(self._probes).checks}
            for name, (ok, reason) in found.items():
                before = self._state.get(name)
                if not ok and before != (ok, reason):
                    _log.warning("dependency unavailable: %s: %s", name, reason)
                elif ok and before is not None and not before[0]:
                    _log.warning("dependency restored: %s: %s", name, reason)
            self._state, self._checked_at = found, self.clock.now()
            return dict(found)

    def current(self) -> dict[str, tuple[bool, str]]:
        """Each dependency's ``(ok, reason)``, re-checked first when the last check is older than the interval."""
        checked = self._checked_at
        age = None if checked is None else (self.clock.now() - checked).total_seconds()
        if not self._watched:
            return self.refresh() if age is None or age >= self.interval else dict(self._state)
        if age is None or age >= STALE_INTERVALS * self.interval:  # the watcher is stuck: fail closed
            why = f"dependency checks stale: last completed {checked.isoformat() if checked else 'never'}"
            return dict.fromkeys(self._probes, (False, why))
        return dict(self._state)

    def failure(self, name: str) -> str | None:
        """Why dependency ``name`` is unavailable, or ``None`` when it is available (or not watched)."""
        ok, reason = self.current().get(name, (True, ""))
        return None if ok else reason

    def probes(self) -> dict[str, Probe]:
        """One readiness probe per dependency, answering from the (throttled) state."""
        return {name: self._probe(name) for name in self._probes}

    def _probe(self, name: str) -> Probe:
        def probe() -> str:
            ok, reason = self.current()[name]
            if not ok:
                raise DataSourceError(reason)
            return reason

        return probe


class GuardedGraph:
    """GraphChecks that fail while the ``graph`` dependency is unavailable (a key or edge problem found later)."""

    def __init__(self, inner: GraphChecks, dependencies: Dependencies) -> None:
        self.inner, self.dependencies = inner, dependencies

    def check(self, request: DecisionRequest) -> GraphSignals:
        """The inner checks' signals, or DataSourceError naming why the graph is unavailable."""
        why = self.dependencies.failure("graph")
        if why is not None:
            raise DataSourceError(f"graph: {why}")
        return self.inner.check(request)


class GuardedProfiles:
    """ProfileSource that fails while the ``lists`` dependency is unavailable (a configured list is unreadable).

    The blacklist flag is part of the profile: without the list a profile cannot say it, so none is given.
    """

    def __init__(self, inner: ProfileSource, dependencies: Dependencies) -> None:
        self.inner, self.dependencies = inner, dependencies

    def profile(self, credit_code: str, as_of: dt.date | None = None) -> EnterpriseProfile | None:
        """The inner profile, or DataSourceError naming the unreadable list."""
        why = self.dependencies.failure("lists")
        if why is not None:
            raise DataSourceError(f"lists: {why}")
        return self.inner.profile(credit_code, as_of)


class UnavailableGraphChecks:
    """GraphChecks of a graph that could not be loaded: every check fails with the reason it could not."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def check(self, request: DecisionRequest) -> GraphSignals:
        """Fail with the load's reason."""
        raise DataSourceError(f"graph: {self.reason}")


class FreshFeatures:
    """FeatureLookup refusing features published more than ``max_age`` before the decision (stale data)."""

    def __init__(self, inner: FeatureLookup, clock: Clock, max_age: dt.timedelta) -> None:
        self.inner, self.clock, self.max_age = inner, clock, max_age

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """The inner lookup's features, or DataSourceError when they are older than the maximum age."""
        found = self.inner.lookup(feature_set, credit_code)
        if found is not None and self.clock.now() - found.published_at > self.max_age:
            raise DataSourceError(
                f"features: stale: published {found.published_at.isoformat()}, older than {_days(self.max_age)}"
            )
        return found


class UnavailableScorer:
    """The Scorer of a model that could not be loaded: every score fails with why (the decision is referred)."""

    version = "unavailable"
    reasons_version = "none"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """Fail with the load's reason."""
        raise DataSourceError(f"model: {self.reason}")

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """None: there is no model."""
        return []


class PublishTimes(Protocol):
    """When features were last published (the feature store is one)."""

    def latest_published(self, feature_set: str) -> dt.datetime | None:
        """The newest ``published_at`` under ``feature_set``, or ``None``."""
        ...


def features_probe(store: PublishTimes, feature_set: str, clock: Clock, max_age: dt.timedelta) -> Probe:
    """Ready when features are published under ``feature_set`` and the newest are within ``max_age``."""
    from riskloop.service.prerequisites import no_features

    def probe() -> str:
        latest = store.latest_published(feature_set)
        if latest is None:
            raise DataSourceError(no_features(feature_set))
        if clock.now() - latest > max_age:
            raise DataSourceError(
                f"stale: newest published {latest.isoformat()}, older than {_days(max_age)} "
                "(run: riskloop features publish)"
            )
        return f"published {latest.isoformat()} (maximum age {_days(max_age)})"

    return probe


def _days(age: dt.timedelta) -> str:
    return f"{age.total_seconds() / 86400:g} days"
