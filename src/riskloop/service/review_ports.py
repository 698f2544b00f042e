"""The port of the review queue's use case: reviews, the decisions they are about, and their side effects.

Writes are atomic: a review's new state, its audit row and (when the decision becomes final) the decision's
final outcome and the customer's notification commit together or not at all. ``save`` is a compare-and-set:
it writes ``after`` only while the stored review is still ``before`` (same ``row_version``), else it raises
ConflictError and writes nothing. A review's ``reopened_by`` is the actor of the ``review.reopened`` audit row
it was added with (none for a referral queued when decided): the audit row is the record of who reopened it,
written in the same transaction, so the four-eyes rule needs no column of its own. In-memory implementation: ``riskloop.testing.memory_reviews``.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.review import Review, ReviewSubject


class ReviewStore(Protocol):
    """Stored reviews."""

    def find(self, decision_id: str) -> Review | None:
        """The review of ``decision_id``, or ``None``."""
        ...

    def subject(self, decision_id: str) -> ReviewSubject | None:
        """The decision ``decision_id`` as a review sees it, or ``None`` when there is no such decision."""
        ...

    def list(self, *, tier: str | None, queued_by: dt.datetime | None, include_closed: bool) -> list[Review]:
        """Reviews oldest first (then by decision id), of ``tier`` and queued at or before ``queued_by`` if given."""
        ...

    def history(self, decision_id: str) -> list[AuditEntry]:
        """The audit rows of the review of ``decision_id`` and of the decision itself, oldest first."""
        ...

    def add(self, review: Review, entry: AuditEntry) -> None:
        """Queue ``review`` (its decision goes ``in_review``) with ``entry``; an existing review is a ConflictError."""
        ...

    def save(self, before: Review, after: Review, entry: AuditEntry) -> None:
        """Replace ``before`` by ``after`` with ``entry``, compare-and-set (else ConflictError, nothing written).

        A closed ``after`` makes the decision final and queues the customer notification in the same write.
        """
        ...
