"""Deciding a posted application: idempotent, audited, with champion/challenger and shadow decisions.

The champion strategy decides; a challenger either takes a deterministic share of live traffic (by hash of
the application id) or runs in shadow, where its decision is stored beside the champion's and never
returned. A challenger *model* (``service.shadow_model``) can run in shadow too, with the live strategy on the
same gathered inputs; a failure of it never changes the champion's answer. Storing, the audit rows and the
review-queue entry commit in one transaction.

Tenancy (ADR 0014): the posting channel principal owns the decision; its Idempotency-Keys and application
ids are its own (another channel may send the same key); one application id is decided once per channel.
Decision ids are random (``secrets``), never derived from the key: they are not guessable, and a replay of
a key returns the id stored with it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from riskloop.domain.applicant import AgeRange
from riskloop.domain.decision import Decision
from riskloop.domain.decision_record import CHAMPION, SHADOW, DecisionEntry, NewDecision, Recorded
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import ValidationError
from riskloop.service.decide import Decider
from riskloop.service.ports import DecisionStore
from riskloop.service.shadow_model import ShadowModel
from riskloop.service.stages import lap

PERCENT = 100
ID_PREFIX = "dec_"
CREATED = 201  # the status of a decision's response


@dataclass(frozen=True)
class Split:
    """A challenger strategy: ``percent`` of applications (by hash) decided by it live, or all in shadow."""

    challenger: str
    percent: int = 0
    shadow: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.percent <= PERCENT:
            raise ValidationError("percent", f"must be 0..100, got {self.percent}")

    def takes(self, application_id: str) -> bool:
        """True when ``application_id`` falls in the challenger's live share (same id, same answer)."""
        return bucket(application_id) < self.percent


def bucket(application_id: str) -> int:
    """A stable bucket 0..99 of an application id (sha256, so it does not depend on the process)."""
    return int.from_bytes(hashlib.sha256(application_id.encode("utf-8")).digest()[:8], "big") % PERCENT


def new_decision_id() -> str:
    """A fresh, unguessable decision id: ``dec_`` and 128 random bits (26 characters, URL-safe)."""
    return ID_PREFIX + secrets.token_urlsafe(16)


def request_digest(body: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a validated request body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Submitted:
    """The response to return: stored bytes, whether this call created the decision, its id."""

    decision_id: str
    status_code: int
    body: bytes
    created: bool


Render = Callable[[str, Decision], bytes]


def champion_entry(
    *,
    key: str,
    digest: str,
    decision_id: str,
    decision: Decision,
    inputs: dict[str, Any],
    strategy: str,
    owner: str,
    render: Render,
    shadows: tuple[NewDecision, ...] = (),
    history: bool = False,
) -> DecisionEntry:
    """What a POST stores for ``decision`` (decided by ``strategy`` from ``inputs``, ``DecisionInputs.to_dict``).

    ``owner`` (the channel principal) claims ``key`` with the body's ``digest``; the response is ``render``'s
    body (201); a decision that needs a human is queued for review. ``service.history`` builds the same entry
    for a decision made earlier (``history``).
    """
    champion = NewDecision(decision_id, decision, inputs, strategy, CHAMPION, owner)
    return DecisionEntry(
        key=key,
        request_sha256=digest,
        champion=champion,
        response=render(decision_id, decision),
        status_code=CREATED,
        actor=owner,
        queue_review=decision.tier.needs_human,
        shadows=shadows,
        history=history,
    )


class Intake:
    """The POST /v1/applications use case."""

    def __init__(
        self,
        decider: Decider,
        store: DecisionStore,
        split: Split | None = None,
        new_id: Callable[[], str] = new_decision_id,
        *,
        ages: AgeRange | None = None,
        shadow_model: ShadowModel | None = None,
    ) -> None:
        self.decider = decider
        self.store = store
        self.split = split
        self.new_id = new_id
        self.ages = ages or AgeRange()
        self.shadow_model = shadow_model

    def submit(self, *, key: str, request: DecisionRequest, digest: str, render: Render, actor: str) -> Submitted:
        """Decide ``request`` once per ``actor``'s Idempotency-Key ``key``; a retry returns the stored bytes.

        ``actor`` (the channel principal) owns the decision. Raises ConflictError naming the header when the key
        was used with another body, naming ``application_id`` when the actor had the application decided.
        """
        prepared = self.prepare(key=key, request=request, digest=digest, render=render, actor=actor)
        if isinstance(prepared, Submitted):
            return prepared
        recorded = self.store.record(prepared)
        lap("persist")
        return submitted(recorded)

    def prepare(
        self, *, key: str, request: DecisionRequest, digest: str, render: Render, actor: str
    ) -> Submitted | DecisionEntry:
        """``submit`` up to the write: the stored answer of a retry, else the entry to store (``submitted`` after).

        The API's route stores the entry through the group commit (``service.group_commit``), which answers as
        the store's ``record`` does.
        """
        found = self.store.claimed(actor, key, request.application_id)
        lap("claim")
        if found is not None:
            replayed = found.answer(key, digest)
            return Submitted(replayed.decision_id, replayed.status_code, replayed.response, created=False)
        at = self.decider.clock.now()
        if request.applicant_id is not None:  # an impossible or out-of-range applicant is refused (422)
            self.ages.check_at(request.applicant_id, at)
        inputs = self.decider.gather(request)
        live = self.decider.strategy
        if self.split is not None and not self.split.shadow and self.split.takes(request.application_id):
            live = self.split.challenger
        outcome = self.decider.decide_inputs(inputs, at, live)
        stored_inputs = inputs.to_dict()
        lap("inputs")
        decision_id = self.new_id()
        shadows = []
        if self.split is not None and self.split.shadow:
            shadow = self.decider.decide_inputs(inputs, at, self.split.challenger)
            challenger = self.split.challenger
            shadows.append(NewDecision(self.new_id(), shadow.decision, stored_inputs, challenger, SHADOW, actor))
        if self.shadow_model is not None:  # the same inputs, live strategy and time; None when it failed
            decided = self.shadow_model.decide(inputs, at, live)
            # once activated, the shadow model is the champion too: a copy of its decision would compare nothing
            if decided is not None and decided.versions.model != outcome.decision.versions.model:
                shadows.append(NewDecision(self.new_id(), decided, stored_inputs, live, SHADOW, actor))
        entry = champion_entry(
            key=key,
            digest=digest,
            decision_id=decision_id,
            decision=outcome.decision,
            inputs=stored_inputs,
            strategy=live,
            owner=actor,
            render=render,
            shadows=tuple(shadows),
        )
        lap("render")
        return entry


def submitted(recorded: Recorded) -> Submitted:
    """The response of a stored (or, when it lost a race, replayed) entry."""
    return Submitted(recorded.decision_id, recorded.status_code, recorded.response, recorded.created)
