"""LendingStore conformance: the in-memory fake and the SQL adapter (SQLite, PostgreSQL) keep offers, drawdowns and
booked loans alike; every update is a compare-and-set, every write all or nothing with its audit row (and, for a
booked loan, its schedule and outbox message), so two drawdowns never both reserve the last of a limit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.disbursal import CoreAnswer, CoreStatus
from riskloop.domain.drawdown import BookedLoan, Drawdown, DrawdownStatus, answered, drawdown_id
from riskloop.domain.offer import CONTRACT_VERSION, Offer, OfferStatus, accept, reserve, settle
from riskloop.domain.outbox import OutboxMessage
from riskloop.domain.repayment_schedule import EQUAL_INSTALMENT, schedule
from riskloop.errors import ConflictError
from riskloop.storage.audit import audit_trail
from riskloop.storage.decision_models import audit_log, outbox
from riskloop.storage.lending import SQLLendingStore
from riskloop.storage.lending_models import booked_instalments, booked_loans, drawdowns, offers
from riskloop.storage.outbox import SQLOutbox
from riskloop.testing.memory_lending import MemoryLendingStore

AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
AMOUNT = 100_000  # cents of each drawdown
LOAN_BOOKED = "lending.loan_booked"
TABLES = (booked_instalments, booked_loans, drawdowns, offers, audit_log, outbox)  # emptied before each test


@dataclass
class LendingBackend:
    store: Any  # a LendingStore
    trail: Callable[[str], list[tuple[str, str, dict[str, Any]]]]  # actor, action, detail of an entity, oldest first
    outbox: Any  # the OutboxStore its messages go to


@pytest.fixture
def lending(module_port_engine: sa.Engine | None) -> LendingBackend:
    """A LendingStore on each backend, its tables (and the audit log and outbox) empty."""
    if module_port_engine is None:
        fake = MemoryLendingStore()
        return LendingBackend(
            fake,
            lambda entity_id: [(e.actor, e.action, dict(e.detail)) for e in fake.audit if e.entity_id == entity_id],
            fake.outbox,
        )
    engine = module_port_engine
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(table.delete())
    return LendingBackend(
        SQLLendingStore(engine),
        lambda entity_id: [(r["actor"], r["action"], r["detail"]) for r in audit_trail(engine, entity_id)],
        SQLOutbox(engine),
    )


def an_offer(n: int = 1, **changes: Any) -> Offer:
    offer = Offer(
        offer_id=f"ofr_{n}", decision_id=f"dec_{n}", application_id=f"app_{n}", channel="bank-app",
        credit_code="91310000MA1K4XX21B", product_code="biz-revolving", limit_cents=1_000_000, rate_bp=600,
        term_months=12, repayment=EQUAL_INSTALMENT, offered_at=AT, expires_at=AT + dt.timedelta(days=30),
        contract_version=CONTRACT_VERSION, contract_sha256="c" * 64,
    )  # fmt: skip
    return dataclasses.replace(offer, **changes)


def accepted(n: int = 1, **changes: Any) -> Offer:
    return an_offer(n, **{"status": OfferStatus.ACCEPTED, "accepted_at": AT, "step_up_id": f"stp_{n}", **changes})


def a_drawdown(n: int, offer_id: str = "ofr_1", **changes: Any) -> Drawdown:
    key = f"key-{n}"
    drawdown = Drawdown(drawdown_id("bank-app", key), offer_id, "bank-app", key, "r" * 64, AMOUNT, 12,
                        EQUAL_INSTALMENT, DrawdownStatus.INSTRUCTED, AT, AT)  # fmt: skip
    return dataclasses.replace(drawdown, **changes)


def entry(action: str, entity_id: str, at: dt.datetime = AT, **detail: Any) -> AuditEntry:
    return AuditEntry(at, "bank-app", action, action.split(".", maxsplit=1)[0], entity_id, detail)


def instruct(store: Any, drawdown: Drawdown) -> Drawdown:
    """Store ``drawdown`` with its amount reserved on its offer (read now)."""
    held = reserve(store.offer(drawdown.offer_id), drawdown.amount_cents)
    store.add_drawdown(drawdown, held, entry("drawdown.instructed", drawdown.drawdown_id))
    return drawdown


def confirmed(store: Any, before: Drawdown, at: dt.datetime = AT) -> tuple[Drawdown, Offer, BookedLoan, OutboxMessage]:
    """What the core's confirmation of ``before`` writes: the drawdown disbursed, the offer drawn, the loan."""
    offer = store.offer(before.offer_id)
    after = answered(before, CoreAnswer(before.drawdown_id, CoreStatus.CONFIRMED, f"CORE-{before.idempotency_key}"), at)
    assert after.loan_id is not None
    assert after.core_ref is not None
    plan = schedule(after.amount_cents, offer.rate_bp, after.term_months, at.date(), after.repayment)
    booked = BookedLoan(
        loan_id=after.loan_id, drawdown_id=after.drawdown_id, offer_id=offer.offer_id,
        application_id=offer.application_id, credit_code=offer.credit_code, principal_cents=after.amount_cents,
        rate_bp=offer.rate_bp, term_months=after.term_months, repayment=after.repayment, disbursed_at=at,
        core_ref=after.core_ref, schedule=plan,
    )  # fmt: skip
    message = OutboxMessage(LOAN_BOOKED, booked.loan_id, {"loan_id": booked.loan_id, "principal_cents": AMOUNT}, at)
    return after, settle(offer, before.amount_cents, paid=True), booked, message


