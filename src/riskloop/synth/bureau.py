"""Credit-bureau (PBOC 征信) data of borrowers: monthly report summaries and other institutions' inquiries.

Multi-lender borrowing (多头借贷): a borrower's other lenders, balances and inquiries drift at base rates; a
deteriorating one borrows from more lenders (microlenders and consumer-finance companies first), is inquired
about more, and falls overdue at other institutions around its default. The bank pulls a report at disbursal
and monthly after it; inquiries are dated from six months before disbursal.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.domain.tables import INSTITUTION_TYPES
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, vocab_take
from riskloop.synth.calendar import REVENUE_MONTHS
from riskloop.synth.firms import Firms
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.postloan import PostLoan

REPORT_MONTHS = 20  # reports at disbursal and on the 5th of each later month (loans are at most 18 months old)
INQUIRY_MONTHS = 26
# inquiries a month by institution type: base rate, added at full deterioration
INQUIRY_BASE = np.array([0.12, 0.04, 0.03, 0.03, 0.015, 0.02])
INQUIRY_STRESS = np.array([0.2, 0.35, 0.2, 0.15, 0.05, 0.08])
NEW_LENDER_BASE, NEW_LENDER_STRESS = 0.03, 0.22  # monthly chance of one more lender
_REASON_OF_TYPE = np.array([0, 0, 0, 1, 0, 0])  # guarantee companies inquire to review a guarantee


def bureau_tables(
    params: UniverseParams, chunk: int, firms: Firms, plan: PostLoan, codes: pa.Array
) -> dict[str, pa.Table]:
    """Build ``credit_reports`` and ``credit_inquiries`` of the chunk's borrowers."""
    g = rng(params, chunk, Stream.BUREAU)
    return {
        "credit_reports": _reports(params, g, firms, plan, codes),
        "credit_inquiries": _inquiries(params, g, firms, plan, codes),
    }


def _reports(params: UniverseParams, g: np.random.Generator, firms: Firms, plan: PostLoan, codes: pa.Array) -> pa.Table:
    k = len(plan.firm)
    as_of = params.as_of_day
    first_month = plan.disbursed.astype("datetime64[M]")
    step = np.arange(REPORT_MONTHS)
    day = (first_month[:, None] + step[None, :]).astype("datetime64[D]") + np.timedelta64(4, "D")
    day[:, 0] = plan.disbursed
    valid = (day <= as_of) & ((step[None, :] == 0) | (day > plan.disbursed[:, None]))
    loan = np.repeat(np.arange(k), REPORT_MONTHS)
    flat = day.ravel()
    stress = plan.stress(loan, flat).reshape(k, REPORT_MONTHS)
    defaulted = (flat >= plan.end[loan]).reshape(k, REPORT_MONTHS)
    zb = firms.views["bureau"][plan.firm]
    base = g.poisson(np.clip(1.3 * np.exp(-0.35 * zb), 0.1, 8.0))
    more = g.random((k, REPORT_MONTHS)) < NEW_LENDER_BASE + NEW_LENDER_STRESS * stress * (1 - defaulted)
    fewer = g.random((k, REPORT_MONTHS)) < 0.025
    lenders = np.maximum(base[:, None] + np.cumsum(more.astype(np.int64) - fewer, axis=1), 0)
    loans = lenders + g.binomial(lenders, 0.4)
    monthly = firms.revenue0[plan.firm] * np.exp(firms.growth[plan.firm] * REVENUE_MONTHS)
    per_loan = monthly[:, None] * np.exp(g.normal(0.3, 0.5, (k, 1)))
    balance = loans * per_loan * np.exp(g.normal(0.0, 0.1, (k, REPORT_MONTHS)))
    late = stress > 0.7
    p_overdue = np.where(defaulted, 0.65, np.where(late, 0.25, 0.012))
    overdue = (g.random((k, REPORT_MONTHS)) < p_overdue) & (loans > 0)
    overdue_loans = np.where(overdue, 1 + g.binomial(np.maximum(loans - 1, 0), 0.3), 0)
    overdue_share = g.uniform(0.05, 0.6, (k, REPORT_MONTHS))
    since_default = (flat - np.minimum(plan.end[loan], flat)).astype(np.int64).reshape(k, REPORT_MONTHS)
    dpd = np.where(defaulted, np.maximum(since_default, 1) + 30, g.integers(1, 60, (k, REPORT_MONTHS)))
    guarantees = g.poisson(0.4, k)[:, None] + np.zeros((1, REPORT_MONTHS), np.int64)
    guarantee_balance = guarantees * per_loan * 0.8
    row, col = np.nonzero(valid)

    def cents(a: Arr) -> Arr:
        out: Arr = np.round(a[row, col] * 100).astype(np.int64)
        return out

    return pa.table(
        {
            "credit_code": codes.take(pa.array(plan.firm[row])),
            "report_date": day[row, col],
            "lenders": lenders[row, col].astype(np.int64),
            "loans_outstanding": loans[row, col].astype(np.int64),
            "balance_cents": cents(balance),
            "overdue_loans": overdue_loans[row, col].astype(np.int64),
            "overdue_cents": cents(np.where(overdue, balance * overdue_share, 0.0)),
            "max_days_past_due": np.where(overdue, np.minimum(dpd, 3650), 0)[row, col].astype(np.int64),
            "guarantees_given": guarantees[row, col].astype(np.int64),
            "guarantee_balance_cents": cents(guarantee_balance),
        }
    )


def _inquiries(
    params: UniverseParams, g: np.random.Generator, firms: Firms, plan: PostLoan, codes: pa.Array
) -> pa.Table:
    k = len(plan.firm)
    as_of = params.as_of_day
    first = (plan.disbursed - np.timedelta64(180, "D")).astype("datetime64[M]")
    mid = (first[:, None] + np.arange(INQUIRY_MONTHS)[None, :]).astype("datetime64[D]") + np.timedelta64(14, "D")
    loan = np.repeat(np.arange(k), INQUIRY_MONTHS)
    stress = plan.stress(loan, mid.ravel()).reshape(k, INQUIRY_MONTHS)
    after_default = (mid.ravel() >= plan.end[loan]).reshape(k, INQUIRY_MONTHS)
    stress = np.where(after_default, 0.3, stress)  # nobody lends after the default; a few still look
    scale = np.exp(-0.25 * firms.views["bureau"][plan.firm])[:, None, None]
    rate = scale * INQUIRY_BASE[None, None, :] + stress[:, :, None] * INQUIRY_STRESS[None, None, :]
    counts = g.poisson(rate)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    who, month, kind = np.unravel_index(cell, counts.shape)
    day = mid[who, month] - np.timedelta64(14, "D") + g.integers(0, 28, len(cell)).astype("timedelta64[D]")
    keep = day <= as_of
    who, kind, day = who[keep], kind[keep], day[keep]
    order = np.lexsort((kind, day, who))
    who, kind, day = who[order], kind[order], day[order]
    seq = np.arange(len(who)) - np.searchsorted(who, who)
    reason = np.where(_REASON_OF_TYPE[kind] == 1, 1, np.where((kind == 0) & (g.random(len(who)) < 0.3), 2, 0))
    return pa.table(
        {
            "inquiry_id": ascii_strings(
                literal_matrix("IQ", len(who)), digit_matrix(firms.index[plan.firm[who]], 10), digit_matrix(seq, 4)
            ),
            "credit_code": codes.take(pa.array(plan.firm[who])),
            "inquiry_date": day,
            "institution_type": vocab_take(INSTITUTION_TYPES, kind),
            "reason": vocab_take(("loan_approval", "guarantee_review", "post_loan"), reason),
        }
    )
