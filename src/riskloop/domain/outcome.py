"""A loan's outcome as of a day (issue 14): months on book, days past due, first 90+ day, bad at 3/6/12 months.

The one definition of "bad" (ADR 0021): an instalment still not covered by the payments received within
``BAD_DPD`` days of its due date makes its loan bad on ``due + BAD_DPD`` (its *first bad day* is the earliest
such day). ``monitoring.behaviour.first_bad_sql`` is the same rule in SQL for whole books.

Point in time: ``loan_outcome`` reads nothing dated after its day (instalments due later, payments received
later). A horizon of ``h`` months on book is *matured* when ``add_months(disbursed, h) <= as_of``; its ``bad``
is then whether the first bad day is on or before that day, and ``None`` while immature (never False).
Because a first bad day depends only on payments received by then, the view of a stored outcome as of any
earlier day is exact (``horizon_view``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BAD_DPD = 90  # days past due that make a loan bad (the Basel default definition)
HORIZONS = (3, 6, 12)  # months on book at which a loan's bad flag is read
LGD = 0.45  # loss given default of unsecured SME credit: expected loss (backtest, effect) and realised loss
CURRENT, DELINQUENT, DEFAULTED, REPAID = "current", "delinquent", "defaulted", "repaid"
_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, on the month's last day when ``day`` is past it.

    Examples
    --------
    >>> add_months(dt.date(2025, 8, 31), 6), add_months(dt.date(2025, 1, 15), 1)
    (datetime.date(2026, 2, 28), datetime.date(2025, 2, 15))

    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - _DAY).day
    return dt.date(year, month, min(day.day, last))


def months_on_book(disbursed: dt.date, as_of: dt.date) -> int:
    """Whole months from ``disbursed`` to ``as_of`` (0 in the first month).

    Examples
    --------
    >>> start = dt.date(2025, 1, 31)
    >>> months_on_book(start, dt.date(2025, 2, 28)), months_on_book(start, dt.date(2025, 2, 27))
    (1, 0)

    """
    months = (as_of.year - disbursed.year) * 12 + as_of.month - disbursed.month
    while months > 0 and add_months(disbursed, months) > as_of:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Loan:
    """What an outcome needs of a loan (``loans`` row) and of its application (the channel)."""

    loan_id: str
    application_id: str
    disbursed_date: dt.date
    term_months: int
    principal_cents: int
    channel: str | None = None


@dataclass(frozen=True)
class Instalment:
    """One ``repayment_schedules`` row: what is due on a day."""

    installment_no: int
    due_date: dt.date
    due_cents: int


@dataclass(frozen=True)
class Payment:
    """One ``repayments`` row: an amount received against an instalment on a day."""

    installment_no: int
    paid_date: dt.date
    amount_cents: int


@dataclass(frozen=True)
class Horizon:
    """The bad flag at ``months`` on book: ``bad`` is None while the window has not fully passed."""

    months: int
    matured: bool
    bad: bool | None


@dataclass(frozen=True)
class LoanOutcome:
    """A loan's performance as of ``as_of``; ``next_review`` is the first later day it can change without new rows."""

    loan_id: str
    application_id: str
    as_of: dt.date
    disbursed_date: dt.date
    term_months: int
    principal_cents: int
    channel: str | None
    months_on_book: int
    status: str  # current, delinquent, defaulted or repaid
    current_dpd: int
    max_dpd: int
    first_bad_day: dt.date | None
    horizons: tuple[Horizon, ...]
    next_review: dt.date

    @property
    def vintage(self) -> str:
        """The disbursal month, ``YYYY-MM``."""
        return self.disbursed_date.strftime("%Y-%m")

    def horizon(self, months: int) -> Horizon:
        """The horizon of ``months`` (one of ``HORIZONS``)."""
        return next(h for h in self.horizons if h.months == months)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields, the horizons flattened to ``bad_<h>m`` and ``matured_<h>m``."""
        out: dict[str, Any] = {
            "loan_id": self.loan_id,
            "application_id": self.application_id,
            "as_of": self.as_of.isoformat(),
            "disbursed_date": self.disbursed_date.isoformat(),
            "vintage": self.vintage,
            "term_months": self.term_months,
            "principal_cents": self.principal_cents,
            "channel": self.channel,
            "months_on_book": self.months_on_book,
            "status": self.status,
            "current_dpd": self.current_dpd,
            "max_dpd": self.max_dpd,
            "first_bad_day": None if self.first_bad_day is None else self.first_bad_day.isoformat(),
        }
        for h in self.horizons:
            out[f"matured_{h.months}m"], out[f"bad_{h.months}m"] = h.matured, h.bad
        return out


def horizon_view(
    disbursed: dt.date, first_bad_day: dt.date | None, as_of: dt.date, horizons: Iterable[int] = HORIZONS
) -> tuple[Horizon, ...]:
    """The horizons of a loan as of ``as_of`` from its first bad day (exact for any day it was known by)."""
    out = []
    for months in horizons:
        end = add_months(disbursed, months)
        matured = end <= as_of
        out.append(Horizon(months, matured, (first_bad_day is not None and first_bad_day <= end) if matured else None))
    return tuple(out)


def _covered_on(instalment: Instalment, payments: Iterable[Payment]) -> dt.date | None:
    """The day the payments received (in date order) first add up to the amount due; None while short."""
    if instalment.due_cents <= 0:
        return instalment.due_date
    total = 0
    for p in sorted(payments, key=lambda p: p.paid_date):
        total += p.amount_cents
        if total >= instalment.due_cents:
            return p.paid_date
    return None


def loan_outcome(
    loan: Loan,
    schedule: Iterable[Instalment],
    payments: Iterable[Payment],
    as_of: dt.date,
    *,
    bad_dpd: int = BAD_DPD,
) -> LoanOutcome | None:
    """The outcome of ``loan`` as of ``as_of`` from its instalments and payments; None when disbursed after it.

    Instalments due after ``as_of`` and payments received after it are not read.
    """
    if loan.disbursed_date > as_of:
        return None
    paid: dict[int, list[Payment]] = {}
    for p in payments:
        if p.paid_date <= as_of:
            paid.setdefault(p.installment_no, []).append(p)
    current = worst = 0
    first_bad: dt.date | None = None
    open_due = False
    for inst in schedule:
        if inst.due_date > as_of:
            continue
        covered = _covered_on(inst, paid.get(inst.installment_no, ()))
        late_until = as_of if covered is None else covered
        late = max((late_until - inst.due_date).days, 0)
        worst = max(worst, late)
        if covered is None:
            open_due = True
            current = max(current, late)
        bad_day = inst.due_date + dt.timedelta(days=bad_dpd)
        if bad_day <= as_of and (covered is None or covered > bad_day):
            first_bad = bad_day if first_bad is None else min(first_bad, bad_day)
    mob = months_on_book(loan.disbursed_date, as_of)
    horizons = horizon_view(loan.disbursed_date, first_bad, as_of)
    ends = add_months(loan.disbursed_date, loan.term_months)
    status = _status(first_bad, current, open_due, ends <= as_of)
    review = [add_months(loan.disbursed_date, mob + 1)]  # months on book moves on
    review += [add_months(loan.disbursed_date, h.months) for h in horizons if not h.matured]
    if ends > as_of:
        review.append(ends)  # may be repaid then
    if open_due:
        review.append(as_of + _DAY)  # days past due grow every day until covered
    return LoanOutcome(
        loan.loan_id,
        loan.application_id,
        as_of,
        loan.disbursed_date,
        loan.term_months,
        loan.principal_cents,
        loan.channel,
        mob,
        status,
        current,
        worst,
        first_bad,
        horizons,
        min(review),
    )


def _status(first_bad: dt.date | None, current_dpd: int, open_due: bool, past_term: bool) -> str:
    if first_bad is not None:
        return DEFAULTED
    if current_dpd > 0:
        return DELINQUENT
    return REPAID if past_term and not open_due else CURRENT


@dataclass(frozen=True)
class DecisionLink:
    """The champion decision of a loan's application: what later steps group outcomes by."""

    decision_id: str
    tier: str
    strategy: str  # name@version
    model: str  # the model version that scored it
    decided_at: dt.datetime