def book(store: Any, before: Drawdown, at: dt.datetime = AT) -> tuple[Drawdown, BookedLoan]:
    after, offer, booked, message = confirmed(store, before, at)
    store.settle(after, offer, booked, entry("drawdown.disbursed", after.drawdown_id, at), message)
    return after, booked


def messages(backend: LendingBackend) -> list[tuple[str, str, dict[str, Any]]]:
    return [(e.topic, e.key, dict(e.payload)) for e in backend.outbox.events(state=None, limit=100)[::-1]]


def actions(backend: LendingBackend, entity_id: str) -> list[str]:
    return [action for _, action, _ in backend.trail(entity_id)]


def test_an_offer_round_trips_every_field_with_its_time_zone(lending: LendingBackend) -> None:
    offer = accepted(1, accepted_at=AT + dt.timedelta(hours=1), reserved_cents=200_000, drawn_cents=300_000,
                     row_version=4)  # fmt: skip
    plain = an_offer(2)
    lending.store.add_offer(offer, entry("offer.made", "ofr_1", limit_cents=1_000_000))
    lending.store.add_offer(plain, entry("offer.made", "ofr_2"))
    for stored, made in ((lending.store.offer("ofr_1"), offer), (lending.store.offer("ofr_2"), plain)):
        assert stored == made
        times = (stored.offered_at, stored.expires_at, stored.accepted_at)
        assert all(t is None or t.tzinfo is not None for t in times)
    assert lending.store.offer("ofr_1").accepted_at.utcoffset() == dt.timedelta(0)
    assert lending.store.offer("ofr_3") is None
    assert lending.trail("ofr_1") == [("bank-app", "offer.made", {"limit_cents": 1_000_000})]


def test_a_second_offer_of_an_id_or_a_decision_is_refused_and_writes_nothing(lending: LendingBackend) -> None:
    lending.store.add_offer(an_offer(1), entry("offer.made", "ofr_1"))
    for again in (an_offer(1, decision_id="dec_9", limit_cents=5), an_offer(2, decision_id="dec_1")):
        with pytest.raises(ConflictError) as refused:
            lending.store.add_offer(again, entry("offer.made", again.offer_id))
        assert refused.value.field == "offer_id"
    assert lending.store.offer("ofr_1") == an_offer(1)
    assert lending.store.offer("ofr_2") is None
    assert actions(lending, "ofr_1") == ["offer.made"]
    assert lending.trail("ofr_2") == []


