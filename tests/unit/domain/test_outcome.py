"""The outcome of a loan as of a day: hand-computed cases, and nothing dated after the day is read."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from riskloop.domain.outcome import (
    DEFAULTED,
    DELINQUENT,
    REPAID,
    Horizon,
    Instalment,
    Loan,
    Payment,
    add_months,
    horizon_view,
    loan_outcome,
)

D = dt.date
LOAN = Loan("L1", "A1", D(2025, 1, 15), 6, 600_000, "web")
SCHEDULE = tuple(Instalment(n, add_months(D(2025, 1, 15), n), 1000) for n in range(1, 7))  # 02-15 .. 07-15
PAID = (
    Payment(1, D(2025, 2, 15), 1000),  # on time
    Payment(2, D(2025, 3, 25), 1000),  # 10 days late
    # instalment 3 (due 04-15) is never paid: 90 days past due on 07-14
    Payment(4, D(2025, 5, 15), 500),
    Payment(4, D(2025, 6, 1), 500),  # covered 17 days late
    Payment(5, D(2025, 6, 15), 1000),
    Payment(6, D(2025, 7, 15), 1000),
)


def test_a_defaulted_loan_by_hand() -> None:
    o = loan_outcome(LOAN, SCHEDULE, PAID, D(2025, 7, 31))
    assert o is not None
    assert (o.months_on_book, o.status, o.current_dpd, o.max_dpd) == (6, DEFAULTED, 107, 107)
    assert o.first_bad_day == D(2025, 7, 14)
    assert o.horizons == (Horizon(3, True, False), Horizon(6, True, True), Horizon(12, False, None))
    assert o.next_review == D(2025, 8, 1)  # an instalment is open: days past due grow tomorrow
    assert (o.to_dict()["bad_6m"], o.to_dict()["matured_12m"], o.to_dict()["bad_12m"]) == (True, False, None)
    assert o.vintage == "2025-01"


def test_the_day_before_90_days_past_due() -> None:
    o = loan_outcome(LOAN, SCHEDULE, PAID, D(2025, 7, 13))
    assert o is not None
    assert (o.months_on_book, o.status, o.current_dpd, o.max_dpd, o.first_bad_day) == (5, DELINQUENT, 89, 89, None)
    assert o.horizons == (Horizon(3, True, False), Horizon(6, False, None), Horizon(12, False, None))


def test_a_repaid_loan_and_one_not_disbursed_yet() -> None:
    on_time = tuple(Payment(i.installment_no, i.due_date, i.due_cents) for i in SCHEDULE)
    o = loan_outcome(LOAN, SCHEDULE, on_time, D(2025, 8, 1))
    assert o is not None
    assert (o.status, o.current_dpd, o.max_dpd, o.first_bad_day) == (REPAID, 0, 0, None)
    assert o.horizons[:2] == (Horizon(3, True, False), Horizon(6, True, False))
    assert o.next_review == D(2025, 8, 15)  # months on book moves on
    assert loan_outcome(LOAN, SCHEDULE, on_time, D(2025, 1, 14)) is None


def test_an_instalment_covered_after_90_days_still_made_the_loan_bad() -> None:
    late = (*PAID, Payment(3, D(2025, 7, 20), 1000))  # cured after its first bad day: still bad (ever 90+)
    o = loan_outcome(LOAN, SCHEDULE, late, D(2025, 7, 31))
    assert o is not None
    assert (o.status, o.current_dpd, o.max_dpd, o.first_bad_day) == (DEFAULTED, 0, 96, D(2025, 7, 14))


days = st.integers(min_value=0, max_value=500).map(lambda n: D(2025, 1, 1) + dt.timedelta(days=n))
books = st.tuples(
    st.integers(1, 12),  # term
    st.lists(st.tuples(st.integers(1, 12), days, st.integers(0, 1500)), max_size=25),  # payments
    days,  # disbursal
)


@settings(max_examples=150, deadline=None)
@given(books, days, days)
def test_nothing_dated_after_the_day_is_read(book: tuple[int, list[tuple[int, D, int]], D], day: D, later: D) -> None:
    term, raw, disbursed = book
    loan = Loan("L", "A", disbursed, term, 100, None)
    schedule = [Instalment(n, add_months(disbursed, n), 1000) for n in range(1, term + 1)]
    payments = [Payment(n, paid, cents) for n, paid, cents in raw if paid >= disbursed]
    seen = loan_outcome(loan, [i for i in schedule if i.due_date <= day], [p for p in payments if p.paid_date <= day],
                        day)  # fmt: skip
    assert loan_outcome(loan, schedule, payments, day) == seen
    if seen is None or later < day:
        return
    # the stored outcome of a later day, viewed as of ``day``, is exact: a first bad day needs nothing after it
    then = loan_outcome(loan, schedule, payments, later)
    assert then is not None
    first_bad = then.first_bad_day if then.first_bad_day is not None and then.first_bad_day <= day else None
    assert first_bad == seen.first_bad_day
    assert horizon_view(disbursed, first_bad, day) == seen.horizons
    assert seen.next_review > day
