"""ReviewStore conformance: the in-memory fake and the SQL adapter (SQLite, PostgreSQL) store, refuse and
finalise reviews alike, so a use-case test on the fake says what the database does."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from port_backends import NOW, ReviewBackend

from riskloop.domain.access import REVIEWER
from riskloop.domain.audit import AuditEntry
from riskloop.domain.review import CLOSED, Review, ReviewSubject, claimed, decided, reopened
from riskloop.errors import ConflictError, RiskloopError
from riskloop.service.reviews import ReviewDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.principals import person
from riskloop.testing.race import Interleaved

LEASE = dt.timedelta(minutes=10)


def entry(action: str, decision_id: str, actor: str = "ann") -> AuditEntry:
    return AuditEntry(NOW, actor, action, "review", decision_id, {"n": 1})


def queue(backend: ReviewBackend, decision_id: str, tier: str = "manual_review", at: dt.datetime = NOW) -> Review:
    subject = ReviewSubject(decision_id, f"APP-{decision_id}", "champion", tier)
    backend.seed(subject)
    review = reopened(subject, "rex", at)  # rex reopens; ann and bob review
    backend.store.add(review, entry("review.reopened", decision_id, "rex"))
    return review


def test_a_queued_review_reads_back_and_puts_its_decision_in_review(reviews: ReviewBackend) -> None:
    subject = ReviewSubject("d1", "APP-1", "champion", "auto_reject")
    reviews.seed(subject)
    assert reviews.store.subject("d1") == subject
    assert reviews.store.subject("nope") is None
    assert reviews.store.find("d1") is None
    review = reopened(subject, "ann", NOW)
    reviews.store.add(review, entry("review.reopened", "d1"))
    assert reviews.store.find("d1") == review
    assert review.reopened_by == "ann"  # read back from the reopening's audit row
    assert reviews.decision("d1") == ("in_review", None)
    assert reviews.trail("d1") == [("ann", "review.reopened", {"n": 1})]
    with pytest.raises(ConflictError, match="already in the review queue"):
        reviews.store.add(review, entry("review.reopened", "d1"))
    assert len(reviews.trail("d1")) == 1


def test_the_queue_lists_oldest_first_by_tier_and_age(reviews: ReviewBackend) -> None:
    queue(reviews, "b", "manual_review", NOW)
    queue(reviews, "a", "manual_review", NOW)
    queue(reviews, "c", "prudent_review", NOW + dt.timedelta(minutes=5))
    old = queue(reviews, "z", "manual_review", NOW - dt.timedelta(hours=1))
    taken = claimed(old, "ann", LEASE, NOW)
    reviews.store.save(old, taken, entry("review.claimed", "z"))
    done, _ = decided(taken, "ann", "declined", "thin file", NOW)
    reviews.store.save(taken, done, entry("review.decided", "z"))

    def ids(**kw: object) -> list[str]:
        args: dict[str, object] = {"tier": None, "queued_by": None, "include_closed": False, **kw}
        return [r.decision_id for r in reviews.store.list(**args)]

    assert ids() == ["a", "b", "c"]
    assert ids(include_closed=True) == ["z", "a", "b", "c"]
    assert ids(tier="prudent_review") == ["c"]
    assert ids(queued_by=NOW) == ["a", "b"]
    assert reviews.store.list(tier=None, queued_by=None, include_closed=True)[0].status == CLOSED


def test_a_save_writes_only_over_the_state_it_read(reviews: ReviewBackend) -> None:
    before = queue(reviews, "d1")
    ann = claimed(before, "ann", LEASE, NOW)
    reviews.store.save(before, ann, entry("review.claimed", "d1"))
    assert reviews.store.find("d1") == ann  # leases and comments round-trip, time zone included
    bob = claimed(before, "bob", LEASE, NOW)  # from the state ann changed
    with pytest.raises(ConflictError):
        reviews.store.save(before, bob, entry("review.claimed", "d1", "bob"))
    assert reviews.store.find("d1") == ann
    assert [a for a, _, _ in reviews.trail("d1")] == ["rex", "ann"]  # nothing of bob's write was kept


def test_closing_makes_the_decision_final_and_queues_one_notice(reviews: ReviewBackend) -> None:
    before = queue(reviews, "d1", "manual_review")
    held = claimed(before, "ann", LEASE, NOW)
    reviews.store.save(before, held, entry("review.claimed", "d1"))
    closed, action = decided(held, "ann", "approved", "fine", NOW)
    reviews.store.save(held, closed, entry(action, "d1"))
    assert reviews.store.find("d1") == closed
    assert reviews.decision("d1") == ("final", "approved")
    assert reviews.notices() == [{"application_id": "APP-d1", "decision_id": "d1", "outcome": "approved"}]


def test_an_override_waits_for_the_second_reviewer_without_a_notice(reviews: ReviewBackend) -> None:
    before = queue(reviews, "d1", "auto_reject")
    held = claimed(before, "ann", LEASE, NOW)
    reviews.store.save(before, held, entry("review.claimed", "d1"))
    waiting, _ = decided(held, "ann", "approved", "appeal holds", NOW)
    reviews.store.save(held, waiting, entry("review.override_requested", "d1"))
    assert reviews.store.find("d1") == waiting
    assert reviews.decision("d1") == ("in_review", None)
    assert reviews.notices() == []


def test_a_rival_claim_between_read_and_write_wins_alone(reviews: ReviewBackend) -> None:
    queue(reviews, "d1")
    clock = SteppingClock(NOW)
    rival = ReviewDesk(reviews.store, clock)
    desk = ReviewDesk(Interleaved(reviews.store, lambda: rival.claim(person("bob", REVIEWER), "d1", LEASE)), clock)
    with pytest.raises(ConflictError):
        desk.claim(person("ann", REVIEWER), "d1", LEASE)
    found = reviews.store.find("d1")
    assert found is not None
    assert found.claimed_by == "bob"
    assert [(a, act) for a, act, _ in reviews.trail("d1")] == [("rex", "review.reopened"), ("bob", "review.claimed")]


def test_two_reviewers_claiming_at_once_one_wins(reviews: ReviewBackend) -> None:
    queue(reviews, "d1")
    desk, start = ReviewDesk(reviews.store, SteppingClock(NOW)), threading.Barrier(2)

    def claim(name: str) -> str:
        start.wait()
        try:
            desk.claim(person(name, REVIEWER), "d1", LEASE)
        except ConflictError:
            return "409"
        except RiskloopError as exc:  # anything else is a failure of the store
            return repr(exc)
        return "won"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(claim, ["ann", "bob"]))
    assert results == ["409", "won"]
    claims = [a for a, act, _ in reviews.trail("d1") if act == "review.claimed"]
    found = reviews.store.find("d1")
    assert found is not None
    assert claims == [found.claimed_by]
