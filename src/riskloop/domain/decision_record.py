"""Decision records: new decisions to store, claims of keys and application ids, recorded responses, stored decisions.

A ``DecisionEntry`` is everything one POST stores (the claim, the champion and its shadows, the response); one
built by ``service.history`` records a decision made earlier (``history``), dated when it was made.

A channel's Idempotency-Key and application id are claimed per channel principal (ADR 0014): the same key
and body again is a replay of the stored response; the same key with another body, or another key for an
application id the channel already had decided, is a conflict naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from riskloop.domain.decision import Decision
from riskloop.errors import ConflictError

CHAMPION, SHADOW = "champion", "shadow"
IDEMPOTENCY_HEADER = "Idempotency-Key"
APPLICATION_FIELD = "application_id"


@dataclass(frozen=True)
class NewDecision:
    """A decision to store, with its inputs and the strategy that made it."""

    decision_id: str
    decision: Decision
    inputs: dict[str, Any]
    strategy: str
    role: str = CHAMPION
    owner: str | None = None


@dataclass(frozen=True)
class DecisionEntry:
    """What storing one decision writes: the owner's claim, the decisions, the response, the review-queue entry.

    The claim is ``actor``'s (the channel principal's) of ``key`` with the body's digest ``request_sha256``.
    ``history``: a decision made earlier, recorded now (``service.history``): its rows are dated by the
    decision's own time; its application is logged for no graph check and its customer is not notified again.
    """

    key: str
    request_sha256: str
    champion: NewDecision
    response: bytes
    status_code: int
    actor: str
    queue_review: bool
    shadows: tuple[NewDecision, ...] = ()
    history: bool = False

    @property
    def application_id(self) -> str:
        """The application the champion decides."""
        return self.champion.decision.application_id


@dataclass(frozen=True)
class Claim:
    """What a channel's earlier request stored: its key, application id, body digest and response."""

    key: str
    application_id: str | None
    request_sha256: str
    decision_id: str
    status_code: int
    response: bytes

    def answer(self, key: str, request_sha256: str) -> Recorded:
        """The replay of this claim for a request with ``key`` and body digest ``request_sha256``.

        Raises ConflictError naming the Idempotency-Key header when the key was used with another body, and
        naming ``application_id`` when this claim is another key's decision of the same application id.
        """
        if self.key != key:
            raise ConflictError(
                APPLICATION_FIELD, "this application id was already decided for this channel under another key"
            )
        if self.request_sha256 != request_sha256:
            raise ConflictError(IDEMPOTENCY_HEADER, "this key was already used with a different request body")
        return Recorded(False, self.decision_id, self.status_code, self.response)


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
    owner: str | None = None