def test_save_offer_is_a_compare_and_set_and_a_stale_one_changes_nothing(lending: LendingBackend) -> None:
    read = an_offer(1)
    lending.store.add_offer(read, entry("offer.made", "ofr_1"))
    first = accept(read, "c" * 64, "stp_1", AT + dt.timedelta(hours=1))
    lending.store.save_offer(first, entry("offer.accepted", "ofr_1"))
    assert lending.store.offer("ofr_1") == first
    stale = accept(read, "c" * 64, "stp_2", AT + dt.timedelta(hours=2))  # made from the read before the first save
    with pytest.raises(ConflictError) as refused:
        lending.store.save_offer(stale, entry("offer.accepted", "ofr_1"))
    assert refused.value.field == "offer_id"
    with pytest.raises(ConflictError):
        lending.store.save_offer(accept(an_offer(2), "c" * 64, "stp_3", AT), entry("offer.accepted", "ofr_2"))
    assert lending.store.offer("ofr_1") == first
    assert lending.store.offer("ofr_2") is None
    assert actions(lending, "ofr_1") == ["offer.made", "offer.accepted"]


def test_a_drawdown_reserves_its_offer_atomically_and_a_stale_offer_inserts_nothing(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1), entry("offer.made", "ofr_1"))
    read = lending.store.offer("ofr_1")
    first = a_drawdown(1, reasons=("RC_RECHECK_OK",), recheck={"score": 0.42, "alerts": [], "行业": "制造业"})
    lending.store.add_drawdown(first, reserve(read, AMOUNT), entry("drawdown.instructed", first.drawdown_id))
    assert lending.store.drawdown(first.drawdown_id) == first
    assert lending.store.offer("ofr_1") == dataclasses.replace(read, reserved_cents=AMOUNT, row_version=1)
    second = a_drawdown(2)
    with pytest.raises(ConflictError) as refused:
        lending.store.add_drawdown(second, reserve(read, AMOUNT), entry("drawdown.instructed", second.drawdown_id))
    assert refused.value.field == "offer_id"
    assert lending.store.drawdown(second.drawdown_id) is None
    assert lending.store.offer("ofr_1").reserved_cents == AMOUNT
    assert lending.store.drawdowns(offer_id="ofr_1") == [first]
    assert lending.trail(second.drawdown_id) == []


def test_a_drawdown_of_a_stored_id_or_key_is_refused_and_its_reservation_undone(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1), entry("offer.made", "ofr_1"))
    first = instruct(lending.store, a_drawdown(1))
    read = lending.store.offer("ofr_1")
    with pytest.raises(ConflictError) as refused:  # the offer's CAS succeeds, the insert fails: both roll back
        lending.store.add_drawdown(first, reserve(read, AMOUNT), entry("drawdown.instructed", first.drawdown_id))
    assert refused.value.field == "Idempotency-Key"
    assert lending.store.offer("ofr_1") == read
    twin = dataclasses.replace(first, drawdown_id="drw_twin", amount_cents=5)  # same channel and Idempotency-Key
    with pytest.raises(ConflictError) as refused:
        lending.store.add_drawdown(twin, None, entry("drawdown.refused", "drw_twin"))
    assert refused.value.field == "Idempotency-Key"
    assert lending.store.drawdown("drw_twin") is None
    assert lending.store.drawdowns() == [first]
    assert actions(lending, first.drawdown_id) == ["drawdown.instructed"]
    assert lending.trail("drw_twin") == []


