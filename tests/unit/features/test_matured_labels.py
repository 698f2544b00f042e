"""Matured labels: bad by h months on book, judged only once the loan has had them (hand-built book)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from riskloop.errors import ValidationError
from riskloop.features.labels import matured_outcomes
from riskloop.io.warehouse import Warehouse

D = dt.date
DUE = 1000  # principal + interest of every instalment


def _book(root: Path) -> None:
    """Four 6-month loans disbursed on the last day of January 2025, and one in May."""
    loans = {
        "L-paid": D(2025, 1, 31),  # pays every instalment on its due date
        "L-late": D(2025, 1, 31),  # instalment 2 paid 100 days late: bad (90+ days unpaid) in month 4
        "L-cured": D(2025, 1, 31),  # instalment 2 paid 80 days late: never 90 days past due
        "L-lastbad": D(2025, 1, 31),  # instalment 6 never paid: its 90th day falls after 6 months on book
        "L-young": D(2025, 5, 31),  # its 6 months have not passed on the observation day
    }
    warehouse = Warehouse(root)
    warehouse.append("loans", pa.Table.from_pylist([
        {"loan_id": k, "application_id": "A-" + k, "credit_code": "C", "disbursed_date": v, "principal_cents": 6000,
         "term_months": 6, "rate_bp": 800} for k, v in loans.items()]))  # fmt: skip
    schedule, payments = [], []
    for loan, start in loans.items():
        for n in range(1, 7):
            due = (dt.datetime(start.year, start.month, 1) + dt.timedelta(days=32 * n)).date().replace(day=28)
            schedule.append({"loan_id": loan, "installment_no": n, "due_date": due, "principal_due_cents": 900,
                             "interest_due_cents": 100})  # fmt: skip
            late = {("L-late", 2): 100, ("L-cured", 2): 80}.get((loan, n), 0)
            if (loan, n) != ("L-lastbad", 6):
                paid = due + dt.timedelta(days=late)
                payments.append({"repayment_id": f"{loan}-{n}", "loan_id": loan, "installment_no": n,
                                 "paid_date": paid, "amount_cents": DUE, "days_past_due": late})  # fmt: skip
    warehouse.append("repayment_schedules", pa.Table.from_pylist(schedule))
    warehouse.append("repayments", pa.Table.from_pylist(payments))


def test_bad_by_six_months_on_book_only_for_loans_that_had_them(tmp_path: Path) -> None:
    _book(tmp_path)
    got = {r["loan_id"]: r["bad"] for r in matured_outcomes(tmp_path, D(2025, 9, 30), 6).to_pylist()}
    # L-late paid on day 100, after its 90th day: bad all the same (cured later, bad within the window).
    # L-young (disbursed 31 May) has not had 6 months by 30 September: left out, not counted good
    assert got == {"L-paid": 0, "L-late": 1, "L-cured": 0, "L-lastbad": 0}
    # the same book judged over 12 months: too young on that day, every loan left out
    assert matured_outcomes(tmp_path, D(2025, 9, 30), 12).num_rows == 0
    # a year later L-lastbad's unpaid last instalment counts within 12 months on book
    later = {r["loan_id"]: r["bad"] for r in matured_outcomes(tmp_path, D(2026, 6, 1), 12).to_pylist()}
    assert later == {"L-paid": 0, "L-late": 1, "L-cured": 0, "L-lastbad": 1, "L-young": 0}


def test_a_horizon_below_one_month_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="label_months"):
        matured_outcomes(tmp_path, D(2025, 9, 30), 0)
