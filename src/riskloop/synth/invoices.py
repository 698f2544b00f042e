"""VAT invoices over a heavy-tailed trade network: counterparties chosen by a Zipf law over global firm indices."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.synth import ids
from riskloop.synth.arrays import Arr, affine_permutation, ascii_strings, digit_matrix, segment_ids, vocab_take
from riskloop.synth.calendar import INVOICE_MONTHS, years_of
from riskloop.synth.finance import Revenue
from riskloop.synth.firms import Firms, sigmoid
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.rings import SHELL_CIRCULAR, Rings

INVOICE_STATUSES = ("normal", "void", "red")
_SALE, _PURCHASE, _CIRCULAR = 0, 1, 2


def _coprime_multiplier(modulus: int) -> int:
    for candidate in (1_000_003, 999_983, 15_485_863, 32_452_843, 49_979_687):
        if math.gcd(candidate, modulus) == 1:
            return candidate
    return 1  # unreachable for moduli below 1e8: one of the primes above does not divide it


def zipf_partners(g: np.random.Generator, universe: int, own: Arr, exponent: float) -> Arr:
    """Draw one counterparty per entry of ``own``: Zipf-ranked over the whole universe, never the firm itself.

    Ranks are mapped to firms by a fixed permutation, so the hubs are spread over all chunks and every chunk
    agrees on who the hubs are.
    """
    if universe < 2:
        return own.copy()
    u = g.random(len(own))
    a = 1.0 - exponent
    rank = np.floor((((universe + 1.0) ** a - 1.0) * u + 1.0) ** (1.0 / a)) - 1.0  # inverse CDF of r^-s
    rank = np.clip(rank, 0, universe - 1).astype(np.int64)
    partner = affine_permutation(rank, universe, _coprime_multiplier(universe), universe // 3)
    return np.where(partner == own, (partner + 1) % universe, partner)


@dataclass(frozen=True)
class Distress:
    """Post-loan business factor and deterioration progress per firm and revenue month, with its own stream."""

    factor: Arr
    progress: Arr
    rng: np.random.Generator


def invoices(
    params: UniverseParams,
    chunk: int,
    firms: Firms,
    revenue: Revenue,
    rings: Rings,
    *,
    distress: Distress | None = None,
) -> pa.Table:
    """Sales and purchase invoices of the chunk's firms, plus circular invoices inside shell rings.

    Invoice numbers are 20 digits: issue year (2), focal firm index (10), direction (1), sequence (7).
    With ``distress``, a borrower's invoices thin out as its business falls (fewer and smaller invoices), and a
    deteriorating one voids and red-letters (红冲) more of them.
    """
    g = rng(params, chunk, Stream.INVOICES)
    months = revenue.months[-INVOICE_MONTHS:]
    amount = revenue.amount[:, -INVOICE_MONTHS:]
    if distress is not None:
        distress = Distress(distress.factor[:, -INVOICE_MONTHS:], distress.progress[:, -INVOICE_MONTHS:], distress.rng)
    rate = np.clip(firms.revenue0 / 150_000.0, 0.15, 8.0)
    sales = g.poisson(rate[:, None] * (amount > 0) * 0.8, amount.shape)
    buys = g.poisson(rate[:, None] * (amount > 0) * 0.4, amount.shape)
    parts = [
        _expand(
            params, g, firms, months=months, amount=amount, counts=sales, share=0.85, direction=_SALE, distress=distress
        ),
        _expand(
            params,
            g,
            firms,
            months=months,
            amount=amount,
            counts=buys,
            share=0.45,
            direction=_PURCHASE,
            distress=distress,
        ),
        _circular(params, g, firms, rings),
    ]
    return pa.concat_tables(parts)


def _expand(
    params: UniverseParams,
    g: np.random.Generator,
    firms: Firms,
    *,
    months: Arr,
    amount: Arr,
    counts: Arr,
    share: float,
    direction: int,
    distress: Distress | None = None,
) -> pa.Table:
    flat = counts.ravel()
    cell = segment_ids(flat)
    row, col = np.divmod(cell, counts.shape[1])
    k = len(cell)
    value = amount.ravel()[cell] * share / np.maximum(flat[cell], 1) * np.exp(g.normal(0.0, 0.35, k))
    days = months[col].astype("datetime64[D]") + g.integers(0, 28, k).astype("timedelta64[D]")
    partner = zipf_partners(g, params.enterprises, firms.index[row], 1.15)
    own = firms.index[row]
    seller, buyer = (own, partner) if direction == _SALE else (partner, own)
    bad = sigmoid(-3.5 - 0.8 * firms.views["tax"][row])
    u = g.random(k)
    status = np.where(u < bad, 1, np.where(u < bad + 0.01, 2, 0))
    if distress is not None:
        keep = distress.rng.random(k) < distress.factor[row, col]
        progress = distress.progress[row, col]
        v = distress.rng.random(k)
        status = np.where(v < 0.05 * progress, 1, np.where(v < 0.17 * progress, 2, status))
        own, seller, buyer, days, value, status = (a[keep] for a in (own, seller, buyer, days, value, status))
    return _table(
        params, own=own, direction=direction, days=days, seller=seller, buyer=buyer, value=value, status=status
    )


def _circular(params: UniverseParams, g: np.random.Generator, firms: Firms, rings: Rings) -> pa.Table:
    shell = rings.shape[rings.member_ring] == SHELL_CIRCULAR
    members = rings.member_rows[shell]
    ring_of = rings.member_ring[shell]
    if len(members) == 0:
        none = np.zeros(0, dtype=np.int64)
        return _table(
            params,
            own=none,
            direction=_CIRCULAR,
            days=np.zeros(0, "datetime64[D]"),
            seller=none,
            buyer=none,
            value=np.zeros(0),
            status=none,
        )
    first = np.searchsorted(ring_of, ring_of)
    size = rings.size[ring_of]
    nxt = members[first + (np.arange(len(members)) - first + 1) % size]  # A -> B -> C -> A
    rounds = g.integers(3, 7, len(members))
    src = segment_ids(rounds)
    k = len(src)
    start = rings.window_start[ring_of[src]].astype("datetime64[D]")
    days = start - g.integers(1, 60, k).astype("timedelta64[D]")
    days = np.maximum(days, np.maximum(firms.established[members[src]], firms.established[nxt[src]]))
    value = np.round(g.uniform(30, 200, k)) * 10_000.0
    return _table(
        params,
        own=firms.index[members[src]],
        direction=_CIRCULAR,
        days=days,
        seller=firms.index[members[src]],
        buyer=firms.index[nxt[src]],
        value=value,
        status=np.zeros(k, dtype=np.int64),
    )


def _table(
    params: UniverseParams, *, own: Arr, direction: int, days: Arr, seller: Arr, buyer: Arr, value: Arr, status: Arr
) -> pa.Table:
    n = len(own)
    order = np.lexsort((days, own))
    seq = np.arange(n) - np.searchsorted(own[order], own[order])
    number = ascii_strings(
        digit_matrix(years_of(days[order]) % 100, 2),
        digit_matrix(own[order], 10),
        digit_matrix(np.full(n, direction), 1),
        digit_matrix(seq, 7),
    )
    cents = np.round(value[order] * 100).astype(np.int64)
    seed = params.seed
    return pa.table(
        {
            "invoice_no": number,
            "seller_code": ids.credit_codes(seed, seller[order]),
            "buyer_code": ids.credit_codes(seed, buyer[order]),
            "issue_date": days[order],
            "amount_cents": cents,
            "tax_cents": np.round(cents * np.where(cents > 50_000_000, 0.13, 0.03)).astype(np.int64),
            "status": vocab_take(INVOICE_STATUSES, status[order]),
        }
    )
