"""Booked loans handed to the warehouse: the loan book monitoring and outcomes read holds them, once each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskloop.domain.audit import AuditEntry
from riskloop.domain.drawdown import BookedLoan, Drawdown, DrawdownStatus
from riskloop.domain.repayment_schedule import EQUAL_INSTALMENT, INTEREST_FIRST, schedule
from riskloop.io.warehouse import Warehouse
from riskloop.service.book_export import publish_booked
from riskloop.storage.book_parts import WarehouseBookParts
from riskloop.storage.outcomes import WarehouseLoanBook
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_lending import MemoryLendingStore

AT = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)


def _book(store: MemoryLendingStore, n: int, method: str = EQUAL_INSTALMENT) -> None:
    for i in range(n):
        did = f"drw_{i:04d}"
        loan = BookedLoan(f"ln_{i:04d}", did, "ofr_1", f"APP-{i}", "91420100000000001Y", 1_000_000 + i, 600, 12,
                          method, AT, f"CORE-{i}", schedule(1_000_000 + i, 600, 12, AT.date(), method))  # fmt: skip
        drawdown = Drawdown(did, "ofr_1", "web", f"k{i}", "0" * 64, loan.principal_cents, 12, method,
                            DrawdownStatus.INSTRUCTED, AT, AT)  # fmt: skip
        entry = AuditEntry(AT, "t", "x", "drawdown", did)
        store.add_drawdown(drawdown, None, entry)
        booked = Drawdown(**{**drawdown.__dict__, "status": DrawdownStatus.DISBURSED, "loan_id": loan.loan_id,
                             "row_version": 1})  # fmt: skip
        store.settle(booked, None, loan, entry, None)


def test_published_loans_are_in_the_book_outcomes_read_with_their_schedules(tmp_path: Path) -> None:
    store, warehouse = MemoryLendingStore(), Warehouse(tmp_path / "wh")
    _book(store, 5)
    _book_interest_first = BookedLoan("ln_if", "drw_if", "ofr_1", "APP-if", "91420100000000001Y", 500_000, 1200, 6,
                                      INTEREST_FIRST, AT, "CORE-if",
                                      schedule(500_000, 1200, 6, AT.date(), INTEREST_FIRST))  # fmt: skip
    entry = AuditEntry(AT, "t", "x", "drawdown", "drw_if")
    d = Drawdown(
        "drw_if", "ofr_1", "web", "kif", "0" * 64, 500_000, 6, INTEREST_FIRST, DrawdownStatus.INSTRUCTED, AT, AT
    )
    store.add_drawdown(d, None, entry)
    store.settle(Drawdown(**{**d.__dict__, "status": DrawdownStatus.DISBURSED, "row_version": 1}), None,
                 _book_interest_first, entry, None)  # fmt: skip
    result = publish_booked(store, WarehouseBookParts(warehouse), SteppingClock(AT), batch=4)
    assert (result["loans"], result["instalments"]) == (6, 5 * 12 + 6)
    assert len(result["runs"]) == 2
    assert not store.unpublished_loans(10)
    book = {rows.loan.loan_id: rows for rows in WarehouseLoanBook(warehouse).loans(None, dt.date(2027, 12, 31))}
    assert sorted(book) == sorted([f"ln_{i:04d}" for i in range(5)] + ["ln_if"])
    first = book["ln_0000"]
    assert first.loan.principal_cents == 1_000_000
    assert [i.installment_no for i in first.schedule] == list(range(1, 13))
    planned = schedule(1_000_000, 600, 12, AT.date(), EQUAL_INSTALMENT)
    assert [i.due_cents for i in first.schedule] == [x.total_cents for x in planned]
    assert book["ln_if"].schedule[-1].due_cents == 500_000 + 5_000  # interest first: the principal at the end
    assert publish_booked(store, WarehouseBookParts(warehouse), SteppingClock(AT))["loans"] == 0  # nothing twice


def test_a_run_that_stopped_after_writing_is_finished_without_writing_twice(tmp_path: Path) -> None:
    store, warehouse = MemoryLendingStore(), Warehouse(tmp_path / "wh")
    _book(store, 3)
    parts = WarehouseBookParts(warehouse)

    original = store.mark_published

    def crash(*_: object) -> None:
        raise OSError("the process died before recording")

    store.mark_published = crash  # type: ignore[method-assign]
    with pytest.raises(OSError, match="before recording"):
        publish_booked(store, parts, SteppingClock(AT))
    store.mark_published = original  # type: ignore[method-assign]
    again = publish_booked(store, parts, SteppingClock(AT))
    assert again["loans"] == 3
    assert warehouse.row_count("loans") == 3
    assert warehouse.row_count("repayment_schedules") == 36