def test_settle_books_the_loan_with_its_schedule_one_audit_row_and_one_message(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1), entry("offer.made", "ofr_1"))
    before = instruct(lending.store, a_drawdown(1))
    after, booked = book(lending.store, before, AT + dt.timedelta(hours=1))
    loan = lending.store.loan(booked.loan_id)
    assert loan == booked
    assert loan.disbursed_at.tzinfo is not None
    assert [i.number for i in loan.schedule] == list(range(1, 13))
    assert [i.due_date for i in loan.schedule] == sorted(i.due_date for i in loan.schedule)
    assert sum(i.principal_cents for i in loan.schedule) == AMOUNT == loan.principal_cents
    assert lending.store.drawdown(before.drawdown_id) == after
    assert after.status is DrawdownStatus.DISBURSED
    assert after.loan_id == booked.loan_id
    offer = lending.store.offer("ofr_1")
    assert (offer.reserved_cents, offer.drawn_cents, offer.row_version) == (0, AMOUNT, 2)
    assert actions(lending, before.drawdown_id) == ["drawdown.instructed", "drawdown.disbursed"]
    assert messages(lending) == [(LOAN_BOOKED, booked.loan_id, {"loan_id": booked.loan_id, "principal_cents": AMOUNT})]
    assert lending.store.loan("ln_none") is None


def test_a_second_settle_of_a_drawdown_is_refused_and_books_nothing_more(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1), entry("offer.made", "ofr_1"))
    before = instruct(lending.store, a_drawdown(1))
    replay = confirmed(lending.store, before)  # a second confirmation, read before the first was written
    after, booked = book(lending.store, before)
    offer = lending.store.offer("ofr_1")
    with pytest.raises(ConflictError) as refused:
        lending.store.settle(replay[0], replay[1], replay[2], entry("drawdown.disbursed", before.drawdown_id),
                             replay[3])  # fmt: skip
    assert refused.value.field == "drawdown_id"
    # current versions of both rows, but a second loan of the drawdown: the loan insert fails, nothing is written
    again = dataclasses.replace(after, core_ref="CORE-again", row_version=after.row_version + 1)
    other = dataclasses.replace(booked, loan_id="ln_other")
    with pytest.raises(ConflictError) as refused:
        lending.store.settle(again, dataclasses.replace(offer, row_version=offer.row_version + 1), other,
                             entry("drawdown.disbursed", before.drawdown_id),
                             OutboxMessage(LOAN_BOOKED, "ln_other", {}, AT))  # fmt: skip
    assert refused.value.field == "drawdown_id"
    assert lending.store.drawdown(before.drawdown_id) == after
    assert lending.store.offer("ofr_1") == offer
    assert lending.store.loan("ln_other") is None
    assert lending.store.unpublished_loans(10) == [booked]
    assert actions(lending, before.drawdown_id) == ["drawdown.instructed", "drawdown.disbursed"]
    assert [key for _, key, _ in messages(lending)] == [booked.loan_id]


def test_a_settle_with_a_stale_offer_changes_nothing(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1), entry("offer.made", "ofr_1"))
    first = instruct(lending.store, a_drawdown(1))
    after, stale_offer, booked, message = confirmed(lending.store, first)
    instruct(lending.store, a_drawdown(2))  # the offer moves on between the read and the write
    with pytest.raises(ConflictError) as refused:
        lending.store.settle(after, stale_offer, booked, entry("drawdown.disbursed", first.drawdown_id), message)
    assert refused.value.field == "offer_id"
    assert lending.store.drawdown(first.drawdown_id) == first
    assert lending.store.loan(booked.loan_id) is None
    assert lending.store.offer("ofr_1").reserved_cents == 2 * AMOUNT
    assert actions(lending, first.drawdown_id) == ["drawdown.instructed"]
    assert messages(lending) == []


