"""Deciding a posted application: idempotent, audited, with champion/challenger and shadow decisions.

The champion strategy decides; a challenger either takes a deterministic share of live traffic (by hash of
the application id) or runs in shadow, where its decision is stored beside the champion's and never
returned. Storing, the audit rows and the review-queue entry commit in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from riskloop.domain.decision import Decision
from riskloop.domain.decision_record import CHAMPION, IDEMPOTENCY_HEADER, SHADOW, NewDecision
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import ConflictError, ValidationError
from riskloop.service.decide import Decider
from riskloop.service.ports import DecisionStore

_NAMESPACE = uuid.UUID("6f1c1e0e-3a4b-5c6d-8e9f-0a1b2c3d4e5f")
PERCENT = 100


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


def decision_id(key: str, role: str) -> str:
    """Deterministic id of the ``role`` decision stored under Idempotency-Key ``key``."""
    return str(uuid.uuid5(_NAMESPACE, f"{key}\x00{role}"))


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


class Intake:
    """The POST /v1/applications use case."""

    def __init__(self, decider: Decider, store: DecisionStore, split: Split | None = None) -> None:
        self.decider = decider
        self.store = store
        self.split = split

    def submit(self, *, key: str, request: DecisionRequest, digest: str, render: Render, actor: str) -> Submitted:
        """Decide ``request`` once per Idempotency-Key ``key``; a retry returns the stored response bytes."""
        found = self.store.claimed(key)
        if found is not None:
            if found[0] != digest:
                raise ConflictError(IDEMPOTENCY_HEADER, "this key was already used with a different request body")
            return Submitted(found[1], found[2], found[3], created=False)
        inputs = self.decider.gather(request)
        at = self.decider.clock.now()
        live = self.decider.strategy
        if self.split is not None and not self.split.shadow and self.split.takes(request.application_id):
            live = self.split.challenger
        outcome = self.decider.decide_inputs(inputs, at, live)
        stored_inputs = inputs.to_dict()
        champion = NewDecision(decision_id(key, CHAMPION), outcome.decision, stored_inputs, live, CHAMPION)
        shadows = []
        if self.split is not None and self.split.shadow:
            shadow = self.decider.decide_inputs(inputs, at, self.split.challenger)
            shadows.append(
                NewDecision(decision_id(key, SHADOW), shadow.decision, stored_inputs, self.split.challenger, SHADOW)
            )
        body = render(champion.decision_id, outcome.decision)
        recorded = self.store.record(
            key=key,
            request_sha256=digest,
            champion=champion,
            response=body,
            status_code=201,
            shadows=shadows,
            actor=actor,
            queue_review=outcome.decision.tier.needs_human,
        )
        return Submitted(recorded.decision_id, recorded.status_code, recorded.response, recorded.created)
