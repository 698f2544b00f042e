"""OutcomeTracker on the in-memory ports: incremental updates equal a full recomputation, re-runs change nothing,
a late repayment changes exactly its loan, and days before the last update are refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from riskloop.domain.outcome import DecisionLink, Instalment, Loan, Payment, add_months
from riskloop.errors import NotFoundError, ValidationError
from riskloop.service.outcomes import OutcomeTracker, outcome_facts
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_outcomes import MemoryDecisionLinks, MemoryLoanBook, MemoryOutcomeStore

D = dt.date
START = D(2024, 1, 1)
NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
LINK = DecisionLink("dec-0", "auto_approve", "reference@1", "model-v1", NOW)


def tracker(book: MemoryLoanBook, links: MemoryDecisionLinks | None = None) -> OutcomeTracker:
    return OutcomeTracker(book, links or MemoryDecisionLinks(), MemoryOutcomeStore(), SteppingClock(NOW))


def facts(t: OutcomeTracker) -> dict[str, dict[str, object]]:
    store = t.store
    assert isinstance(store, MemoryOutcomeStore)
    return {r.loan_id: outcome_facts(r.outcome) | {"decision": r.decision} for r in store.all()}


def random_book(seed: int, loans: int = 40) -> tuple[MemoryLoanBook, list[tuple[D, str, str, Payment]]]:
    """A book whose loans arrive with their schedules; payments listed (arrival day, part, loan, payment)."""
    rng = random.Random(seed)
    book, arrivals = MemoryLoanBook(), []
    for k in range(loans):
        disbursed = START + dt.timedelta(days=rng.randrange(0, 300))
        term = rng.choice((3, 6, 12))
        loan = Loan(f"L{k:03d}", f"A{k:03d}", disbursed, term, 100_000, rng.choice(("web", "branch")))
        schedule = [Instalment(n, add_months(disbursed, n), 1000) for n in range(1, term + 1)]
        book.add("loans-0", loan, schedule)
        habit = rng.random()
        for inst in schedule:
            if habit < 0.15 and inst.installment_no > 1:
                continue  # stops paying
            paid = inst.due_date + dt.timedelta(days=rng.choice((0, 0, 3, 40, 120)) if habit < 0.5 else 0)
            lag = rng.choice((1, 1, 2, 30, 95))  # days until the payment reaches the warehouse (late rows)
            arrivals.append((paid + dt.timedelta(days=lag), f"repayments-{paid + dt.timedelta(days=lag)}", loan.loan_id,
                             Payment(inst.installment_no, paid, inst.due_cents)))  # fmt: skip
    return book, sorted(arrivals, key=lambda a: a[0])


def test_incremental_updates_store_what_a_full_recomputation_stores() -> None:
    book, arrivals = random_book(11)
    incremental = tracker(book)
    days = [START + dt.timedelta(days=n) for n in (20, 45, 46, 90, 200, 201, 333, 400, 520, 640, 700)]
    pending = list(arrivals)
    for day in days:
        for _arrived, part, loan_id, payment in [a for a in pending if a[0] < day]:
            book.pay(part, loan_id, payment)
        pending = [a for a in pending if a[0] >= day]
        previous = incremental.store.last_run()
        run = incremental.update(day)
        full = tracker(book)
        full.update(day, full=True)
        assert facts(incremental) == facts(full), day
        assert run.loans == len(facts(full))
        if previous is not None and previous.as_of == day - dt.timedelta(days=1):
            assert run.recomputed < run.loans  # a day later: the loans that can have moved, not the book


def test_a_rerun_changes_nothing_and_a_late_repayment_changes_exactly_its_loan() -> None:
    book, arrivals = random_book(5)
    for arrived, part, loan_id, payment in arrivals:
        if arrived <= D(2024, 9, 1):
            book.pay(part, loan_id, payment)
    t = tracker(book)
    first = t.update(D(2024, 9, 1))
    before = facts(t)
    again = t.update(D(2024, 9, 1))
    assert (again.recomputed, again.changed, again.loans) == (0, 0, first.loans)
    assert facts(t) == before
    late = next(a for a in arrivals if a[0] > D(2024, 9, 1) and a[3].paid_date < D(2024, 8, 1))
    book.pay("repayments-late", late[2], late[3])
    rerun = t.update(D(2024, 9, 1))
    after = facts(t)
    assert (rerun.recomputed, rerun.changed) == (1, 1)
    assert {k for k in after if after[k] != before[k]} == {late[2]}


def test_outcomes_are_linked_to_the_decision_of_their_application() -> None:
    book = MemoryLoanBook()
    book.add("p0", Loan("L1", "A1", D(2024, 1, 10), 3, 100, "web"),
             [Instalment(n, add_months(D(2024, 1, 10), n), 10) for n in (1, 2, 3)])  # fmt: skip
    book.add("p0", Loan("L2", "A2", D(2024, 2, 10), 3, 100, "branch"))
    t = tracker(book, MemoryDecisionLinks({"A1": LINK}))
    t.update(D(2024, 7, 1))
    found = t.outcome_of("dec-0")
    assert (found["loan_id"], found["as_of"], found["tier"], found["model"]) == ("L1", "2024-07-01", "auto_approve",
                                                                              "model-v1")  # fmt: skip
    assert (found["status"], found["first_bad_day"], found["bad_3m"]) == ("defaulted", "2024-05-10", False)
    with pytest.raises(NotFoundError, match="dec-9 has no outcome"):
        t.outcome_of("dec-9")
    summary = t.summary()
    assert summary["loans"] == 2
    assert summary["with_decision"] == 1
    assert summary["by_tier"]["auto_approve"]["3m"] == {"matured": 1, "bad": 0, "bad_rate": 0.0}
    assert summary["by_tier"]["(none)"]["loans"] == 1
    assert summary["overall"]["6m"] == {"matured": 0, "bad": 0, "bad_rate": None}
    assert set(summary["by_vintage"]) == {"2024-01", "2024-02"}
    earlier = t.summary(D(2024, 4, 15))  # the stored records as they stood then
    assert earlier["overall"]["3m"] == {"matured": 1, "bad": 0, "bad_rate": 0.0}
    assert earlier["loans"] == 2


def test_bad_days_are_refused_naming_the_field() -> None:
    t = tracker(MemoryLoanBook())
    with pytest.raises(NotFoundError, match="run: riskloop outcomes update"):
        t.summary()
    t.update(D(2024, 5, 1))
    with pytest.raises(ValidationError, match="as_of: outcomes are updated to 2024-05-01; an earlier day needs"):
        t.update(D(2024, 4, 1))
    with pytest.raises(ValidationError, match="as_of: outcomes are updated to 2024-05-01; run riskloop outcomes"):
        t.summary(D(2024, 6, 1))


def test_a_full_run_can_go_back_and_removes_loans_not_disbursed_then() -> None:
    book = MemoryLoanBook()
    book.add("p0", Loan("L1", "A1", D(2024, 1, 10), 3, 100, None))
    book.add("p0", Loan("L2", "A2", D(2024, 3, 10), 3, 100, None))
    t = tracker(book)
    assert t.update(D(2024, 4, 1)).loans == 2
    back = t.update(D(2024, 2, 1), full=True)
    assert (back.loans, back.removed, back.full) == (1, 1, True)
    assert dataclasses.asdict(back)["as_of"] == D(2024, 2, 1)
