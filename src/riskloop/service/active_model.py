"""The model a live pipeline scores with: the active one, followed without a restart (issue 14).

Each worker re-reads which application model is active at most every ``ttl_seconds``. When another model has
been activated (with four eyes) since, its bundle is loaded and scores from then on; a rollback is an activation
of the earlier model and is followed the same way. An active bundle that does not load, or no active model at
all, makes every score fail, so every application is referred (fail closed) and ``/readyz`` says why; the
retired model is never used meanwhile. A failing read of the registry keeps the active model scoring.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from threading import Lock

from riskloop.domain.clock import Clock
from riskloop.domain.decision import DecisionReason
from riskloop.errors import RiskloopError
from riskloop.service.fail_closed import UnavailableScorer
from riskloop.service.ports import Scorer

_log = logging.getLogger(__name__)


class ActiveModel:
    """A Scorer that delegates to the active model's scorer; ``current()`` pins one for a whole decision.

    ``active`` returns the id of the active model (NotFoundError or another RiskloopError when there is none);
    ``load`` builds the scorer of a model id, checking its files against the registered sha256.
    """

    def __init__(
        self, active: Callable[[], str], load: Callable[[str], Scorer], clock: Clock, ttl_seconds: float = 2.0
    ) -> None:
        self._active, self._load, self.clock, self.ttl = active, load, clock, ttl_seconds
        self._lock = Lock()
        self.model_id: str | None = None  # the model scoring (None: none, every score fails)
        self.problem: str | None = None  # why no model is scoring
        self._scorer: Scorer = UnavailableScorer("not loaded")
        self._read_at = clock.now()
        self._refresh()

    def current(self) -> Scorer:
        """The scorer of the active model (as of at most ``ttl_seconds`` ago)."""
        now = self.clock.now()
        if (now - self._read_at).total_seconds() >= self.ttl:
            with self._lock:
                if (now - self._read_at).total_seconds() >= self.ttl:
                    self._read_at = now
                    self._refresh()
        return self._scorer

    def _refresh(self) -> None:
        try:
            model_id = self._active()
        except RiskloopError as exc:  # none active any more: nothing approved to score with
            self._use(None, str(exc))
            return
        except Exception as exc:  # a database hiccup keeps the approved model scoring
            _log.warning("model: active model not re-read (%s); keeping %s", exc, self.model_id)
            return
        if model_id == self.model_id and self.problem is None:
            return
        try:
            scorer = self._load(model_id)
        except RiskloopError as exc:  # retried at the next read; the retired model is not used meanwhile
            problem = f"{model_id} is active but does not load: {exc}"
            if problem != self.problem:
                _log.warning("model: %s; every application is referred until it loads", problem)
            self._use(None, problem)
            return
        if self.model_id is not None:
            _log.info("model: now scoring with %s (was %s)", model_id, self.model_id)
        self._use(model_id, None, scorer)

    def _use(self, model_id: str | None, problem: str | None, scorer: Scorer | None = None) -> None:
        self.model_id, self.problem = model_id, problem
        self._scorer = scorer if scorer is not None else UnavailableScorer(problem or "no model")

    @property
    def version(self) -> str:
        """The current model's version."""
        return self.current().version

    @property
    def reasons_version(self) -> str:
        """The current model's reason catalogue version."""
        return self.current().reasons_version

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """Score with the current model (a decision pins one with ``current()`` instead)."""
        return self.current().score(values)

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """Reasons of the current model."""
        return self.current().reasons(values, top_k)


def pinned(scorer: Scorer | None) -> Scorer | None:
    """The scorer one decision uses throughout: the active model's as of now when ``scorer`` follows one."""
    return scorer.current() if isinstance(scorer, ActiveModel) else scorer
