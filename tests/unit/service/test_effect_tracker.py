"""EffectTracker on the in-memory ports: a report as of an earlier day from outcomes updated later equals the report
from outcomes updated to that day (no look-ahead: repaid and defaulted as they stood); refusals name the field."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import pytest

from riskloop.domain.effect import Applied, Decided
from riskloop.domain.outcome import DecisionLink, Instalment, Loan, Payment, add_months
from riskloop.errors import NotFoundError, ValidationError
from riskloop.service.effect import EffectTracker
from riskloop.service.outcomes import OutcomeTracker
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_outcomes import MemoryDecisionLinks, MemoryLoanBook, MemoryOutcomeStore

D = dt.date
START = D(2024, 1, 1)
NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


@dataclass
class ListSource:
    """The EffectSource port over lists (filtered by day as the SQL adapter does)."""

    applied: list[Applied] = field(default_factory=list)
    decided: list[Decided] = field(default_factory=list)

    def applications(self, as_of: D) -> list[Applied]:
        return [a for a in self.applied if a.applied_on <= as_of]

    def decisions(self, as_of: D) -> list[Decided]:
        return [d for d in self.decided if d.decided_at.date() <= as_of]


def book_and_source(seed: int, loans: int = 60) -> tuple[MemoryLoanBook, ListSource, MemoryDecisionLinks]:
    """Short loans (3 or 6 months) paid on time, late or not at all; 4 in 5 applications decided by riskloop."""
    rng = random.Random(seed)
    book, source, links = MemoryLoanBook(), ListSource(), MemoryDecisionLinks()
    for k in range(loans):
        applied = START + dt.timedelta(days=rng.randrange(0, 300))
        disbursed, term, app = applied + dt.timedelta(days=5), rng.choice((3, 6)), f"A{k:03d}"
        source.applied.append(Applied(app, applied, rng.choice(("web", "branch"))))
        if k % 5:
            at = dt.datetime.combine(applied, dt.time(9), tzinfo=dt.UTC)
            source.decided.append(Decided(app, f"dec-{k}", at, "auto_approve", f"ref@{1 + k % 2}", "m1", "web",
                                          rng.random() / 4, 100_000, "approved", at))  # fmt: skip
            links.by_application[app] = DecisionLink(f"dec-{k}", "auto_approve", f"ref@{1 + k % 2}", "m1", at)
        schedule = [Instalment(n, add_months(disbursed, n), 1000) for n in range(1, term + 1)]
        habit = rng.random()
        paid = [
            Payment(i.installment_no, i.due_date + dt.timedelta(days=rng.choice((0, 10, 120))), 1000)
            for i in schedule
            if habit > 0.2 or i.installment_no == 1
        ]
        book.add("part-0", Loan(f"L{k:03d}", app, disbursed, term, 100_000 + 1000 * k, "web"), schedule, paid)
    return book, source, links


def effect(book: MemoryLoanBook, source: ListSource, links: MemoryDecisionLinks, day: D) -> EffectTracker:
    store = MemoryOutcomeStore()
    OutcomeTracker(book, links, store, SteppingClock(NOW)).update(day, full=True)
    return EffectTracker(source, store, book, lgd=0.5)


def test_an_earlier_day_reads_what_an_update_to_that_day_stores() -> None:
    book, source, links = book_and_source(5)
    late = effect(book, source, links, D(2025, 6, 30))
    for day in (D(2024, 3, 1), D(2024, 7, 15), D(2024, 11, 30), D(2025, 6, 30)):
        then = effect(book, source, links, day).report(day)
        now = late.report(day)
        assert now.pop("outcomes_updated_to") == "2025-06-30"
        then.pop("outcomes_updated_to")
        assert now == then
    mid = late.report(D(2024, 7, 15))["funnel"]["overall"]
    end = late.report(D(2025, 6, 30))["funnel"]["overall"]
    assert 0 < mid["repaid"] < end["repaid"]  # loans repaid after the earlier day are not repaid on it
    assert 0 < mid["defaulted"] <= end["defaulted"]


def test_the_report_says_how_many_loans_have_no_stored_decision() -> None:
    book, source, links = book_and_source(9, loans=20)
    report = effect(book, source, links, D(2025, 6, 30)).report(D(2025, 6, 30))
    assert report["loans"] == 20
    assert report["loans_without_decision"] == 4  # every fifth application was not decided by riskloop
    assert "no stored decision for 4 of 20 loans" in report["note"]
    assert report["funnel"]["overall"]["drawn"] == 16
    assert report["loss"]["overall"]["loans"] == 16


def test_days_after_the_last_update_and_no_outcomes_are_refused() -> None:
    book, source, links = book_and_source(3, loans=5)
    tracker = effect(book, source, links, D(2025, 1, 31))
    with pytest.raises(ValidationError) as error:
        tracker.report(D(2025, 2, 1))
    assert error.value.field == "as_of"
    with pytest.raises(NotFoundError, match="riskloop outcomes update"):
        EffectTracker(source, MemoryOutcomeStore(), book).report(D(2025, 1, 31))
