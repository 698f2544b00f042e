"""Overdue cases from the loan book: instalments still unpaid when the weekly batch run picks them up.

The bank's collection system runs weekly (Mondays): an instalment not paid in full by its due date is opened as a
case on the first Monday after it, if it is still not paid in full then, so the amounts and dates agree with
``repayment_schedules`` and ``repayments``. A loan opens a new case only ``CASE_SPACING_DAYS`` after its previous
one (by then that case's rounds are over) and none after an instalment it never pays (the loan is in default and
its first case covers it). A case opens only if a whole contact round fits before as-of (its outcome is known).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, segment_ids

_MONDAY = np.datetime64("1970-01-05", "D")  # a Monday: the weekday of any day is its distance from it mod 7
MIN_ROUND_DAYS = 10  # a case opens only if at least one full contact round ends by as-of
CASE_SPACING_DAYS = 90  # longer than any case's rounds (8 rounds of at most 10 days)


@dataclass(frozen=True)
class Payments:
    """Repayments received, as arrays: loan position, instalment number, day and amount of each."""

    loan: Arr
    installment: Arr
    day: Arr  # datetime64[D]
    cents: Arr


@dataclass(frozen=True)
class Cases:
    """Arrays of the chunk's collection cases, in loan order."""

    loan: Arr  # loan position in the book
    installment: Arr  # the overdue instalment's number
    due: Arr  # its due date, datetime64[D]
    opened: Arr  # datetime64[D]
    overdue_cents: Arr
    outstanding_cents: Arr
    number: Arr  # enterprise index * 1000 + instalment: the digits of the case's and its rounds' ids
    case_id: pa.Array

    @property
    def n(self) -> int:
        """Number of cases."""
        return len(self.loan)

    @property
    def dpd_at_open(self) -> Arr:
        """Days past due on the opening day."""
        out: Arr = (self.opened - self.due).astype(np.int64)
        return out


def next_monday_after(day: Arr) -> Arr:
    """The first Monday strictly after each day."""
    weekday = (day - _MONDAY).astype(np.int64) % 7
    out: Arr = day + (7 - weekday).astype("timedelta64[D]")
    return out


def overdue_cases(schedule: pa.Table, paid: Payments, *, term: Arr, firm_index: Arr, as_of: np.datetime64) -> Cases:
    """Find each loan's first instalment unpaid on its case-opening day.

    Parameters
    ----------
    schedule : pyarrow.Table
        The chunk's ``repayment_schedules`` (loan order, instalments in order, ``term`` rows per loan).
    paid : Payments
        The chunk's repayments as arrays (loan position, instalment, day, amount).
    term : numpy.ndarray
        Instalments per loan, in loan order.
    firm_index : numpy.ndarray
        Global enterprise index of each loan's borrower (the case id is derived from it).
    as_of : numpy.datetime64
        The universe's as-of day.

    Returns
    -------
    Cases
        One case per loan with an overdue instalment, opened at least ``MIN_ROUND_DAYS`` before as-of.

    """
    loan = segment_ids(term)
    starts = np.cumsum(term) - term
    due = schedule["due_date"].to_numpy().astype("datetime64[D]")
    owed = schedule["principal_due_cents"].to_numpy() + schedule["interest_due_cents"].to_numpy()
    opened = next_monday_after(due)
    row = starts[paid.loan] + paid.installment - 1
    counted = paid.day <= opened[row]
    paid_by_open = np.bincount(row[counted], weights=paid.cents[counted], minlength=len(due))
    overdue = (paid_by_open < owed) & (opened + np.timedelta64(MIN_ROUND_DAYS, "D") <= as_of)
    never_paid = np.bincount(row, weights=paid.cents, minlength=len(due)) < owed
    first = _episodes(np.flatnonzero(overdue), loan, opened, never_paid)
    principal_due = schedule["principal_due_cents"].to_numpy()
    remaining_principal = np.cumsum(principal_due[::-1])[::-1]  # from each row to the end of the whole table ...
    loan_end = starts + term  # ... minus what follows the loan's last row
    after_loan = np.append(remaining_principal, 0)[loan_end[loan[first]]]
    outstanding = remaining_principal[first] - after_loan + schedule["interest_due_cents"].to_numpy()[first]
    k = len(first)
    installment = (first - starts[loan[first]] + 1).astype(np.int64)
    return Cases(
        loan=loan[first],
        installment=installment,
        due=due[first],
        opened=opened[first],
        overdue_cents=(owed - paid_by_open)[first].astype(np.int64),
        outstanding_cents=outstanding.astype(np.int64),
        number=firm_index[loan[first]] * 1000 + (first - starts[loan[first]] + 1),
        case_id=ascii_strings(
            literal_matrix("CS", k),
            digit_matrix(firm_index[loan[first]], 10),
            digit_matrix(first - starts[loan[first]] + 1, 3),
        ),
    )


def _episodes(rows: Arr, loan: Arr, opened: Arr, never_paid: Arr) -> Arr:
    """The overdue schedule rows that open a case: spaced per loan, none after a never-paid one."""
    keep: list[int] = []
    last_loan, last_open, closed = -1, np.datetime64("1970-01-01", "D"), False
    spacing = np.timedelta64(CASE_SPACING_DAYS, "D")
    for r in rows.tolist():  # schedule rows are in loan order, instalments in time order
        if loan[r] != last_loan:
            last_loan, closed = int(loan[r]), False
        elif closed or opened[r] < last_open + spacing:
            continue
        keep.append(r)
        last_open, closed = opened[r], bool(never_paid[r])
    return np.array(keep, dtype=np.int64)
