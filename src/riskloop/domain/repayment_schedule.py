"""Repayment schedules generated at booking: equal instalments (等额本息), equal principal (等额本金), interest first.

Exact to the cent: interest of a month is the outstanding principal times the monthly rate (annual rate / 12),
rounded half up; the principal parts add up to the principal exactly (the last instalment takes what rounding
left). Instalment ``n`` falls due on the disbursal's day of the month ``n`` months later, or the month's last day
when it has no such day (disbursed on 31 January: due 28/29 February, 31 March ...).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from riskloop.domain import _checks as check
from riskloop.domain.lending import MAX_TERM_MONTHS

EQUAL_INSTALMENT, EQUAL_PRINCIPAL, INTEREST_FIRST = "equal_instalment", "equal_principal", "interest_first"
METHODS = (EQUAL_INSTALMENT, EQUAL_PRINCIPAL, INTEREST_FIRST)
METHOD_NAMES = {EQUAL_INSTALMENT: "等额本息", EQUAL_PRINCIPAL: "等额本金", INTEREST_FIRST: "先息后本"}
_CENT = Decimal(1)


@dataclass(frozen=True)
class Instalment:
    """One instalment of a schedule (a row of ``repayment_schedules``)."""

    number: int
    due_date: dt.date
    principal_cents: int
    interest_cents: int

    @property
    def total_cents(self) -> int:
        """Principal and interest due."""
        return self.principal_cents + self.interest_cents


def due_date(start: dt.date, months: int) -> dt.date:
    """``start`` moved ``months`` months on, clamped to the month's last day.

    >>> due_date(dt.date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule(
    principal_cents: int, rate_bp: int, term_months: int, start: dt.date, method: str
) -> tuple[Instalment, ...]:
    """The schedule of a loan of ``principal_cents`` at annual ``rate_bp`` over ``term_months`` from ``start``.

    ValidationError naming the field for a bad amount, rate, term or method.

    >>> s = schedule(10_000_000, 600, 12, dt.date(2026, 7, 1), EQUAL_INSTALMENT)
    >>> s[0].total_cents, sum(i.principal_cents for i in s)
    (860664, 10000000)
    """
    check.integer("principal_cents", principal_cents, 1)
    check.integer("rate_bp", rate_bp, 0, 10_000)
    check.integer("term_months", term_months, 1, MAX_TERM_MONTHS)
    check.choice("method", method, METHODS)
    check.date("start", start)
    monthly = Decimal(rate_bp) / Decimal(120_000)
    parts = _principal_parts(principal_cents, monthly, term_months, method)
    out, outstanding = [], principal_cents
    for n, part in enumerate(parts, start=1):
        interest = int((Decimal(outstanding) * monthly).quantize(_CENT, ROUND_HALF_UP))
        out.append(Instalment(n, due_date(start, n), part, interest))
        outstanding -= part
    return tuple(out)


def _principal_parts(principal: int, monthly: Decimal, term: int, method: str) -> list[int]:
    if method == INTEREST_FIRST:
        return [0] * (term - 1) + [principal]
    if method == EQUAL_PRINCIPAL or monthly == 0:
        share = principal // term
        return [share] * (term - 1) + [principal - share * (term - 1)]
    growth = (1 + monthly) ** term
    payment = int((Decimal(principal) * monthly * growth / (growth - 1)).quantize(_CENT, ROUND_HALF_UP))
    parts, outstanding = [], principal
    for _ in range(term - 1):
        interest = int((Decimal(outstanding) * monthly).quantize(_CENT, ROUND_HALF_UP))
        part = min(outstanding, max(0, payment - interest))
        parts.append(part)
        outstanding -= part
    return [*parts, outstanding]
