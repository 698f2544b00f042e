"""Ground-truth tables (never written under ``tables/``): latent scores, outcomes, fraud rings, deterioration."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth import decoys, hard_links, ids
from riskloop.synth.applications import Applications
from riskloop.synth.arrays import Arr, vocab_take
from riskloop.synth.firms import Firms
from riskloop.synth.loans import LoanBook
from riskloop.synth.registration import FirmText
from riskloop.synth.rings import SHAPES, Rings

_TS = pa.timestamp("us", tz="UTC")
TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    "enterprises": pa.schema(
        [
            ("credit_code", pa.string()),
            ("latent_score", pa.float64()),
            ("pd_12m", pa.float64()),
            ("is_shell", pa.bool_()),
        ]
    ),
    "applications": pa.schema(
        [
            ("application_id", pa.string()),
            ("credit_code", pa.string()),
            ("defaulted", pa.bool_()),
            ("default_date", pa.date32()),
            ("is_fraud", pa.bool_()),
            ("ring_id", pa.string()),
        ]
    ),
    "rings": pa.schema(
        [
            ("ring_id", pa.string()),
            ("shape", pa.string()),
            ("size", pa.int64()),
            ("window_start", _TS),
            ("window_end", _TS),
        ]
    ),
    "ring_members": pa.schema(
        [
            ("ring_id", pa.string()),
            ("application_id", pa.string()),
            ("credit_code", pa.string()),
            ("applicant_id", pa.string()),
        ]
    ),
    "loans": pa.schema(
        [
            ("loan_id", pa.string()),
            ("defaulted", pa.bool_()),
            ("default_date", pa.date32()),
            ("deterioration_start", pa.date32()),
            ("lead_days", pa.int64()),
            ("related_party_transfers", pa.bool_()),  # large transfers to related parties planted before default
            ("revenue_drop", pa.float64()),  # share of business volume lost by the default date (0: performing)
        ]
    ),
    "guarantees": pa.schema([("guarantee_id", pa.string()), ("contagion", pa.bool_())]),
}

# Only in a hard universe (``UniverseParams.fraud``): the hard rings' identifiers and the decoys.
RING_IDENTIFIERS, DECOYS, DECOY_MEMBERS = "ring_identifiers", "decoys", "decoy_members"
HARD_TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    RING_IDENTIFIERS: hard_links.SCHEMA,
    DECOYS: decoys.SCHEMA,
    DECOY_MEMBERS: decoys.MEMBERS_SCHEMA,
}


def _ts(values: Arr) -> pa.Array:
    return pa.array(values.astype("datetime64[us]"), _TS)


def truth_tables(
    params_seed: int,
    firms: Firms,
    text: FirmText,
    *,
    rings: Rings,
    apps: Applications,
    app_table: pa.Table,
    book: LoanBook,
    loan_ids: pa.Array,
) -> dict[str, pa.Table]:
    """Assemble the chunk's truth tables.

    The default date of an unfunded application is where it would have fallen had it been funded that day.
    """
    fraud = apps.ring >= 0
    ring_ids = pa.array(rings.ring_ids(), pa.string())
    app_ring = (
        pa.array(np.maximum(apps.ring, 0).astype(np.int32), mask=~fraud)
        if rings.count
        else pa.nulls(apps.n, pa.int32())
    )
    applied = apps.applied_at.astype("datetime64[D]")
    default_date = applied + (30 * apps.default_instalment + 30).astype("timedelta64[D]")
    default_date[book.app] = np.where(apps.defaulted[book.app], book.default_date, default_date[book.app])
    members = np.flatnonzero(fraud)
    lead = (book.default_date - book.deterioration_start).astype(np.int64)
    loan_defaulted = apps.defaulted[book.app]
    return {
        "enterprises": pa.table(
            {"credit_code": text.codes, "latent_score": firms.z, "pd_12m": firms.pd_12m, "is_shell": firms.is_shell}
        ),
        "applications": pa.table(
            {
                "application_id": apps.application_id,
                "credit_code": app_table["credit_code"],
                "defaulted": apps.defaulted,
                "default_date": pa.array(default_date, pa.date32(), mask=~apps.defaulted),
                "is_fraud": fraud,
                "ring_id": ring_ids.take(app_ring) if rings.count else pa.nulls(apps.n, pa.string()),
            }
        ),
        "rings": pa.table(
            {
                "ring_id": ring_ids,
                "shape": vocab_take(SHAPES, rings.shape),
                "size": rings.size,
                "window_start": _ts(rings.window_start),
                "window_end": _ts(rings.window_end),
            }
        ),
        "ring_members": pa.table(
            {
                "ring_id": ring_ids.take(pa.array(apps.ring[members])) if rings.count else pa.nulls(0, pa.string()),
                "application_id": apps.application_id.take(pa.array(members)),
                "credit_code": app_table["credit_code"].take(pa.array(members)),
                "applicant_id": ids.resident_ids(params_seed, apps.applicant[members]),
            }
        ),
        "loans": pa.table(
            {
                "loan_id": loan_ids,
                "defaulted": loan_defaulted,
                "default_date": pa.array(book.default_date, pa.date32(), mask=~loan_defaulted),
                "deterioration_start": pa.array(book.deterioration_start, pa.date32(), mask=~loan_defaulted),
                "lead_days": pa.array(lead, pa.int64(), mask=~loan_defaulted),
            }
        ),
    }
