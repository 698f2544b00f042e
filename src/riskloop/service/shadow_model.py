"""A challenger model in shadow (issue 14): every application decided again with it, stored, never returned.

``riskloop serve --shadow-model MODEL_ID`` names a registered application model that is not the one serving
(a candidate, an approved or a retired model: its decisions never reach anyone, so it need not be approved).
The champion decides as always; the shadow model then decides the same gathered inputs with the same live
strategy at the same time, and ``Intake`` stores that decision with role ``shadow`` beside the champion's (never
returned, queued for review or sent on the outbox). Whatever the shadow model does — a scorer that raises, a
score that is not finite — the champion's answer is the same: the failure is caught, counted and logged once
per kind, and no shadow decision is stored for that application. ``/readyz`` says whether it loaded and how
it fares, without ever making the process unready.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from threading import Lock

from riskloop.domain.decision import Decision
from riskloop.errors import ValidationError
from riskloop.scoring.registry import ACTIVE, RegisteredModel, is_application_model
from riskloop.service.decide import Decider, DecisionInputs

FIELD = "shadow_model"
_log = logging.getLogger(__name__)


def check_shadow_model(model: RegisteredModel, champion: str | None = None) -> RegisteredModel:
    """``model`` when it may run in shadow; ValidationError naming ``shadow_model`` otherwise.

    Any registered application model may (registered, approved or retired) except the model serving: an
    active one, or ``champion`` (a model id pinned with ``serve --model``). Behaviour models score loans on
    book, not applications.
    """
    if not is_application_model(model.kind):
        raise ValidationError(FIELD, f"{model.model_id} is a {model.kind} model; a shadow model scores applications")
    if model.status == ACTIVE or model.model_id == champion:
        raise ValidationError(FIELD, f"{model.model_id} is the model serving; shadow a candidate against it")
    return model


class ShadowModel:
    """Decides with another model beside the champion; ``decide`` never raises (see the module).

    ``decider`` is the decision pipeline with the shadow model's scorer (``Workspace.decider(scorer=...)``); only
    its ``decide_inputs`` is used, on inputs the champion's pipeline gathered.
    """

    def __init__(self, model_id: str, decider: Decider) -> None:
        self.model_id, self.decider = model_id, decider
        self.decided = 0
        self.failures = 0
        self.last_failure: str | None = None
        self._logged: set[str] = set()
        self._lock = Lock()

    @property
    def version(self) -> str:
        """The shadow model's version as its decisions record it (``versions.model``)."""
        scorer = self.decider.scorer
        return scorer.version if scorer is not None else "none"

    def decide(self, inputs: DecisionInputs, at: dt.datetime, strategy: str) -> Decision | None:
        """The shadow model's decision of ``inputs`` at ``at`` with ``strategy``; None (counted) when it fails."""
        try:
            decision = self.decider.decide_inputs(inputs, at, strategy).decision
            if decision.pd is None:  # the pipeline caught a scorer failure: the model gave no opinion
                raise NoScoreError(_model_note(decision))
        except Exception as exc:  # never the champion's problem
            self._failed(exc)
            return None
        with self._lock:
            self.decided += 1
        return decision

    def _failed(self, exc: Exception) -> None:
        kind = type(exc).__name__
        reason = f"{kind}: {exc}"
        with self._lock:
            self.failures += 1
            self.last_failure = reason
            first = kind not in self._logged
            self._logged.add(kind)
        if first:  # once per kind of failure, not once per application
            _log.warning("shadow model %s failed (%s); champion decisions unaffected", self.model_id, reason)

    def state(self) -> str:
        """One line for ``/readyz``: the model, its version, decisions made and failures."""
        line = f"{self.model_id} loaded ({self.version}): {self.decided} decided, {self.failures} failed"
        return line if self.last_failure is None else f"{line} (last: {self.last_failure})"


class NoScoreError(Exception):
    """The shadow model gave no score for an application."""


def _model_note(decision: Decision) -> str:
    for step in reversed(decision.trace):
        values = step.get("values")
        if step.get("node") == "pipeline" and isinstance(values, Mapping) and "model" in values:
            return f"no score: {values['model']}"
    return "no score"


def not_loaded(model_id: str, reason: str) -> str:
    """The ``/readyz`` line of a shadow model that could not be loaded (champion decisions go on unaffected)."""
    return f"{model_id} not loaded, no shadow decisions: {reason}"