@dataclass(frozen=True)
class DecisionOutcome:
    """A stored outcome: the loan's performance and its decision (None: booked without a stored decision)."""

    outcome: LoanOutcome
    decision: DecisionLink | None

    @property
    def loan_id(self) -> str:
        """The loan's id (the record's key)."""
        return self.outcome.loan_id

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields: the outcome's, then the decision's (nulls when there is none)."""
        d = self.decision
        return self.outcome.to_dict() | {
            "decision_id": None if d is None else d.decision_id,
            "tier": None if d is None else d.tier,
            "strategy": None if d is None else d.strategy,
            "model": None if d is None else d.model,
            "decided_at": None if d is None else d.decided_at.isoformat(),
        }


def link_of(values: Mapping[str, Any]) -> DecisionLink | None:
    """The decision link of a flat record (``to_dict`` or a stored row), or None when it has no decision."""
    if values.get("decision_id") is None:
        return None
    decided = values["decided_at"]
    return DecisionLink(
        str(values["decision_id"]),
        str(values["tier"]),
        str(values["strategy"]),
        str(values["model"]),
        dt.datetime.fromisoformat(decided) if isinstance(decided, str) else decided,
    )


@dataclass(frozen=True)
class LoanRows:
    """A loan with its instalments and payments, as the book held them."""

    loan: Loan
    schedule: tuple[Instalment, ...]
    payments: tuple[Payment, ...]


@dataclass(frozen=True)
class OutcomeRun:
    """One update: the day, the part files of the book it had seen, what it did."""

    as_of: dt.date
    parts: frozenset[str]
    full: bool
    started_at: dt.datetime
    finished_at: dt.datetime
    loans: int  # outcome records after the run
    recomputed: int  # loans whose outcome was computed again
    changed: int  # records written (new or different)
    removed: int = 0  # records of loans disbursed after the day (a full run going back)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the number of part files seen (not their names)."""
        return {
            "as_of": self.as_of.isoformat(),
            "full": self.full,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "loans": self.loans,
            "recomputed": self.recomputed,
            "changed": self.changed,
            "removed": self.removed,
            "parts": len(self.parts),
        }
