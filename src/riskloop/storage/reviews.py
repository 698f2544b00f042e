"""SQLReviewQueue: the manual-review queue with expiring leases, four-eyes overrides and customer notification.

Every change writes its audit row (and, when a decision becomes final, its outbox row) in the same
transaction. Time comes from the injected clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from riskloop.domain.clock import Clock
from riskloop.domain.decision import Tier
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.storage.audit import audit
from riskloop.storage.decision_models import decisions, reviews
from riskloop.storage.decisions import notify

OPEN, CLAIMED, AWAITING_SECOND, CLOSED = "open", "claimed", "awaiting_second", "closed"
OUTCOMES = ("approved", "declined")
AUTOMATIC_DECLINES = (Tier.SUGGEST_REJECT.value, Tier.AUTO_REJECT.value)
DEFAULT_LEASE = dt.timedelta(minutes=15)
MAX_LEASE = dt.timedelta(hours=8)


@dataclass(frozen=True)
class ReviewItem:
    """One entry of the queue."""

    decision_id: str
    tier: str
    status: str
    queued_at: dt.datetime
    age_seconds: float
    claimed_by: str | None
    lease_expires_at: dt.datetime | None
    first_reviewer: str | None
    first_outcome: str | None
    final_outcome: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "decision_id": self.decision_id,
            "tier": self.tier,
            "status": self.status,
            "queued_at": self.queued_at.isoformat(),
            "age_seconds": self.age_seconds,
            "claimed_by": self.claimed_by,
            "lease_expires_at": None if self.lease_expires_at is None else self.lease_expires_at.isoformat(),
            "first_reviewer": self.first_reviewer,
            "first_outcome": self.first_outcome,
            "final_outcome": self.final_outcome,
        }


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


class SQLReviewQueue:
    """The review queue on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def list(
        self, tier: str | None = None, min_age: dt.timedelta | None = None, *, include_closed: bool = False
    ) -> list[ReviewItem]:
        """Queue entries (oldest first), of ``tier`` and at least ``min_age`` old when given."""
        now = self.clock.now()
        stmt = sa.select(reviews).order_by(reviews.c.queued_at, reviews.c.decision_id)
        if tier is not None:
            stmt = stmt.where(reviews.c.tier == tier)
        if not include_closed:
            stmt = stmt.where(reviews.c.status != CLOSED)
        if min_age is not None:
            stmt = stmt.where(reviews.c.queued_at <= now - min_age)
        with self.engine.connect() as conn:
            return [self._item(r._mapping, now) for r in conn.execute(stmt)]

    def get(self, decision_id: str) -> ReviewItem:
        """The queue entry of ``decision_id``."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(reviews).where(reviews.c.decision_id == decision_id)).first()
        if found is None:
            raise NotFoundError(f"review of decision {decision_id} does not exist")
        return self._item(found._mapping, self.clock.now())

    def reopen(self, decision_id: str, actor: str, comment: str) -> ReviewItem:
        """Put an automatically decided decision in the queue (e.g. the customer appeals an automatic decline)."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(decisions).where(decisions.c.decision_id == decision_id)).first()
            if row is None:
                raise NotFoundError(f"decision {decision_id} does not exist")
            if row.role != "champion":
                raise ConflictError("decision", "shadow decisions are never reviewed")
            exists = conn.execute(sa.select(reviews.c.decision_id).where(reviews.c.decision_id == decision_id)).first()
            if exists is not None:
                raise ConflictError("decision", f"decision {decision_id} is already in the review queue")
            conn.execute(
                reviews.insert(), {"decision_id": decision_id, "tier": row.tier, "queued_at": now, "status": OPEN}
            )
            conn.execute(decisions.update().where(decisions.c.decision_id == decision_id).values(status="in_review"))
            audit(conn, at=now, actor=actor, action="review.reopened", entity="review", entity_id=decision_id,
                  detail={"comment": comment})  # fmt: skip
        return self.get(decision_id)

    def claim(self, decision_id: str, reviewer: str, lease: dt.timedelta = DEFAULT_LEASE) -> ReviewItem:
        """Take the entry for ``lease``; a lease held by someone else and not expired is a ConflictError."""
        if not dt.timedelta(0) < lease <= MAX_LEASE:
            raise ValidationError("lease_minutes", f"must be more than 0 and at most {MAX_LEASE}")
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = self._locked(conn, decision_id)
            if row.status == CLOSED:
                raise ConflictError("status", "the review is closed")
            expires = _utc(row.lease_expires_at)
            if row.claimed_by not in (None, reviewer) and expires is not None and expires > now:
                raise ConflictError("lease", f"claimed by {row.claimed_by} until {expires.isoformat()}")
            if row.status == AWAITING_SECOND and row.first_reviewer == reviewer:
                raise ForbiddenError("an override needs a second reviewer other than the first")
            status = AWAITING_SECOND if row.status == AWAITING_SECOND else CLAIMED
            # compare-and-set on the claimant we read: a concurrent claim changes it and this update misses
            updated = conn.execute(
                reviews.update()
                .where(reviews.c.decision_id == decision_id)
                .where(
                    reviews.c.claimed_by.is_(None) if row.claimed_by is None else reviews.c.claimed_by == row.claimed_by
                )
                .values(claimed_by=reviewer, lease_expires_at=now + lease, status=status)
            )
            if updated.rowcount != 1:
                raise ConflictError("lease", "claimed concurrently by another reviewer")
            audit(conn, at=now, actor=reviewer, action="review.claimed", entity="review", entity_id=decision_id,
                  detail={"lease_expires_at": (now + lease).isoformat()})  # fmt: skip
        return self.get(decision_id)

    def decide(self, decision_id: str, reviewer: str, outcome: str, comment: str) -> ReviewItem:
        """Decide a claimed entry. Approving an automatic decline takes a second reviewer; then it is final."""
        if outcome not in OUTCOMES:
            raise ValidationError("outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
        if not comment.strip():
            raise ValidationError("comment", "a reviewer's decision needs a comment")
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = self._locked(conn, decision_id)
            expires = _utc(row.lease_expires_at)
            if row.status == CLOSED:
                raise ConflictError("status", "the review is closed")
            if row.claimed_by != reviewer or expires is None or expires <= now:
                raise ConflictError("lease", "claim the review first (no lease held, or it expired)")
            where = reviews.c.decision_id == decision_id
            if row.status == AWAITING_SECOND:
                if reviewer == row.first_reviewer:
                    raise ForbiddenError("an override needs a second reviewer other than the first")
                self._close(conn, row, reviewer=reviewer, outcome=outcome, comment=comment, now=now)
                action = "review.second_decision"
            elif outcome == "approved" and row.tier in AUTOMATIC_DECLINES:
                conn.execute(
                    reviews.update().where(where).values(
                        status=AWAITING_SECOND, first_reviewer=reviewer, first_outcome=outcome, first_comment=comment,
                        claimed_by=None, lease_expires_at=None,
                    )
                )  # fmt: skip
                action = "review.override_requested"
            else:
                conn.execute(reviews.update().where(where).values(first_reviewer=reviewer, first_outcome=outcome,
                                                                  first_comment=comment))  # fmt: skip
                self._close(conn, row, reviewer=reviewer, outcome=outcome, comment=comment, now=now)
                action = "review.decided"
            audit(conn, at=now, actor=reviewer, action=action, entity="review", entity_id=decision_id,
                  detail={"outcome": outcome, "comment": comment})  # fmt: skip
        return self.get(decision_id)

    def _close(
        self, conn: sa.Connection, row: Any, *, reviewer: str, outcome: str, comment: str, now: dt.datetime
    ) -> None:
        conn.execute(
            reviews.update().where(reviews.c.decision_id == row.decision_id).values(
                status=CLOSED, final_reviewer=reviewer, final_outcome=outcome, final_comment=comment, closed_at=now,
                claimed_by=None, lease_expires_at=None,
            )
        )  # fmt: skip
        conn.execute(
            decisions.update()
            .where(decisions.c.decision_id == row.decision_id)
            .values(status="final", final_outcome=outcome)
        )
        application = conn.execute(
            sa.select(decisions.c.application_id).where(decisions.c.decision_id == row.decision_id)
        ).scalar_one()
        notify(conn, row.decision_id, application, outcome, now)

    def _locked(self, conn: sa.Connection, decision_id: str) -> Any:
        stmt = sa.select(reviews).where(reviews.c.decision_id == decision_id)
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        found = conn.execute(stmt).first()
        if found is None:
            raise NotFoundError(f"review of decision {decision_id} does not exist")
        return found

    @staticmethod
    def _item(row: Any, now: dt.datetime) -> ReviewItem:
        queued = _utc(row["queued_at"])
        assert queued is not None
        return ReviewItem(
            decision_id=row["decision_id"],
            tier=row["tier"],
            status=row["status"],
            queued_at=queued,
            age_seconds=(now - queued).total_seconds(),
            claimed_by=row["claimed_by"],
            lease_expires_at=_utc(row["lease_expires_at"]),
            first_reviewer=row["first_reviewer"],
            first_outcome=row["first_outcome"],
            final_outcome=row["final_outcome"],
        )
