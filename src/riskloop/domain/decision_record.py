"""Decision records: new decisions to store, recorded responses, stored decisions (the decision store's values)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
