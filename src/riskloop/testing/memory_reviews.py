"""MemoryReviews: the ReviewStore in memory, with the decisions it reviews, its audit rows and its outbox."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace

from riskloop.domain.audit import AuditEntry
from riskloop.domain.review import CLOSED, FinalOutcome, Review, ReviewSubject
from riskloop.errors import ConflictError
from riskloop.service.review_ports import ReviewStore

REOPENED = "review.reopened"


@dataclass
class MemoryReviews:
    """Reviews in dicts; each write is atomic under one lock, as a transaction is."""

    subjects: dict[str, ReviewSubject] = field(default_factory=dict)
    decision_status: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # status, final outcome
    reviews: dict[str, Review] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    outbox: list[FinalOutcome] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_decision(self, subject: ReviewSubject, status: str = "final", final_outcome: str | None = None) -> None:
        """A decided decision (what the decision store would have recorded)."""
        self.subjects[subject.decision_id] = subject
        self.decision_status[subject.decision_id] = (status, final_outcome)

    def find(self, decision_id: str) -> Review | None:
        """The review of ``decision_id``, or ``None``."""
        return self.reviews.get(decision_id)

    def subject(self, decision_id: str) -> ReviewSubject | None:
        """The decision ``decision_id`` as a review sees it, or ``None``."""
        return self.subjects.get(decision_id)

    def history(self, decision_id: str) -> list[AuditEntry]:
        """The audit rows of the review of ``decision_id`` and of its decision, oldest first."""
        return [e for e in self.audit if e.entity_id == decision_id and e.entity in {"review", "decision"}]

    def list(self, *, tier: str | None, queued_by: dt.datetime | None, include_closed: bool) -> list[Review]:
        """Reviews oldest first, of ``tier`` and queued at or before ``queued_by`` when given."""
        found = [
            r
            for r in self.reviews.values()
            if (tier is None or r.tier == tier)
            and (include_closed or r.status != CLOSED)
            and (queued_by is None or r.queued_at <= queued_by)
        ]
        return sorted(found, key=lambda r: (r.queued_at, r.decision_id))

    def add(self, review: Review, entry: AuditEntry) -> None:
        """Queue ``review``, its decision ``in_review``; an existing review is a ConflictError."""
        with self._lock:
            if review.decision_id in self.reviews:
                raise ConflictError("decision", f"decision {review.decision_id} is already in the review queue")
            reopener = entry.actor if entry.action == REOPENED else None  # as the SQL store reads it back
            self.reviews[review.decision_id] = replace(review, reopened_by=reopener)
            self.decision_status[review.decision_id] = ("in_review", None)
            self.audit.append(entry)

    def save(self, before: Review, after: Review, entry: AuditEntry) -> None:
        """Write ``after`` over ``before`` (compare-and-set on ``row_version``) with ``entry`` and any final outcome."""
        with self._lock:
            stored = self.reviews.get(before.decision_id)
            if stored is None or stored.row_version != before.row_version:
                raise ConflictError(
                    "review", f"the review of decision {before.decision_id} changed meanwhile; read it again"
                )
            self.reviews[after.decision_id] = after
            final = after.final()
            if final is not None:
                self.decision_status[final.decision_id] = ("final", final.outcome)
                self.outbox.append(final)
            self.audit.append(entry)


def _as_port(store: MemoryReviews) -> ReviewStore:  # mypy checks the fake against its port here
    return store
