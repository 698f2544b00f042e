"""Settlement-account transactions of borrowers: disbursal, repayments, and business flows that fade before default."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, segment_ids, vocab_take
from riskloop.synth.calendar import REVENUE_MONTHS, seasonality
from riskloop.synth.firms import Firms
from riskloop.synth.invoices import zipf_partners
from riskloop.synth.loans import LoanBook
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.postloan import PostLoan
from riskloop.synth.regime import Regime

FLOWS_PER_MONTH = 3.0  # business inflows (and as many outflows) per borrower per month
_LABELS = ("贷款发放", "贷款还款", "工资代发", "税款缴纳")


def account_transactions(
    params: UniverseParams,
    chunk: int,
    firms: Firms,
    book: LoanBook,
    *,
    plan: PostLoan,
    guarantor_row: Arr,
    regime: Regime | None = None,
) -> tuple[pa.Table, Arr]:
    """Transactions on each borrower's settlement account from disbursal to as-of.

    Inflows shrink linearly from the deterioration start of a loan that will default, to 15 % by the
    default date, while outflows continue: the balance drains ahead of the default. Inflows follow the
    season, a borrower's temporary dip and a downturn of its industry (``regime``). Large transfers
    (:func:`large_transfers`) go to related parties.

    Returns
    -------
    tuple
        The table and, per loan, whether related-party transfers ahead of default were planted (truth).

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
    day = ts.astype("datetime64[D]")
    month, month_of = np.unique(day.astype("datetime64[M]"), return_inverse=True)
    season = seasonality(month)[month_of] * np.where(plan.dipping(loan, day), 1.0 - plan.dip_depth[loan], 1.0)
    if regime is not None:  # an industry downturn thins the inflows of its sections
        season = season * regime.volume(firm, day)
    amount = np.where(inflow, size * 0.95 * fade * season, -size * 0.9)
    partner = zipf_partners(g, params.enterprises, firms.index[firm], 1.15)
    label = np.where(g.random(m) < 0.15, 2 + g.integers(0, 2, m), -1)
    counterparty = pc.if_else(
        pa.array(label < 0), ids.credit_codes(params.seed, partner), vocab_take(_LABELS, np.maximum(label, 0))
    )
    k = len(book.firm)
    repaid_at = book.paid_day.astype("datetime64[s]") + g.integers(28_800, 72_000, len(book.paid_day)).astype(
        "timedelta64[s]"
    )
    big = large_transfers(params, chunk, firms, book, plan=plan, guarantor_row=guarantor_row)
    owner = np.concatenate([np.arange(k), book.paid_loan, loan, big.loan])
    when = np.concatenate([start + np.timedelta64(36_000, "s"), repaid_at, ts, big.ts])
    cents = np.concatenate([book.principal_cents, -book.paid_cents, np.round(amount * 100).astype(np.int64), big.cents])
    text = pa.concat_arrays(
        [
            vocab_take(_LABELS, np.zeros(k, np.int64)),
            vocab_take(_LABELS, np.ones(len(book.paid_loan), np.int64)),
            counterparty,
            big.counterparty,
        ]
    )
    person = np.concatenate([np.full(k + len(book.paid_loan) + m, -1), big.person])
    keep = when < end
    order = np.flatnonzero(keep)[np.lexsort((when[keep], owner[keep]))]
    owner, when, cents, person = owner[order], when[order], cents[order], person[order]
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
            "counterparty_person_id": _optional_ids(params.seed, person),
        }
    ), big.planted


def _optional_ids(seed: int, person: Arr) -> pa.Array:
    """Resident IDs of ``person`` indices, null where the index is negative (built only for the persons)."""
    has = person >= 0
    slot = np.cumsum(has) - 1
    return ids.resident_ids(seed, person[has]).take(pa.array(np.maximum(slot, 0), mask=~has))


RELATED_SHARE = 0.45  # share of defaulting borrowers that move money to related parties before the default
RELATED_RATE = 0.012  # related-party transfers per performing loan-month (dividends, intra-group loans)
LARGE_RATE = 0.02  # large payments to trade partners per loan-month (equipment, stock)
_TRANSFER_LABEL = "个人转账"


@dataclass(frozen=True)
class Transfers:
    """Large outgoing transfers: loan position, time, amount (negative cents), counterparty, person (-1 none)."""

    loan: Arr
    ts: Arr
    cents: Arr
    counterparty: pa.Array
    person: Arr
    planted: Arr  # per loan: related-party transfers ahead of default were planted


def large_transfers(
    params: UniverseParams, chunk: int, firms: Firms, book: LoanBook, *, plan: PostLoan, guarantor_row: Arr
) -> Transfers:
    """Large transfers out of borrowers' accounts, from their own stream.

    A defaulting borrower (``RELATED_SHARE`` of them) moves one to four large sums to its legal representative,
    its second shareholder or its guarantor firm between the deterioration start and the default. Every borrower
    also makes occasional large transfers to the same related parties and to trade partners: the noise.
    """
    g = rng(params, chunk, Stream.POSTLOAN_TXN)
    k = len(book.firm)
    end = params.as_of_day
    monthly = firms.revenue0[book.firm] * np.exp(firms.growth[book.firm] * REVENUE_MONTHS)
    planted = plan.defaulted & (g.random(k) < RELATED_SHARE) & (plan.start < end)
    life = np.maximum((end - book.disbursed).astype(np.int64), 0)
    window_end = np.minimum(plan.end, end)
    window = np.maximum((window_end - plan.start).astype(np.int64), 1)
    counts = [
        np.where(planted, g.integers(1, 5, k), 0),
        g.poisson(RELATED_RATE * life / 30.4),
        g.poisson(LARGE_RATE * life / 30.4),
    ]
    loan = np.concatenate([np.repeat(np.arange(k), c) for c in counts])
    kind = np.concatenate([np.full(int(c.sum()), i) for i, c in enumerate(counts)])
    m = len(loan)
    u = g.random(m)
    day = np.where(
        kind == 0,
        plan.start[loan] + (u * window[loan]).astype("timedelta64[D]"),
        book.disbursed[loan] + (u * life[loan]).astype("timedelta64[D]"),
    )
    ts = day.astype("datetime64[s]") + g.integers(32_400, 64_800, m).astype("timedelta64[s]")
    size = monthly[loan] * np.where(kind == 0, g.uniform(0.5, 2.0, m), g.uniform(0.4, 1.5, m))
    firm = book.firm[loan]
    company = ~firms.individual[firm]
    # related party: the guarantor firm when there is one, else the legal representative or second shareholder
    to_firm = (kind < 2) & (guarantor_row[loan] >= 0) & (g.random(m) < 0.5)
    partner_slot = company & (g.random(m) < 0.4)
    person = np.where(
        (kind < 2) & ~to_firm,
        np.where(partner_slot, ids.person_index(firms.index[firm], 1), firms.legal_rep[firm]),
        -1,
    )
    trade = zipf_partners(g, params.enterprises, firms.index[firm], 1.15)
    other = np.where(to_firm, firms.index[np.maximum(guarantor_row[loan], 0)], trade)
    counterparty = pc.if_else(pa.array(person >= 0), pa.scalar(_TRANSFER_LABEL), ids.credit_codes(params.seed, other))
    return Transfers(
        loan=loan,
        ts=ts,
        cents=-np.round(size * 100).astype(np.int64),
        counterparty=counterparty,
        person=person,
        planted=planted,
    )
