"""Settlement-account transactions of borrowers: disbursal, repayments, and business flows that fade before default."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.arrays import ascii_strings, digit_matrix, literal_matrix, segment_ids, vocab_take
from riskloop.synth.calendar import REVENUE_MONTHS
from riskloop.synth.firms import Firms
from riskloop.synth.invoices import zipf_partners
from riskloop.synth.loans import LoanBook
from riskloop.synth.params import Stream, UniverseParams, rng

FLOWS_PER_MONTH = 3.0  # business inflows (and as many outflows) per borrower per month
_LABELS = ("贷款发放", "贷款还款", "工资代发", "税款缴纳")


def account_transactions(params: UniverseParams, chunk: int, firms: Firms, book: LoanBook) -> pa.Table:
    """Transactions on each borrower's settlement account from disbursal to as-of.

    Inflows shrink linearly from the deterioration start of a loan that will default, to 15 % by the
    default date, while outflows continue: the balance drains ahead of the default.
    """
    g = rng(params, chunk, Stream.TRANSACTIONS)
    end = params.as_of_day.astype("datetime64[s]")
    start = book.disbursed.astype("datetime64[s]")
    days = ((end - start).astype(np.int64) // 86_400).clip(0, 1100)
    flows = g.poisson(2 * FLOWS_PER_MONTH * days / 30.4)
    loan = segment_ids(flows)
    firm = book.firm[loan]
    m = len(loan)
    ts = start[loan] + (g.random(m) * days[loan] * 86_400).astype("timedelta64[s]")
    monthly = firms.revenue0[firm] * np.exp(firms.growth[firm] * REVENUE_MONTHS)
    size = monthly / FLOWS_PER_MONTH * np.exp(g.normal(0.0, 0.4, m))
    inflow = g.random(m) < 0.5
    healthy = np.isnat(book.default_date[loan])
    det = np.where(healthy, end, book.deterioration_start[loan].astype("datetime64[s]"))  # NaT-free arithmetic
    lead = np.where(healthy, 1, (book.default_date[loan] - book.deterioration_start[loan]).astype(np.int64))
    progress = np.clip((ts - det).astype(np.int64) / (np.maximum(lead, 1) * 86_400.0), 0.0, 1.0)
    fade = 1.0 - 0.85 * progress
    amount = np.where(inflow, size * 0.95 * fade, -size * 0.9)
    partner = zipf_partners(g, params.enterprises, firms.index[firm], 1.15)
    label = np.where(g.random(m) < 0.15, 2 + g.integers(0, 2, m), -1)
    counterparty = pc.if_else(
        pa.array(label < 0), ids.credit_codes(params.seed, partner), vocab_take(_LABELS, np.maximum(label, 0))
    )
    k = len(book.firm)
    owner = np.concatenate([np.arange(k), book.paid_loan, loan])
    when = np.concatenate(
        [
            start + np.timedelta64(36_000, "s"),
            book.paid_day.astype("datetime64[s]")
            + g.integers(28_800, 72_000, len(book.paid_day)).astype("timedelta64[s]"),
            ts,
        ]
    )
    cents = np.concatenate([book.principal_cents, -book.paid_cents, np.round(amount * 100).astype(np.int64)])
    text = pa.concat_arrays(
        [
            vocab_take(_LABELS, np.zeros(k, np.int64)),
            vocab_take(_LABELS, np.ones(len(book.paid_loan), np.int64)),
            counterparty,
        ]
    )
    keep = when < end
    order = np.flatnonzero(keep)[np.lexsort((when[keep], owner[keep]))]
    owner, when, cents = owner[order], when[order], cents[order]
    seq = np.arange(len(owner)) - np.searchsorted(owner, owner)
    firm_index = firms.index[book.firm[owner]]
    return pa.table(
        {
            "txn_id": ascii_strings(
                literal_matrix("TX", len(owner)), digit_matrix(firm_index, 10), digit_matrix(seq, 5)
            ),
            "credit_code": ids.credit_codes(params.seed, firm_index),
            "account": ids.bank_accounts(params.seed, firm_index),
            "ts": pa.array(when.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
            "amount_cents": cents,
            "counterparty": text.take(pa.array(order)),
        }
    )
