"""Values exchanged with the decision store port: new decisions, recorded responses, stored decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from riskloop.domain.decision import Decision

CHAMPION, SHADOW = "champion", "shadow"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class NewDecision:
    """A decision to store, with its inputs and the strategy that made it."""

    decision_id: str
    decision: Decision
    inputs: dict[str, Any]
    strategy: str
    role: str = CHAMPION


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: ``created`` or replayed; ``response`` is the stored body either way."""

    created: bool
    decision_id: str
    status_code: int
    response: bytes


@dataclass(frozen=True)
class StoredDecision:
    """One stored decision row."""

    decision_id: str
    role: str
    strategy: str
    status: str
    final_outcome: str | None
    decision: Decision
    inputs: dict[str, Any]


class DecisionStore(Protocol):
    """Stores decisions under idempotency keys, with audit rows and review-queue entries, in one transaction."""

    def record(
        self,
        *,
        key: str,
        request_sha256: str,
        champion: NewDecision,
        response: bytes,
        status_code: int,
        shadows: Sequence[NewDecision] = (),
        actor: str,
        queue_review: bool,
    ) -> Recorded:
        """Store ``champion`` and ``shadows`` under ``key``, or return what ``key`` stored (same body only)."""
        ...

    def claimed(self, key: str) -> tuple[str, str, int, bytes] | None:
        """``(request_sha256, decision_id, status_code, response)`` stored under ``key``, or ``None``."""
        ...

    def get(self, decision_id: str) -> StoredDecision:
        """The decision ``decision_id``; NotFoundError when there is none."""
        ...
