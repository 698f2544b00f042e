"""ReviewDesk: the manual-review queue's use cases (list, reopen, claim, release, decide) over a ReviewStore.

Each call loads the review, applies the rule of ``domain.review`` at the clock's now, and saves the
transition with its audit row through the port, which refuses it if another reviewer changed the review
in between (compare-and-set): of two reviewers claiming one review at once, exactly one wins.
"""

from __future__ import annotations

import datetime as dt

from riskloop.domain.access import Principal, can, require_role
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.review import (
    DEFAULT_LEASE,
    Review,
    ReviewItem,
    check_decision,
    check_lease,
    claimed,
    decided,
    released,
    reopened,
)
from riskloop.domain.tenancy import not_own
from riskloop.errors import ConflictError, NotFoundError
from riskloop.service.review_ports import ReviewStore

_READERS, _REVIEWERS = can("review.read"), can("review.decide")


class ReviewDesk:
    """The review queue for principals holding the reviewer role (auditors read it)."""

    def __init__(self, store: ReviewStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def list(
        self, principal: Principal, tier: str | None = None, min_age: dt.timedelta | None = None
    ) -> list[ReviewItem]:
        """Open reviews, oldest first, of ``tier`` and at least ``min_age`` old when given."""
        require_role(principal, _READERS, "reading the review queue")
        now = self.clock.now()
        queued_by = None if min_age is None else now - min_age
        return [ReviewItem(r, now) for r in self.store.list(tier=tier, queued_by=queued_by, include_closed=False)]

    def get(self, principal: Principal, decision_id: str) -> ReviewItem:
        """The review of ``decision_id``."""
        require_role(principal, _READERS, "reading a review")
        return ReviewItem(self._load(decision_id), self.clock.now())

    def reopen(self, principal: Principal, decision_id: str, comment: str) -> ReviewItem:
        """Queue an automatically decided decision (e.g. the customer appeals an automatic decline)."""
        require_role(principal, _REVIEWERS, "reopening a decision")
        subject = self.store.subject(decision_id)
        if subject is None:
            raise NotFoundError(f"decision {decision_id} does not exist")
        not_own(principal.name, subject.owner, "reopening a decision", field="actor")
        now = self.clock.now()
        review = reopened(subject, principal.name, now)
        if self.store.find(decision_id) is not None:
            raise ConflictError("decision", f"decision {decision_id} is already in the review queue")
        self.store.add(review, _entry(now, principal, "review.reopened", review, {"comment": comment}))
        return ReviewItem(review, now)

    def claim(self, principal: Principal, decision_id: str, lease: dt.timedelta = DEFAULT_LEASE) -> ReviewItem:
        """Take the review for ``lease``; a lease held by someone else and not expired is a ConflictError."""
        require_role(principal, _REVIEWERS, "claiming a review")
        check_lease(lease)
        before, now = self._load(decision_id), self.clock.now()
        after = claimed(before, principal.name, lease, now)
        detail = {"lease_expires_at": (now + lease).isoformat()}
        self.store.save(before, after, _entry(now, principal, "review.claimed", after, detail))
        return ReviewItem(after, now)

    def release(self, principal: Principal, decision_id: str) -> ReviewItem:
        """Give a claimed review back (its lease holder only); someone else's lease is a ConflictError."""
        require_role(principal, _REVIEWERS, "releasing a review")
        before, now = self._load(decision_id), self.clock.now()
        after = released(before, principal.name, now)
        self.store.save(before, after, _entry(now, principal, "review.released", after, {}))
        return ReviewItem(after, now)

    def history(self, principal: Principal, decision_id: str) -> list[AuditEntry]:
        """The audit rows of the review of ``decision_id`` and of its decision, oldest first."""
        require_role(principal, _READERS, "reading a review")
        self._load(decision_id)
        return self.store.history(decision_id)

    def decide(self, principal: Principal, decision_id: str, outcome: str, comment: str) -> ReviewItem:
        """Decide a claimed review; approving an automatic decline waits for a second reviewer, then it is final."""
        require_role(principal, _REVIEWERS, "deciding a review")
        check_decision(outcome, comment)
        before, now = self._load(decision_id), self.clock.now()
        after, action = decided(before, principal.name, outcome, comment, now)
        detail = {"outcome": outcome, "comment": comment}
        self.store.save(before, after, _entry(now, principal, action, after, detail))
        return ReviewItem(after, now)

    def _load(self, decision_id: str) -> Review:
        found = self.store.find(decision_id)
        if found is None:
            raise NotFoundError(f"review of decision {decision_id} does not exist")
        return found


def _entry(now: dt.datetime, principal: Principal, action: str, review: Review, detail: dict[str, str]) -> AuditEntry:
    return AuditEntry(now, principal.name, action, "review", review.decision_id, detail)
