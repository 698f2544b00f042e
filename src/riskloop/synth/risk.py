"""Risk (风险) tables: litigation, court enforcement, the dishonest-debtor list and administrative penalties.

Events are rare (a few per cent of firms) and several times more frequent for firms with a low risk view of
the latent score. A litigation may lead to enforcement, and an open enforcement to a dishonest listing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth import ids
from riskloop.synth.arrays import Arr, int_strings, join, segment_ids, vocab_take, weighted_choice
from riskloop.synth.calendar import years_of
from riskloop.synth.firms import Firms, sigmoid
from riskloop.synth.invoices import zipf_partners
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.vocab import vocab

AUTHORITIES = ("tax", "market", "environment", "safety")
_AUTHORITY_WEIGHTS = np.array([0.35, 0.4, 0.15, 0.1])
_AUTHORITY_WORDS = ("税", "市监", "环", "应急")
_LOOKBACK_DAYS = 5 * 365


def _dates_since(g: np.random.Generator, start: Arr, end: np.datetime64) -> Arr:
    lo = np.maximum(start, end - np.timedelta64(_LOOKBACK_DAYS, "D"))
    span = np.maximum((end - lo).astype(np.int64), 1)
    out: Arr = lo + (g.random(len(start)) * span).astype("timedelta64[D]")
    return out


def case_numbers(firms: Firms, row: Arr, seq: Arr, day: Arr, word: str) -> pa.Array:
    """Court case numbers ``(year)<court><word><firm index * 100 + seq>号`` (unique per firm and ``seq``)."""
    v = vocab()
    court = vocab_take([v.court_prefix[c[:2]] + c[2:] for c in v.region_codes], firms.region[row])
    return join("(", int_strings(years_of(day)), ")", court, word, int_strings(firms.index[row] * 100 + seq), "号")


def risk_tables(params: UniverseParams, chunk: int, firms: Firms, codes: pa.Array) -> dict[str, pa.Table]:
    """Build the four risk tables of the chunk."""
    g = rng(params, chunk, Stream.RISK)
    as_of = params.as_of_day
    zr = firms.views["risk"]
    size = 1.0 + 0.15 * np.log1p(firms.headcount)
    counts = np.minimum(g.poisson(0.08 * np.exp(-1.6 * zr) * size), 6)
    row = segment_ids(counts)
    seq = np.arange(len(row)) - np.searchsorted(row, row)
    filed = _dates_since(g, firms.established[row], as_of)
    defendant = g.random(len(row)) < sigmoid(0.2 - 0.8 * zr[row])
    amount = np.round(np.exp(g.normal(11.5, 1.2, len(row))) * 100).astype(np.int64)
    case_no = case_numbers(firms, row, seq, filed, "民初")
    cause = vocab_take(vocab().litigation_causes, g.integers(0, len(vocab().litigation_causes), len(row)))
    # the other party, when it is a firm of the universe, gets the same case with the opposite role
    other = g.random(len(row)) < 0.3
    partner = zipf_partners(g, params.enterprises, firms.index[row[other]], 1.1)
    role = vocab_take(("plaintiff", "defendant"), defendant.astype(np.int64))
    litigations = pa.concat_tables(
        [
            pa.table(
                {
                    "case_no": case_no,
                    "credit_code": codes.take(pa.array(row)),
                    "role": role,
                    "filed_date": filed,
                    "cause": cause,
                    "amount_cents": amount,
                }
            ),
            pa.table(
                {
                    "case_no": case_no.filter(pa.array(other)),
                    "credit_code": ids.credit_codes(params.seed, partner),
                    "role": vocab_take(("plaintiff", "defendant"), (~defendant[other]).astype(np.int64)),
                    "filed_date": filed[other],
                    "cause": cause.filter(pa.array(other)),
                    "amount_cents": amount[other],
                }
            ),
        ]
    )
    enforced = defendant & (g.random(len(row)) < sigmoid(-0.6 - 0.8 * zr[row]))
    e_filed = filed + g.integers(60, 300, len(row)).astype("timedelta64[D]")
    enforced &= e_filed <= as_of
    e_idx = np.flatnonzero(enforced)
    e_close = e_filed[e_idx] + g.integers(30, 400, len(e_idx)).astype("timedelta64[D]")
    closed = (g.random(len(e_idx)) < 0.55) & (e_close <= as_of)
    e_case = case_numbers(firms, row[e_idx], seq[e_idx], e_filed[e_idx], "执")
    enforcements = pa.table(
        {
            "case_no": e_case,
            "credit_code": codes.take(pa.array(row[e_idx])),
            "filed_date": e_filed[e_idx],
            "amount_cents": np.round(amount[e_idx] * g.uniform(0.5, 1.1, len(e_idx))).astype(np.int64),
            "closed_date": pa.array(np.where(closed, e_close, e_filed[e_idx]), mask=~closed),
        }
    )
    listed_day = e_filed[e_idx] + g.integers(30, 200, len(e_idx)).astype("timedelta64[D]")
    listed = (g.random(len(e_idx)) < sigmoid(-0.4 - 0.8 * zr[row[e_idx]])) & (listed_day <= as_of)
    listed &= ~closed | (e_close > listed_day)
    removed_day = listed_day + g.integers(60, 500, len(e_idx)).astype("timedelta64[D]")
    removed = (g.random(len(e_idx)) < 0.3) & (removed_day <= as_of)
    dishonest = pa.table(
        {
            "case_no": e_case.filter(pa.array(listed)),
            "credit_code": codes.take(pa.array(row[e_idx][listed])),
            "listed_date": listed_day[listed],
            "removed_date": pa.array(np.where(removed, removed_day, listed_day)[listed], mask=~removed[listed]),
        }
    )
    return {
        "litigations": litigations,
        "enforcements": enforcements,
        "dishonest_list": dishonest,
        "admin_penalties": _penalties(g, firms, codes, as_of),
    }


def _penalties(g: np.random.Generator, firms: Firms, codes: pa.Array, as_of: np.datetime64) -> pa.Table:
    counts = np.minimum(g.poisson(0.05 * np.exp(-1.4 * firms.views["risk"])), 4)
    row = segment_ids(counts)
    seq = np.arange(len(row)) - np.searchsorted(row, row)
    day = _dates_since(g, firms.established[row], as_of)
    authority = weighted_choice(g, _AUTHORITY_WEIGHTS, len(row))
    penalty_id = join(
        vocab_take(_AUTHORITY_WORDS, authority),
        "罚决字〔",
        int_strings(years_of(day)),
        "〕",
        int_strings(firms.index[row] * 100 + seq),
        "号",
    )
    return pa.table(
        {
            "penalty_id": penalty_id,
            "credit_code": codes.take(pa.array(row)),
            "penalty_date": day,
            "authority": vocab_take(AUTHORITIES, authority),
            "amount_cents": np.round(np.exp(g.normal(8.5, 1.3, len(row))).clip(200, 2_000_000) * 100).astype(np.int64),
        }
    )
