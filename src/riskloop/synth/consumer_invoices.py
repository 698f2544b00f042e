"""Invoices to consumers (natural persons without a credit code) from retail and service firms, a stream of their own.

They are written to an extra part file of ``invoices`` (``consumers-NNNNN.parquet``), so every earlier invoice file
keeps its bytes; their numbers use direction digit 3, unused by the enterprise invoices.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.synth import ids
from riskloop.synth.arrays import ascii_strings, digit_matrix, segment_ids
from riskloop.synth.calendar import INVOICE_MONTHS, years_of
from riskloop.synth.finance import Revenue
from riskloop.synth.firms import Firms
from riskloop.synth.params import Stream, UniverseParams, rng

CONSUMER_DIRECTION = 3
# wholesale and retail, accommodation and catering, residential services: the sections that sell to people
CONSUMER_SECTIONS = np.array([INDUSTRY_SECTIONS.index(s) for s in "FHO"])


def consumer_invoices(params: UniverseParams, chunk: int, firms: Firms, revenue: Revenue) -> pa.Table:
    """Monthly consumer invoices of the chunk's consumer-facing firms (individual businesses and retail)."""
    g = rng(params, chunk, Stream.EXPORTS_CONSUMER_INVOICES)
    months = revenue.months[-INVOICE_MONTHS:]
    amount = revenue.amount[:, -INVOICE_MONTHS:]
    facing = firms.individual.astype(bool) | np.isin(firms.section, CONSUMER_SECTIONS)
    rate = np.where(facing, np.clip(firms.revenue0 / 300_000.0, 0.05, 1.0), 0.0)
    counts = g.poisson(rate[:, None] * (amount > 0), amount.shape)
    flat = counts.ravel()
    cell = segment_ids(flat)
    row, col = np.divmod(cell, counts.shape[1])
    k = len(cell)
    days = months[col].astype("datetime64[D]") + g.integers(0, 28, k).astype("timedelta64[D]")
    yuan = np.exp(g.normal(np.log(400.0), 1.0, k)).clip(5.0, 50_000.0)
    status = np.where(g.random(k) < 0.01, "void", "normal")
    own = firms.index[row]
    order = np.lexsort((days, own))
    own, days, yuan, status = own[order], days[order], yuan[order], status[order]
    seq = np.arange(k) - np.searchsorted(own, own)
    cents = np.round(yuan * 100).astype(np.int64)
    return pa.table(
        {
            "invoice_no": ascii_strings(
                digit_matrix(years_of(days) % 100, 2),
                digit_matrix(own, 10),
                digit_matrix(np.full(k, CONSUMER_DIRECTION), 1),
                digit_matrix(seq, 7),
            ),
            "seller_code": ids.credit_codes(params.seed, own),
            "buyer_code": pa.nulls(k, pa.string()),
            "issue_date": days,
            "amount_cents": cents,
            "tax_cents": np.round(cents * 0.03).astype(np.int64),
            "status": pa.array(status.tolist(), pa.string()),
            "buyer_kind": pa.array(["consumer"] * k, pa.string()),
        }
    )
