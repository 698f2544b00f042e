"""The review queue's rules, on the use case with the in-memory store and a fixed clock (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.access import AUDITOR, CHANNEL, REVIEWER
from riskloop.domain.review import ReviewSubject
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.service.reviews import ReviewDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_reviews import MemoryReviews
from riskloop.testing.principals import person

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
ANN, BOB, CAT = person("ann", REVIEWER), person("bob", REVIEWER), person("cat", REVIEWER)
REX = person("rex", REVIEWER)  # reopens appeals; never reviews them
MINUTES = dt.timedelta(minutes=1)


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(NOW)


@pytest.fixture
def store() -> MemoryReviews:
    fake = MemoryReviews()
    for decision_id, tier, role in [
        ("ref", "manual_review", "champion"),
        ("dec", "auto_reject", "champion"),
        ("sug", "suggest_reject", "champion"),
        ("shadow", "auto_reject", "shadow"),
    ]:
        fake.add_decision(ReviewSubject(decision_id, f"APP-{decision_id}", role, tier), "final", "declined")
    return fake  # fmt: skip


@pytest.fixture
def desk(store: MemoryReviews, clock: SteppingClock) -> ReviewDesk:
    return ReviewDesk(store, clock)


def actions(store: MemoryReviews, decision_id: str) -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in store.audit if e.entity_id == decision_id]


def test_a_lease_expires_and_someone_else_claims_and_decides(
    desk: ReviewDesk, store: MemoryReviews, clock: SteppingClock
) -> None:
    desk.reopen(REX, "ref", "customer call")
    desk.claim(ANN, "ref", 10 * MINUTES)
    with pytest.raises(ConflictError) as held:
        desk.claim(BOB, "ref")
    assert held.value.field == "lease"
    assert "claimed by ann until 2026-06-01T09:10:00+00:00" in str(held.value)
    clock.advance(minutes=10)  # the lease ends at its expiry instant
    with pytest.raises(ConflictError, match="claim the review first"):
        desk.decide(ANN, "ref", "approved", "ok")
    assert desk.claim(BOB, "ref").review.claimed_by == "bob"
    done = desk.decide(BOB, "ref", "declined", "thin file").review
    assert (done.status, done.final_outcome, done.final_reviewer, done.claimed_by) == (
        "closed",
        "declined",
        "bob",
        None,
    )
    assert store.decision_status["ref"] == ("final", "declined")
    assert [(n.decision_id, n.outcome, n.at) for n in store.outbox] == [("ref", "declined", NOW + 10 * MINUTES)]
    assert actions(store, "ref") == [("rex", "review.reopened"), ("ann", "review.claimed"), ("bob", "review.claimed"),
                                     ("bob", "review.decided")]  # fmt: skip


def test_only_the_lease_holder_decides(desk: ReviewDesk, store: MemoryReviews) -> None:
    desk.reopen(REX, "ref", "appeal")
    with pytest.raises(ConflictError, match="claim the review first"):
        desk.decide(ANN, "ref", "approved", "nobody holds it")
    desk.claim(ANN, "ref")
    with pytest.raises(ConflictError, match="claim the review first"):
        desk.decide(BOB, "ref", "approved", "not mine")
    assert desk.claim(ANN, "ref", 30 * MINUTES).review.lease_expires_at == NOW + 30 * MINUTES  # renewing is fine
    assert desk.decide(ANN, "ref", "approved", "fine").review.status == "closed"
    with pytest.raises(ConflictError, match="closed"):
        desk.claim(BOB, "ref")
    assert store.outbox[0].outcome == "approved"


@pytest.mark.parametrize("tier", ["dec", "sug"])
def test_overriding_an_automatic_decline_needs_a_second_different_reviewer(
    desk: ReviewDesk, store: MemoryReviews, tier: str
) -> None:
    desk.reopen(REX, tier, "appeal")
    desk.claim(ANN, tier)
    first = desk.decide(ANN, tier, "approved", "the appeal holds").review
    assert (first.status, first.first_reviewer, first.claimed_by, first.final_outcome) == (
        "awaiting_second", "ann", None, None
    )  # fmt: skip
    assert store.outbox == []
    assert store.decision_status[tier] == ("in_review", None)
    with pytest.raises(ForbiddenError, match="second reviewer other than the first"):
        desk.claim(ANN, tier)
    desk.claim(BOB, tier)
    assert desk.get(CAT, tier).review.status == "awaiting_second"
    final = desk.decide(BOB, tier, "approved", "agreed").review
    assert (final.status, final.final_outcome, final.final_reviewer) == ("closed", "approved", "bob")
    assert store.decision_status[tier] == ("final", "approved")
    assert [n.outcome for n in store.outbox] == ["approved"]
    assert actions(store, tier) == [("rex", "review.reopened"), ("ann", "review.claimed"),
                                    ("ann", "review.override_requested"), ("bob", "review.claimed"),
                                    ("bob", "review.second_decision")]  # fmt: skip


def test_the_second_reviewer_may_decline_and_confirming_a_decline_needs_no_second(
    desk: ReviewDesk, store: MemoryReviews
) -> None:
    desk.reopen(REX, "dec", "appeal")
    desk.claim(ANN, "dec")
    desk.decide(ANN, "dec", "approved", "maybe")
    desk.claim(BOB, "dec")
    assert desk.decide(BOB, "dec", "declined", "no").review.final_outcome == "declined"
    desk.reopen(REX, "sug", "appeal")
    desk.claim(ANN, "sug")
    assert desk.decide(ANN, "sug", "declined", "decline stands").review.status == "closed"
    assert [(n.decision_id, n.outcome) for n in store.outbox] == [("dec", "declined"), ("sug", "declined")]


def test_a_first_reviewer_who_lost_the_override_lease_cannot_decide_it(desk: ReviewDesk) -> None:
    desk.reopen(REX, "dec", "appeal")
    desk.claim(ANN, "dec")
    desk.decide(ANN, "dec", "approved", "x")
    desk.claim(BOB, "dec")
    with pytest.raises(ConflictError, match="claim the review first"):
        desk.decide(ANN, "dec", "approved", "me again")


def test_reopening_refuses_shadows_duplicates_and_unknown_decisions(desk: ReviewDesk, store: MemoryReviews) -> None:
    with pytest.raises(ConflictError, match="shadow decisions are never reviewed"):
        desk.reopen(REX, "shadow", "appeal")
    with pytest.raises(NotFoundError, match="decision nope does not exist"):
        desk.reopen(REX, "nope", "appeal")
    item = desk.reopen(REX, "dec", "appeal")
    assert item.to_dict()["status"] == "open"
    assert store.decision_status["dec"] == ("in_review", None)
    with pytest.raises(ConflictError, match="already in the review queue"):
        desk.reopen(BOB, "dec", "again")
    assert [dict(e.detail) for e in store.audit] == [{"comment": "appeal"}]
    with pytest.raises(NotFoundError, match="review of decision ref"):
        desk.claim(ANN, "ref")


def test_the_queue_lists_by_tier_and_age_on_the_clock(desk: ReviewDesk, clock: SteppingClock) -> None:
    desk.reopen(REX, "dec", "appeal")
    clock.advance(minutes=20)
    desk.reopen(REX, "ref", "appeal")
    clock.advance(minutes=10)
    items = desk.list(ANN)
    assert [(i.review.decision_id, i.to_dict()["age_seconds"]) for i in items] == [("dec", 1800.0), ("ref", 600.0)]
    assert [i.review.decision_id for i in desk.list(ANN, min_age=dt.timedelta(minutes=20))] == ["dec"]
    assert [i.review.decision_id for i in desk.list(ANN, tier="manual_review")] == ["ref"]
    desk.claim(ANN, "ref")
    desk.decide(ANN, "ref", "declined", "no")
    assert [i.review.decision_id for i in desk.list(ANN)] == ["dec"]  # closed reviews leave the queue


@pytest.mark.parametrize("minutes", [0, 481, -5])
def test_a_lease_is_more_than_nothing_and_at_most_eight_hours(desk: ReviewDesk, minutes: int) -> None:
    desk.reopen(REX, "ref", "appeal")
    with pytest.raises(ValidationError) as caught:
        desk.claim(ANN, "ref", minutes * MINUTES)
    assert caught.value.field == "lease_minutes"
    assert desk.claim(ANN, "ref", 480 * MINUTES).review.lease_expires_at == NOW + 480 * MINUTES


@pytest.mark.parametrize(("outcome", "comment", "field"), [("maybe", "c", "outcome"), ("approved", "  ", "comment")])
def test_a_decision_is_an_outcome_with_a_comment(desk: ReviewDesk, outcome: str, comment: str, field: str) -> None:
    desk.reopen(REX, "ref", "appeal")
    desk.claim(ANN, "ref")
    with pytest.raises(ValidationError) as caught:
        desk.decide(ANN, "ref", outcome, comment)
    assert caught.value.field == field
    assert desk.get(ANN, "ref").review.status == "claimed"


def test_roles_reviewers_work_the_queue_and_auditors_read_it(desk: ReviewDesk) -> None:
    auditor, channel = person("eve", AUDITOR), person("web", CHANNEL)
    desk.reopen(REX, "ref", "appeal")
    assert [i.review.decision_id for i in desk.list(auditor)] == ["ref"]
    assert desk.get(auditor, "ref").review.status == "open"
    for call in (lambda: desk.claim(auditor, "ref"), lambda: desk.reopen(auditor, "dec", "x"),
                 lambda: desk.decide(auditor, "ref", "approved", "x"), lambda: desk.list(channel)):  # fmt: skip
        with pytest.raises(ForbiddenError, match="needs the role reviewer"):
            call()
    assert desk.get(ANN, "ref").review.claimed_by is None


def test_a_channel_that_also_reviews_never_reviews_its_own_application(clock: SteppingClock) -> None:
    mixed = person("mixed", CHANNEL, REVIEWER)
    fake = MemoryReviews()
    fake.add_decision(ReviewSubject("own-ref", "APP-1", "champion", "manual_review", owner="mixed"), "in_review")
    fake.add_decision(ReviewSubject("own-auto", "APP-2", "champion", "auto_reject", owner="mixed"))
    fake.add_decision(ReviewSubject("theirs", "APP-3", "champion", "auto_reject", owner="web"))
    desk = ReviewDesk(fake, clock)
    with pytest.raises(ForbiddenError, match="mixed submitted this application") as reopening:
        desk.reopen(mixed, "own-auto", "my appeal")
    assert reopening.value.field == "actor"
    desk.reopen(REX, "own-ref", "queued")  # its review carries the owner from the decision
    with pytest.raises(ForbiddenError, match="claiming a review"):
        desk.claim(mixed, "own-ref")
    desk.claim(ANN, "own-ref")
    clock.advance(minutes=20)  # ann's lease ran out; still not mixed's to decide
    with pytest.raises(ForbiddenError, match="deciding a review"):
        desk.decide(mixed, "own-ref", "approved", "mine")
    assert desk.reopen(mixed, "theirs", "appeal").review.owner == "web"  # another channel's application: fine
    assert actions(fake, "own-ref") == [("rex", "review.reopened"), ("ann", "review.claimed")]
