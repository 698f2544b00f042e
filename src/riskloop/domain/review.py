"""The manual-review queue's rules: claims with expiring leases, decisions, and four eyes on overrides.

A review is ``open`` until a reviewer claims it (``claimed``, a lease on the clock). Only the lease holder
decides, while the lease runs. Approving an automatic decline (suggest- or auto-reject) is an override: it
waits (``awaiting_second``) for a second, different reviewer to claim and decide; every other decision is
final (``closed``) and makes the decision final. The lease holder may give a review back (``released``) before
deciding it. The reviewer who reopened an automatic decision (an appeal) never claims or decides it: the appeal
and its decision are two people's, and an override of an automatic decline a third's. Nobody claims or decides the review of an application they
submitted as a channel (``owner``, ADR 0014), whatever other roles they hold. Each transition returns the
next state with ``row_version`` one higher, so a store can refuse to write over a state it did not start
from (compare-and-set).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from riskloop.domain.decision import Tier
from riskloop.domain.tenancy import not_own
from riskloop.errors import ConflictError, ForbiddenError, ValidationError

OPEN, CLAIMED, AWAITING_SECOND, CLOSED = "open", "claimed", "awaiting_second", "closed"
OUTCOMES = ("approved", "declined")
AUTOMATIC_DECLINES = (Tier.SUGGEST_REJECT.value, Tier.AUTO_REJECT.value)
DEFAULT_LEASE = dt.timedelta(minutes=15)
MAX_LEASE = dt.timedelta(hours=8)
_SECOND_REVIEWER = "an override needs a second reviewer other than the first"
_REOPENER = "the reviewer who reopened a decision never decides it (four eyes): another reviewer claims it"


@dataclass(frozen=True)
class ReviewSubject:
    """The decision a review is about."""

    decision_id: str
    application_id: str
    role: str  # champion or shadow
    tier: str
    owner: str | None = None  # the channel principal that submitted the application


@dataclass(frozen=True)
class FinalOutcome:
    """A decision made final by a review: the customer is notified of it."""

    decision_id: str
    application_id: str
    outcome: str
    at: dt.datetime


@dataclass(frozen=True)
class Review:
    """One entry of the queue and where it is."""

    decision_id: str
    application_id: str
    tier: str
    status: str
    queued_at: dt.datetime
    claimed_by: str | None = None
    lease_expires_at: dt.datetime | None = None
    first_reviewer: str | None = None
    first_outcome: str | None = None
    first_comment: str | None = None
    final_reviewer: str | None = None
    final_outcome: str | None = None
    final_comment: str | None = None
    closed_at: dt.datetime | None = None
    row_version: int = 0
    owner: str | None = None  # the channel principal that submitted the application (never its reviewer)
    reopened_by: str | None = None  # who queued an automatic decision (never its reviewer)

    def held_by(self, reviewer: str, now: dt.datetime) -> bool:
        """Whether ``reviewer`` holds a running lease."""
        return self.claimed_by == reviewer and self.lease_expires_at is not None and self.lease_expires_at > now

    def final(self) -> FinalOutcome | None:
        """The final outcome to notify, once closed."""
        if self.status != CLOSED or self.final_outcome is None or self.closed_at is None:
            return None
        return FinalOutcome(self.decision_id, self.application_id, self.final_outcome, self.closed_at)

    def to_dict(self, now: dt.datetime) -> dict[str, Any]:
        """Plain JSON-ready fields as seen at ``now``."""
        return {
            "decision_id": self.decision_id,
            "tier": self.tier,
            "status": self.status,
            "queued_at": self.queued_at.isoformat(),
            "age_seconds": (now - self.queued_at).total_seconds(),
            "claimed_by": self.claimed_by,
            "lease_expires_at": None if self.lease_expires_at is None else self.lease_expires_at.isoformat(),
            "first_reviewer": self.first_reviewer,
            "first_outcome": self.first_outcome,
            "final_outcome": self.final_outcome,
            "reopened_by": self.reopened_by,
        }


@dataclass(frozen=True)
class ReviewItem:
    """A review as seen at ``as_of`` (how long it has waited)."""

    review: Review
    as_of: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return self.review.to_dict(self.as_of)


def queued(subject: ReviewSubject, now: dt.datetime) -> Review:
    """A new open review of an automatically decided decision (an appeal); shadow decisions are never reviewed."""
    if subject.role != "champion":
        raise ConflictError("decision", "shadow decisions are never reviewed")
    return Review(subject.decision_id, subject.application_id, subject.tier, OPEN, now, owner=subject.owner)


def reopened(subject: ReviewSubject, reviewer: str, now: dt.datetime) -> Review:
    """A new open review of an automatic decision queued by ``reviewer`` (who will never decide it)."""
    return replace(queued(subject, now), reopened_by=reviewer)


def check_lease(lease: dt.timedelta) -> dt.timedelta:
    """``lease`` if it is more than 0 and at most ``MAX_LEASE``, else a ValidationError naming ``lease_minutes``."""
    if not dt.timedelta(0) < lease <= MAX_LEASE:
        raise ValidationError("lease_minutes", f"must be more than 0 and at most {MAX_LEASE}")
    return lease


def check_decision(outcome: str, comment: str) -> None:
    """A reviewer's decision is one of ``OUTCOMES`` with a comment; else a ValidationError naming the field."""
    if outcome not in OUTCOMES:
        raise ValidationError("outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
    if not comment.strip():
        raise ValidationError("comment", "a reviewer's decision needs a comment")


def claimed(review: Review, reviewer: str, lease: dt.timedelta, now: dt.datetime) -> Review:
    """``review`` claimed by ``reviewer`` for ``lease``; someone else's running lease is a ConflictError."""
    check_lease(lease)
    not_own(reviewer, review.owner, "claiming a review")
    _not_reopener(review, reviewer)
    if review.status == CLOSED:
        raise ConflictError("status", "the review is closed")
    expires = review.lease_expires_at
    if review.claimed_by not in (None, reviewer) and expires is not None and expires > now:
        raise ConflictError("lease", f"claimed by {review.claimed_by} until {expires.isoformat()}")
    if review.status == AWAITING_SECOND and review.first_reviewer == reviewer:
        raise ForbiddenError(_SECOND_REVIEWER)
    status = AWAITING_SECOND if review.status == AWAITING_SECOND else CLAIMED
    return replace(
        review, status=status, claimed_by=reviewer, lease_expires_at=now + lease, row_version=review.row_version + 1
    )


def decided(review: Review, reviewer: str, outcome: str, comment: str, now: dt.datetime) -> tuple[Review, str]:
    """The next state of ``review`` and the audit action, when its lease holder decides ``outcome``."""
    check_decision(outcome, comment)
    not_own(reviewer, review.owner, "deciding a review")
    _not_reopener(review, reviewer)
    if review.status == CLOSED:
        raise ConflictError("status", "the review is closed")
    if not review.held_by(reviewer, now):
        raise ConflictError("lease", "claim the review first (no lease held, or it expired)")
    released = replace(review, claimed_by=None, lease_expires_at=None, row_version=review.row_version + 1)
    if review.status == AWAITING_SECOND:
        if reviewer == review.first_reviewer:
            raise ForbiddenError(_SECOND_REVIEWER)
        return _closed(released, reviewer, outcome, comment, now), "review.second_decision"
    first = replace(released, first_reviewer=reviewer, first_outcome=outcome, first_comment=comment)
    if outcome == "approved" and review.tier in AUTOMATIC_DECLINES:
        return replace(first, status=AWAITING_SECOND), "review.override_requested"
    return _closed(first, reviewer, outcome, comment, now), "review.decided"


def released(review: Review, reviewer: str, now: dt.datetime) -> Review:
    """``review`` given back by its lease holder: open again (or awaiting a second reviewer still), unclaimed.

    Someone else's running lease, no lease or an expired one, or a closed review is a ConflictError.
    """
    if review.status == CLOSED:
        raise ConflictError("status", "the review is closed")
    if not review.held_by(reviewer, now):
        holder = review.claimed_by if review.held_by(review.claimed_by or "", now) else None
        held = "no running lease" if holder is None else f"the lease is {holder}'s"
        raise ConflictError("lease", f"only the lease holder releases a review ({held})")
    status = AWAITING_SECOND if review.status == AWAITING_SECOND else OPEN
    return replace(review, status=status, claimed_by=None, lease_expires_at=None, row_version=review.row_version + 1)


def _not_reopener(review: Review, reviewer: str) -> None:
    if review.reopened_by is not None and review.reopened_by == reviewer:
        raise ForbiddenError(_REOPENER)


def _closed(review: Review, reviewer: str, outcome: str, comment: str, now: dt.datetime) -> Review:
    return replace(
        review, status=CLOSED, final_reviewer=reviewer, final_outcome=outcome, final_comment=comment, closed_at=now
    )
