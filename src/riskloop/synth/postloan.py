"""The post-loan plan of a chunk: how each borrower's business develops after disbursal.

A loan that defaults deteriorates from its deterioration start: its revenue, invoices and account inflows fall
progressively to a depth reached by the default date and stay low after it. Every borrower, healthy or not,
may also go through a temporary dip (a lost customer, a slow season), so a drop alone is not proof of trouble.
Only months after disbursal change, so data dated before an application (what its features read) is untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.synth.arrays import Arr
from riskloop.synth.firms import Firms
from riskloop.synth.loans import LoanBook
from riskloop.synth.params import Stream, UniverseParams, rng

DEPTH = (0.1, 0.8)  # revenue lost by the default date: some defaults are nearly silent, others collapse
DIP_SHARE = 0.3  # borrowers with a temporary dip after disbursal
DIP_DEPTH = (0.15, 0.5)
DIP_DAYS = (30, 120)
_FAR = np.datetime64("2262-01-01", "D")


@dataclass(frozen=True)
class PostLoan:
    """Per-loan arrays (loan order of the book) describing deterioration and noise after disbursal."""

    firm: Arr  # firm row of each loan
    disbursed: Arr
    defaulted: Arr
    start: Arr  # deterioration start (far future when the loan performs)
    end: Arr  # default date (far future when the loan performs)
    depth: Arr  # share of revenue lost at the default date (0 when the loan performs)
    dip_start: Arr  # temporary dip (start == end: none)
    dip_end: Arr
    dip_depth: Arr
    as_of: np.datetime64

    def stress(self, loan: Arr, day: Arr) -> Arr:
        """Deterioration progress 0..1 of ``loan`` on ``day``: 0 before its start, 1 from its default date."""
        span = np.maximum((self.end[loan] - self.start[loan]).astype(np.int64), 1)
        out: Arr = np.clip((day - self.start[loan]).astype(np.int64) / span, 0.0, 1.0)
        return out

    def dipping(self, loan: Arr, day: Arr) -> Arr:
        """Whether ``loan``'s borrower is in its temporary dip on ``day``."""
        out: Arr = (day >= self.dip_start[loan]) & (day < self.dip_end[loan])
        return out

    def factor(self, loan: Arr, day: Arr) -> Arr:
        """Multiplier of the borrower's business volume on ``day`` (1 before disbursal)."""
        drop = self.depth[loan] * self.stress(loan, day) + self.dip_depth[loan] * self.dipping(loan, day)
        after = day >= self.disbursed[loan]
        out: Arr = np.where(after, np.clip(1.0 - drop, 0.05, 1.0), 1.0)
        return out

    def monthly(self, n_firms: int, months: Arr) -> tuple[Arr, Arr]:
        """Business-volume factor and deterioration progress of every firm and month (mid-month), firms x months."""
        mid = months.astype("datetime64[D]") + np.timedelta64(14, "D")
        loan = np.repeat(np.arange(len(self.firm)), len(months))
        day = np.tile(mid, len(self.firm))
        factor = np.ones((n_firms, len(months)))
        progress = np.zeros((n_firms, len(months)))
        factor[self.firm] = self.factor(loan, day).reshape(len(self.firm), len(months))
        progress[self.firm] = (self.stress(loan, day) * (day >= self.disbursed[loan])).reshape(
            len(self.firm), len(months)
        )
        return factor, progress


def post_loan_plan(params: UniverseParams, chunk: int, firms: Firms, book: LoanBook) -> PostLoan:
    """Draw the chunk's post-loan plan from its own stream (the loan book's draws are not touched)."""
    g = rng(params, chunk, Stream.POSTLOAN)
    k = len(book.firm)
    defaulted = ~np.isnat(book.default_date)
    start = np.where(defaulted, book.deterioration_start, _FAR)
    end = np.where(defaulted, book.default_date, _FAR)
    depth = np.where(defaulted, g.uniform(*DEPTH, k), 0.0)
    life = np.maximum((params.as_of_day - book.disbursed).astype(np.int64), 1)
    has_dip = g.random(k) < DIP_SHARE
    dip_start = book.disbursed + (g.random(k) * life).astype("timedelta64[D]")
    dip_end = np.where(
        has_dip, dip_start + g.integers(DIP_DAYS[0], DIP_DAYS[1] + 1, k).astype("timedelta64[D]"), dip_start
    )
    return PostLoan(
        firm=book.firm,
        disbursed=book.disbursed,
        defaulted=defaulted,
        start=start,
        end=end,
        depth=depth,
        dip_start=dip_start,
        dip_end=dip_end,
        dip_depth=np.where(has_dip, g.uniform(*DIP_DEPTH, k), 0.0),
        as_of=params.as_of_day,
    )
