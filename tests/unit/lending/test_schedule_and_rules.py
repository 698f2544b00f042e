"""Repayment schedules to the cent against the textbook figures, and the re-check's and offer's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.disbursal import CoreAnswer, CoreStatus
from riskloop.domain.drawdown import Drawdown, DrawdownStatus, answered
from riskloop.domain.offer import Offer, OfferStatus, accept, reserve, settle
from riskloop.domain.recheck import PROCEED, REFER, REFUSE, context, verdict
from riskloop.domain.repayment_schedule import (
    EQUAL_INSTALMENT,
    EQUAL_PRINCIPAL,
    INTEREST_FIRST,
    due_date,
    schedule,
)
from riskloop.errors import ConflictError, ValidationError
from riskloop.service.drawdowns import MAX_LISTED, DrawdownDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_lending import MemoryLendingStore

START = dt.date(2026, 1, 31)
AT = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def test_equal_instalments_match_the_annuity_formula() -> None:
    plan = schedule(10_000_000, 600, 12, dt.date(2026, 7, 1), EQUAL_INSTALMENT)  # ¥100,000 at 6 % for a year
    assert {i.total_cents for i in plan[:-1]} == {860_664}  # ¥8,606.64: P·r/(1-(1+r)^-n), r = 0.5 %
    assert sum(i.principal_cents for i in plan) == 10_000_000
    assert abs(plan[-1].total_cents - 860_664) <= 12  # the last takes the rounding
    assert sum(i.interest_cents for i in plan) == pytest.approx(327_972, abs=12)  # 12 × 8,606.64 − 100,000


def test_equal_principal_and_interest_first() -> None:
    plan = schedule(1_200_000, 1200, 12, START, EQUAL_PRINCIPAL)
    assert {i.principal_cents for i in plan} == {100_000}
    assert [i.interest_cents for i in plan[:3]] == [12_000, 11_000, 10_000]  # 1 % a month of what is left
    first = schedule(1_000_000, 1200, 6, START, INTEREST_FIRST)
    assert [i.principal_cents for i in first] == [0] * 5 + [1_000_000]
    assert {i.interest_cents for i in first} == {10_000}


def test_due_dates_keep_the_day_or_the_months_last() -> None:
    assert [i.due_date for i in schedule(300_000, 500, 3, START, EQUAL_INSTALMENT)] == [
        dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]  # fmt: skip
    assert due_date(dt.date(2027, 12, 15), 14) == dt.date(2029, 2, 15)
    assert due_date(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)  # a leap year


def test_a_zero_rate_and_bad_inputs() -> None:
    free = schedule(1_000_001, 0, 3, START, EQUAL_INSTALMENT)
    assert [i.principal_cents for i in free] == [333_333, 333_333, 333_335]
    assert not any(i.interest_cents for i in free)
    for bad, field in (((0, 600, 12), "principal_cents"), ((100, 600, 121), "term_months"),
                       ((100, 10_001, 12), "rate_bp")):  # fmt: skip
        with pytest.raises(ValidationError, match=field):
            schedule(*bad, START, EQUAL_INSTALMENT)
    with pytest.raises(ValidationError, match="method"):
        schedule(100, 600, 12, START, "balloon")


def _offer(**changes: object) -> Offer:
    values: dict[str, object] = {
        "offer_id": "ofr_1", "decision_id": "d1", "application_id": "A1", "channel": "web",
        "credit_code": "91420100000000001Y", "product_code": "HRT-TAX", "limit_cents": 1_000_000, "rate_bp": 600,
        "term_months": 12, "repayment": EQUAL_INSTALMENT, "offered_at": AT, "expires_at": AT + dt.timedelta(days=30),
        "contract_version": "loan-agreement@1", "contract_sha256": "a" * 64,
    }  # fmt: skip
    values.update(changes)
    return Offer(**values)  # type: ignore[arg-type]


def test_an_offer_is_accepted_once_under_its_own_contract_and_before_it_expires() -> None:
    offer = _offer()
    with pytest.raises(ConflictError, match="contract_sha256"):
        accept(offer, "b" * 64, "stp", AT)
    with pytest.raises(ConflictError, match="expired"):
        accept(offer, "a" * 64, "stp", AT + dt.timedelta(days=30))
    taken = accept(offer, "a" * 64, "stp", AT)
    assert taken.status is OfferStatus.ACCEPTED
    with pytest.raises(ConflictError, match="already accepted"):
        accept(taken, "a" * 64, "stp", AT)


def test_reservations_never_pass_the_limit_and_settle_into_drawn_or_back() -> None:
    offer = accept(_offer(), "a" * 64, "stp", AT)
    held = reserve(reserve(offer, 600_000), 400_000)
    assert held.remaining_cents == 0
    with pytest.raises(ConflictError, match="amount_cents"):
        reserve(held, 1)
    paid = settle(held, 600_000, paid=True)
    back = settle(paid, 400_000, paid=False)
    assert (back.drawn_cents, back.reserved_cents, back.remaining_cents) == (600_000, 0, 400_000)
    with pytest.raises(ValidationError, match="limit"):
        _offer(reserved_cents=600_000, drawn_cents=600_000)


def test_an_answer_settles_a_drawdown_once() -> None:
    open_ = Drawdown("drw_1", "ofr_1", "web", "k", "0" * 64, 100, 12, EQUAL_INSTALMENT, DrawdownStatus.INSTRUCTED,
                     AT, AT)  # fmt: skip
    lost = answered(open_, CoreAnswer("drw_1", CoreStatus.UNANSWERED, reason="timeout"), AT)
    assert lost.status is DrawdownStatus.UNCONFIRMED
    paid = answered(lost, CoreAnswer("drw_1", CoreStatus.CONFIRMED, core_ref="C-1"), AT)
    assert (paid.status, paid.loan_id) == (DrawdownStatus.DISBURSED, "ln_1")
    assert answered(paid, CoreAnswer("drw_1", CoreStatus.REJECTED, reason="late no"), AT) is paid
    with pytest.raises(ConflictError, match="instruction_id"):
        answered(open_, CoreAnswer("drw_2", CoreStatus.CONFIRMED, core_ref="C-2"), AT)


def test_the_worst_finding_wins_and_a_failed_source_refers() -> None:
    assert verdict([], []) == (PROCEED, ())
    found = [{"action": "refer", "code": "LIST_GREY"}, {"action": "refuse", "code": "BLACKLIST"}]
    assert verdict(found, []) == (REFUSE, ("BLACKLIST", "LIST_GREY"))
    assert verdict([], ["features"]) == (REFER, ("DATA_UNAVAILABLE_FEATURES",))
    assert verdict([{"action": "approve!", "code": "X"}], [])[0] == REFER  # a mistyped action never pays


def test_the_context_says_what_is_new_since_the_decision() -> None:
    then = {"features": {"values": {"risk_open_enforcements": 1}}, "graph": {"gang_member": True}}
    now = {
        "features": {"risk_open_enforcements": 3, "risk_dishonest_listed": 0},
        "graph": {"gang_member": True},
        "profile": {"status": "active"},
        "lists": {"black": False, "grey": False},
        "alerts": ["attention"],
    }
    ctx = context(then, now, {"amount_cents": 1})
    assert ctx["risk"]["new_enforcements"] == 2
    assert ctx["graph"]["gang_new"] is False  # a member then: the decision already saw it
    assert ctx["alerts"] == {"warning": 0, "attention": 1, "notice": 0}


def test_a_listing_is_bounded_and_names_the_field() -> None:
    clock = SteppingClock(dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    desk = DrawdownDesk(MemoryLendingStore(), None, None, None, clock)  # type: ignore[arg-type]
    assert desk.listing() == []  # reading needs neither a core nor a re-check
    for limit in (0, MAX_LISTED + 1):
        with pytest.raises(ValidationError, match=f"limit: {limit}: must be between 1 and {MAX_LISTED}"):
            desk.listing(limit=limit)