def test_unpublished_loans_are_listed_oldest_first_until_marked_published(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1), entry("offer.made", "ofr_1"))
    first, second, third = (instruct(lending.store, a_drawdown(n)) for n in (1, 2, 3))
    _, late = book(lending.store, first, AT + dt.timedelta(hours=3))
    _, early = book(lending.store, second, AT + dt.timedelta(hours=1))
    _, middle = book(lending.store, third, AT + dt.timedelta(hours=2))
    assert lending.store.unpublished_loans(10) == [early, middle, late]
    assert lending.store.unpublished_loans(2) == [early, middle]
    lending.store.mark_published([early.loan_id, late.loan_id], "run-1", AT + dt.timedelta(days=1))
    lending.store.mark_published([], "run-2", AT + dt.timedelta(days=1))
    assert lending.store.unpublished_loans(10) == [middle]
    assert lending.store.loan(early.loan_id) == early  # still readable once exported


def test_drawdowns_filter_by_offer_and_status_newest_first(lending: LendingBackend) -> None:
    for n in (1, 2):
        lending.store.add_offer(accepted(n), entry("offer.made", f"ofr_{n}"))
    minute = dt.timedelta(minutes=1)
    made = {
        "a": a_drawdown(1, requested_at=AT),
        "b": a_drawdown(2, status=DrawdownStatus.REFUSED, reasons=("RC_OVER_LIMIT",), requested_at=AT + minute),
        "c": a_drawdown(3, status=DrawdownStatus.UNCONFIRMED, requested_at=AT + minute),
        "d": a_drawdown(4, "ofr_2", requested_at=AT + 2 * minute),
        "e": a_drawdown(5, status=DrawdownStatus.FAILED, requested_at=AT - minute),
    }
    for drawdown in made.values():
        lending.store.add_drawdown(drawdown, None, entry("drawdown.stored", drawdown.drawdown_id))
    tied = sorted([made["b"], made["c"]], key=lambda d: d.drawdown_id)  # same time: by id
    assert lending.store.drawdowns() == [made["d"], *tied, made["a"], made["e"]]
    assert lending.store.drawdowns(offer_id="ofr_1") == [*tied, made["a"], made["e"]]
    assert lending.store.drawdowns(statuses=["instructed", "unconfirmed"]) == [made["d"], made["c"], made["a"]]
    assert lending.store.drawdowns(offer_id="ofr_1", statuses=[DrawdownStatus.INSTRUCTED]) == [made["a"]]
    assert lending.store.drawdowns(limit=2) == [made["d"], tied[0]]
    assert lending.store.drawdowns(offer_id="ofr_9") == []


def test_concurrent_drawdowns_reserve_exactly_the_limit_and_never_more(lending: LendingBackend) -> None:
    lending.store.add_offer(accepted(1, limit_cents=10 * AMOUNT), entry("offer.made", "ofr_1"))
    start, seen = threading.Barrier(30), []

    def draw(n: int) -> bool:
        drawdown = a_drawdown(n)
        start.wait()
        for _ in range(200):
            offer = lending.store.offer("ofr_1")
            seen.append(offer.reserved_cents + offer.drawn_cents)
            try:
                held = reserve(offer, AMOUNT)
            except ConflictError:
                return False  # over what remains: refused
            time.sleep(0.001)  # hold the read a moment: the threads do interleave, even on the in-memory fake
            try:
                lending.store.add_drawdown(drawdown, held, entry("drawdown.instructed", drawdown.drawdown_id))
                return True
            except ConflictError as exc:
                if exc.field != "offer_id":  # only "another drawdown reserved first" is retried
                    raise
        raise AssertionError(f"drawdown {n} kept conflicting")

    with ThreadPoolExecutor(30) as pool:
        drawn = list(pool.map(draw, range(30)))
    assert drawn.count(True) == 10
    stored = lending.store.drawdowns(limit=100)
    assert len(stored) == 10 == len(lending.store.drawdowns(offer_id="ofr_1", statuses=["instructed"]))
    offer = lending.store.offer("ofr_1")
    assert (offer.reserved_cents, offer.row_version) == (10 * AMOUNT, 10)
    assert max(seen) <= offer.limit_cents
    assert sum(len(actions(lending, d.drawdown_id)) for d in stored) == 10
