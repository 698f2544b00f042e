"""Guarantees (担保) of the bank's loans: personal guarantees of legal representatives, and firms guaranteeing firms.

Borrowers guarantee each other (互保, chains of guarantees), so a default travels: the enterprise guarantor of
a loan that defaults is often a borrower that defaults later (planted with ``CONTAGION``; the truth marks those
guarantees), and its lender sues the guarantor after the default. Guarantors are firms of the same chunk, so
the contagion is planted without reading other chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.synth import ids
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, vocab_take
from riskloop.synth.calendar import add_months
from riskloop.synth.firms import STATUS_REVOKED, Firms
from riskloop.synth.loans import LoanBook
from riskloop.synth.params import Stream, UniverseParams, rng

PERSON_RATE = (0.7, 0.3)  # share of company / individual-business loans with the legal representative's guarantee
FIRM_RATE = (0.22, 0.05)  # share with an enterprise guarantor
CONTAGION = 0.35  # chance the enterprise guarantor of a defaulting loan is a borrower that defaults later
BORROWER_GUARANTOR = 0.5  # otherwise, chance the guarantor is another borrower (mutual guarantee circles)
MUTUAL = 0.3  # chance a borrowing guarantor's own loan is guaranteed back
_GUARANTEE_YEARS = 3  # the guarantee period runs three years past maturity


@dataclass(frozen=True)
class Guarantees:
    """The chunk's guarantees: the table, which were planted contagion, and each loan's guarantor firm (-1: none)."""

    table: pa.Table
    contagion: Arr
    guarantor_row: Arr  # per loan: firm row of its (first) enterprise guarantor, -1 for none
    sued_row: Arr  # firm rows of guarantors sued after the guaranteed default, with the filing day
    sued_day: Arr


def guarantees(
    params: UniverseParams, chunk: int, firms: Firms, book: LoanBook, *, term: Arr, codes: pa.Array
) -> Guarantees:
    """Draw the guarantees of the chunk's loans (``term`` in months per loan)."""
    g = rng(params, chunk, Stream.GUARANTEES)
    k = len(book.firm)
    company = ~firms.individual[book.firm]
    defaulted = ~np.isnat(book.default_date)
    person = g.random(k) < np.where(company, PERSON_RATE[0], PERSON_RATE[1])
    has_firm = g.random(k) < np.where(company, FIRM_RATE[0], FIRM_RATE[1])
    guarantor = _pick_guarantors(g, firms, book, defaulted)
    contagious = guarantor[1]
    guarantor_row = np.where(has_firm & (guarantor[0] >= 0), guarantor[0], -1)
    contagious &= guarantor_row >= 0
    # mutual guarantees: a borrowing guarantor's own loan is guaranteed back by the borrower
    loan_of_firm = np.full(firms.n, -1, dtype=np.int64)
    loan_of_firm[book.firm] = np.arange(k)
    back_loan = np.where(guarantor_row >= 0, loan_of_firm[np.maximum(guarantor_row, 0)], -1)
    mutual = (back_loan >= 0) & (g.random(k) < MUTUAL)
    loans = np.concatenate([np.flatnonzero(person), np.flatnonzero(guarantor_row >= 0), back_loan[mutual]])
    kind = np.concatenate([np.zeros(int(person.sum()), np.int64), np.ones(len(loans) - int(person.sum()), np.int64)])
    firm_guarantor = np.concatenate(
        [np.full(int(person.sum()), -1), guarantor_row[guarantor_row >= 0], book.firm[np.flatnonzero(mutual)]]
    )
    planted = np.concatenate(
        [np.zeros(int(person.sum()), bool), contagious[guarantor_row >= 0], np.zeros(int(mutual.sum()), bool)]
    )
    order = np.lexsort((kind, loans))
    loans, kind, firm_guarantor, planted = loans[order], kind[order], firm_guarantor[order], planted[order]
    seq = np.arange(len(loans)) - np.searchsorted(loans, loans)
    n = len(loans)
    is_firm = kind == 1
    start = book.disbursed[loans]
    end = add_months(start, term[loans] + 12 * _GUARANTEE_YEARS)
    amount = np.round(book.principal_cents[loans] * g.uniform(1.0, 1.2, n) / 100_000) * 100_000
    person_ids = ids.resident_ids(params.seed, firms.legal_rep[book.firm[loans]])
    table = pa.table(
        {
            "guarantee_id": ascii_strings(
                literal_matrix("GU", n), digit_matrix(firms.index[book.firm[loans]], 10), digit_matrix(seq, 2)
            ),
            "loan_id": ascii_strings(literal_matrix("LN", n), digit_matrix(firms.index[book.firm[loans]], 10)),
            "credit_code": codes.take(pa.array(book.firm[loans])),
            "guarantor_kind": vocab_take(("person", "enterprise"), kind),
            "guarantor_code": codes.take(pa.array(np.maximum(firm_guarantor, 0), mask=~is_firm)),
            "guarantor_person_id": person_ids.take(pa.array(np.arange(n), mask=is_firm)),
            "guarantee_type": vocab_take(("joint", "general"), (g.random(n) < 0.1).astype(np.int64)),
            "amount_cents": amount.astype(np.int64),
            "start_date": start,
            "end_date": end,
        }
    )
    sued = is_firm & defaulted[loans] & (g.random(n) < 0.4)
    sued_day = book.default_date[loans] + g.integers(30, 241, n).astype("timedelta64[D]")
    sued &= sued_day <= params.as_of_day
    return Guarantees(
        table=table,
        contagion=planted,
        guarantor_row=guarantor_row,
        sued_row=firm_guarantor[sued],
        sued_day=sued_day[sued],
    )


def _pick_guarantors(g: np.random.Generator, firms: Firms, book: LoanBook, defaulted: Arr) -> tuple[Arr, Arr]:
    """One candidate guarantor row per loan, and whether it was chosen as a later defaulter (contagion)."""
    k = len(book.firm)
    pool = np.flatnonzero(~firms.individual & (firms.status != STATUS_REVOKED))
    if len(pool) < 2:
        return np.full(k, -1, dtype=np.int64), np.zeros(k, dtype=bool)
    anyone = pool[g.integers(0, len(pool), k)]
    borrower = book.firm[g.integers(0, k, k)]
    pick = np.where(g.random(k) < BORROWER_GUARANTOR, borrower, anyone)
    # contagion: among borrowers defaulting later, the one whose default follows this one's soonest after a draw
    later = np.flatnonzero(defaulted)
    days = book.default_date[later].astype(np.int64)
    order = np.argsort(days, kind="stable")
    later, days = later[order], days[order]
    own = book.default_date.astype("datetime64[D]").astype(np.int64)
    first = np.searchsorted(days, np.where(defaulted, own + 30, np.iinfo(np.int64).max), side="left")
    available = len(later) - first
    offset = (g.random(k) * np.maximum(available, 1)).astype(np.int64)
    chosen = later[np.minimum(first + offset, max(len(later) - 1, 0))] if len(later) else np.zeros(k, np.int64)
    contagious = defaulted & (available > 0) & (g.random(k) < CONTAGION)
    row = np.where(contagious, book.firm[chosen] if len(later) else pick, pick)
    self_pick = row == book.firm
    return np.where(self_pick, -1, row), contagious & ~self_pick
