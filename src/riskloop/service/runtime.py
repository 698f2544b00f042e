"""Serving options of a live pipeline, the active strategy it follows, and the stand-in for undeployed graph checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from riskloop.domain.clock import Clock
from riskloop.domain.decision_request import DecisionRequest, GraphSignals
from riskloop.errors import DataSourceError, NotFoundError
from riskloop.rules.loaders import REFERENCE_KEY
from riskloop.service.strategy_ports import ActiveVersions

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

    def __init__(self, repository: ActiveVersions, name: str, clock: Clock, ttl_seconds: float = 1.0) -> None:
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
    blacklist_file: str | None = None  # read at start; unreadable: every application referred
    max_feature_age_days: float = 45.0  # features published longer ago refer (DATA_UNAVAILABLE_FEATURES)
    shadow_model: str | None = None  # a registered model deciding every application in shadow (stored only)
