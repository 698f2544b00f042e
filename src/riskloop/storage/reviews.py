"""SQLReviewQueue: the ReviewStore of the review queue on SQLite or PostgreSQL (it persists, it decides nothing).

A save is a compare-and-set on ``row_version``: ``UPDATE reviews ... WHERE decision_id = :id AND row_version =
:read``; no row updated means another reviewer moved the review since it was read (ConflictError, the
transaction rolls back). The audit row and, when the review closes, the decision's final outcome and its
outbox row commit in the same transaction. The rules are in ``domain.review``, the use case in
``service.reviews``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.review import CLOSED, Review, ReviewSubject
from riskloop.errors import ConflictError
from riskloop.storage.audit import record
from riskloop.storage.decision_models import audit_log, decisions, reviews
from riskloop.storage.decisions import notify

_FIELDS = ("status", "claimed_by", "lease_expires_at", "first_reviewer", "first_outcome", "first_comment",
           "final_reviewer", "final_outcome", "final_comment", "closed_at", "row_version")  # fmt: skip
# Who reopened a review is its ``review.reopened`` audit row's actor (written in the transaction that queued it):
# read from there rather than from a column of its own, so no migration is needed for the four-eyes rule.
_REOPENED_BY = (
    sa.select(audit_log.c.actor)
    .where(
        audit_log.c.entity_id == reviews.c.decision_id,
        audit_log.c.entity == "review",
        audit_log.c.action == "review.reopened",
    )
    .order_by(audit_log.c.audit_id.desc())
    .limit(1)
    .correlate(reviews)
    .scalar_subquery()
    .label("reopened_by")
)
_SELECT = sa.select(reviews, decisions.c.application_id, decisions.c.owner, _REOPENED_BY).join(
    decisions, decisions.c.decision_id == reviews.c.decision_id
)
_HISTORY_OF = ("review", "decision")


class SQLReviewQueue:
    """Reviews on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def find(self, decision_id: str) -> Review | None:
        """The review of ``decision_id``, or ``None``."""
        with self.engine.connect() as conn:
            found = conn.execute(_SELECT.where(reviews.c.decision_id == decision_id)).first()
        return None if found is None else _review(found._mapping)

    def subject(self, decision_id: str) -> ReviewSubject | None:
        """The decision ``decision_id`` as a review sees it, or ``None``."""
        stmt = sa.select(decisions.c.application_id, decisions.c.role, decisions.c.tier, decisions.c.owner).where(
            decisions.c.decision_id == decision_id
        )
        with self.engine.connect() as conn:
            found = conn.execute(stmt).first()
        return (
            None
            if found is None
            else ReviewSubject(decision_id, found.application_id, found.role, found.tier, found.owner)
        )

    def history(self, decision_id: str) -> list[AuditEntry]:
        """The audit rows of the review of ``decision_id`` and of its decision, oldest first."""
        stmt = (
            sa.select(audit_log)
            .where(audit_log.c.entity_id == decision_id, audit_log.c.entity.in_(_HISTORY_OF))
            .order_by(audit_log.c.audit_id)
        )
        with self.engine.connect() as conn:
            return [_audit_entry(r._mapping) for r in conn.execute(stmt)]

    def list(self, *, tier: str | None, queued_by: dt.datetime | None, include_closed: bool) -> list[Review]:
        """Reviews oldest first, of ``tier`` and queued at or before ``queued_by`` when given."""
        stmt = _SELECT.order_by(reviews.c.queued_at, reviews.c.decision_id)
        if tier is not None:
            stmt = stmt.where(reviews.c.tier == tier)
        if not include_closed:
            stmt = stmt.where(reviews.c.status != CLOSED)
        if queued_by is not None:
            stmt = stmt.where(reviews.c.queued_at <= queued_by)
        with self.engine.connect() as conn:
            return [_review(r._mapping) for r in conn.execute(stmt)]

    def add(self, review: Review, entry: AuditEntry) -> None:
        """Queue ``review``, its decision ``in_review``; an existing review is a ConflictError."""
        row = {"decision_id": review.decision_id, "tier": review.tier, "queued_at": review.queued_at}
        try:
            with self.engine.begin() as conn:
                conn.execute(reviews.insert(), {**row, **{f: getattr(review, f) for f in _FIELDS}})
                conn.execute(
                    decisions.update().where(decisions.c.decision_id == review.decision_id).values(status="in_review")
                )
                record(conn, entry)
        except sa.exc.IntegrityError:  # a concurrent reopen inserted it first
            raise ConflictError("decision", f"decision {review.decision_id} is already in the review queue") from None

    def save(self, before: Review, after: Review, entry: AuditEntry) -> None:
        """Write ``after`` over ``before`` (compare-and-set on ``row_version``) with ``entry`` and any final outcome."""
        with self.engine.begin() as conn:
            updated = conn.execute(
                reviews.update()
                .where(reviews.c.decision_id == before.decision_id, reviews.c.row_version == before.row_version)
                .values({f: getattr(after, f) for f in _FIELDS})
            )
            if updated.rowcount != 1:
                raise ConflictError(
                    "review", f"the review of decision {before.decision_id} changed meanwhile; read it again"
                )
            final = after.final()
            if final is not None:
                conn.execute(
                    decisions.update()
                    .where(decisions.c.decision_id == final.decision_id)
                    .values(status="final", final_outcome=final.outcome)
                )
                notify(conn, final.decision_id, final.application_id, final.outcome, final.at)
            record(conn, entry)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _review(row: Any) -> Review:
    queued = _utc(row["queued_at"])
    assert queued is not None
    return Review(
        decision_id=row["decision_id"],
        application_id=row["application_id"],
        tier=row["tier"],
        status=row["status"],
        queued_at=queued,
        claimed_by=row["claimed_by"],
        lease_expires_at=_utc(row["lease_expires_at"]),
        first_reviewer=row["first_reviewer"],
        first_outcome=row["first_outcome"],
        first_comment=row["first_comment"],
        final_reviewer=row["final_reviewer"],
        final_outcome=row["final_outcome"],
        final_comment=row["final_comment"],
        closed_at=_utc(row["closed_at"]),
        row_version=int(row["row_version"]),
        owner=row["owner"],
        reopened_by=row["reopened_by"],
    )


def _audit_entry(row: Any) -> AuditEntry:
    at = _utc(row["at"])
    assert at is not None
    detail = json.loads(row["detail"] or "{}")
    return AuditEntry(at, row["actor"], row["action"], row["entity"], row["entity_id"], detail)
