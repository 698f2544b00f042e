"""Dated external events after disbursal whose timing follows a borrower's deterioration.

Each event kind has a monthly rate inside the deterioration window of a loan that defaults and a rate after
the default; the base rates of every firm come from the risk tables (:mod:`riskloop.synth.risk`) and, for the
two lists that had no table, from :func:`base_listings`. Nothing here is certain: most deteriorating
borrowers show one or two events, many none, and healthy firms show the same events at their base rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.tables import ABNORMAL_REASONS
from riskloop.synth import ids
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, int_strings, join, literal_matrix, vocab_take
from riskloop.synth.calendar import years_of
from riskloop.synth.firms import STATUS_ABNORMAL, Firms, sigmoid
from riskloop.synth.postloan import PostLoan
from riskloop.synth.registration import CHANGE_TYPES
from riskloop.synth.risk import case_numbers
from riskloop.synth.vocab import vocab

# monthly rates: (inside the deterioration window, after the default)
RATES: dict[str, tuple[float, float]] = {
    "lawsuit": (0.07, 0.10),
    "enforcement": (0.025, 0.06),
    "penalty": (0.02, 0.03),
    "abnormal": (0.012, 0.04),
    "freeze": (0.012, 0.03),
    "legal_rep": (0.015, 0.01),
    "shareholder": (0.02, 0.01),
}
_SEQ = 50  # case and record sequence numbers from here on are post-loan events (the base tables use 0-9)
_CAUSES = ("金融借款合同纠纷", "买卖合同纠纷", "民间借贷纠纷", "拖欠劳动报酬纠纷", "租赁合同纠纷")


@dataclass(frozen=True)
class Dated:
    """Events of one kind: loan position, day, and rank among the loan's events of that kind."""

    loan: Arr
    day: Arr
    rank: Arr


def _dated(g: np.random.Generator, plan: PostLoan, rates: tuple[float, float]) -> Dated:
    end = plan.as_of
    w_end = np.minimum(plan.end, end)
    window = np.maximum((w_end - plan.start).astype(np.int64), 0)
    after = np.maximum((end - plan.end).astype(np.int64), 0)
    window = np.where(plan.defaulted, window, 0)
    after = np.where(plan.defaulted, after, 0)
    n_in = np.minimum(g.poisson(rates[0] * window / 30.4), 20)
    n_after = np.minimum(g.poisson(rates[1] * after / 30.4), 20)
    loan = np.concatenate([np.repeat(np.arange(len(window)), n_in), np.repeat(np.arange(len(window)), n_after)])
    lo = np.concatenate([np.repeat(plan.start, n_in), np.repeat(plan.end, n_after)])
    span = np.concatenate([np.repeat(window, n_in), np.repeat(after, n_after)])
    day = lo + (g.random(len(loan)) * span).astype("timedelta64[D]")
    order = np.lexsort((day, loan))
    loan, day = loan[order], day[order]
    rank = np.arange(len(loan)) - np.searchsorted(loan, loan)
    return Dated(loan, day, rank)


def risk_events(
    g: np.random.Generator, plan: PostLoan, firms: Firms, codes: pa.Array, sued: tuple[Arr, Arr]
) -> dict[str, pa.Table]:
    """Post-loan lawsuits (with guarantor suits ``sued``: firm rows, days), enforcements, listings, penalties."""
    as_of = plan.as_of
    suits = _dated(g, plan, RATES["lawsuit"])
    by_row = np.argsort(sued[0], kind="stable")
    sued = (sued[0][by_row], sued[1][by_row])
    sued_rank = np.arange(len(sued[0])) - np.searchsorted(sued[0], sued[0])
    sued = (sued[0][sued_rank < 10], sued[1][sued_rank < 10])  # case sequence numbers 90-99
    row = np.concatenate([plan.firm[suits.loan], sued[0]])
    filed = np.concatenate([suits.day, sued[1]])
    guarantor = np.concatenate([np.zeros(len(suits.loan), bool), np.ones(len(sued[0]), bool)])
    seq = _SEQ + np.concatenate([suits.rank, 40 + np.arange(len(sued[0])) - np.searchsorted(sued[0], sued[0])])
    amount = np.round(np.exp(g.normal(12.0, 1.1, len(row))) * 100).astype(np.int64)
    cause = pc.if_else(
        pa.array(guarantor), pa.scalar("保证合同纠纷"), vocab_take(_CAUSES, g.integers(0, len(_CAUSES), len(row)))
    )
    litigations = pa.table(
        {
            "case_no": case_numbers(firms, row, seq, filed, "民初"),
            "credit_code": codes.take(pa.array(row)),
            "role": pa.array(["defendant"] * len(row), pa.string()),
            "filed_date": filed,
            "cause": cause,
            "amount_cents": amount,
        }
    )
    enforced = _dated(g, plan, RATES["enforcement"])
    e_row = plan.firm[enforced.loan]
    e_seq = _SEQ + enforced.rank
    e_case = case_numbers(firms, e_row, e_seq, enforced.day, "执")
    k = len(e_row)
    e_amount = np.round(np.exp(g.normal(11.8, 1.1, k)) * 100).astype(np.int64)
    close_day = enforced.day + g.integers(60, 400, k).astype("timedelta64[D]")
    closed = (g.random(k) < 0.25) & (close_day <= as_of)
    enforcements = pa.table(
        {
            "case_no": e_case,
            "credit_code": codes.take(pa.array(e_row)),
            "filed_date": enforced.day,
            "amount_cents": e_amount,
            "closed_date": pa.array(np.where(closed, close_day, enforced.day), mask=~closed),
        }
    )
    listed_day = enforced.day + g.integers(20, 150, k).astype("timedelta64[D]")
    listed = (g.random(k) < 0.45) & (listed_day <= as_of) & (~closed | (close_day > listed_day))
    dishonest = pa.table(
        {
            "case_no": e_case.filter(pa.array(listed)),
            "credit_code": codes.take(pa.array(e_row[listed])),
            "listed_date": listed_day[listed],
            "removed_date": pa.nulls(int(listed.sum()), pa.date32()),
        }
    )
    fined = _dated(g, plan, RATES["penalty"])
    p_row = plan.firm[fined.loan]
    authority = np.where(g.random(len(p_row)) < 0.7, 0, 1)  # tax arrears and unfiled returns, or market
    penalties = pa.table(
        {
            "penalty_id": join(
                vocab_take(("税", "市监"), authority),
                "罚决字〔",
                int_strings(years_of(fined.day)),
                "〕",
                int_strings(firms.index[p_row] * 100 + _SEQ + fined.rank),
                "号",
            ),
            "credit_code": codes.take(pa.array(p_row)),
            "penalty_date": fined.day,
            "authority": vocab_take(("tax", "market"), authority),
            "amount_cents": np.round(np.exp(g.normal(8.8, 1.2, len(p_row))).clip(200, 2_000_000) * 100).astype(
                np.int64
            ),
        }
    )
    return {
        "litigations": litigations,
        "enforcements": enforcements,
        "dishonest_list": dishonest,
        "admin_penalties": penalties,
    }


@dataclass(frozen=True)
class Listed:
    """Which firms are on the abnormal-operation list now, and since which day."""

    now: Arr  # bool per firm
    day: Arr  # datetime64[D] per firm, meaningful where ``now``


def listings(
    g: np.random.Generator, plan: PostLoan, firms: Firms, codes: pa.Array, seed: int
) -> tuple[pa.Table, pa.Table, Listed]:
    """``abnormal_operations`` and ``equity_freezes`` of every firm, and which firms are listed as abnormal now."""
    as_of = plan.as_of
    n = firms.n
    zr = firms.views["risk"]
    # base listings: every firm registered as abnormal has its listing; others were listed once and removed
    past = (firms.status != STATUS_ABNORMAL) & (g.random(n) < sigmoid(-3.6 - 0.8 * zr))
    base_row = np.flatnonzero((firms.status == STATUS_ABNORMAL) | past)
    base_day = _since(g, firms.established[base_row] + np.timedelta64(180, "D"), as_of, 3 * 365)
    base_removed = base_day + g.integers(60, 500, len(base_row)).astype("timedelta64[D]")
    base_removed_ok = past[base_row] & (base_removed <= as_of)
    listed = _dated(g, plan, RATES["abnormal"])
    first = listed.rank == 0  # one listing per deterioration
    l_row = plan.firm[listed.loan[first]]
    row = np.concatenate([base_row, l_row])
    day = np.concatenate([base_day, listed.day[first]])
    removed = np.concatenate([base_removed_ok, np.zeros(len(l_row), bool)])
    removed_day = np.concatenate([base_removed, listed.day[first]])
    reason = np.where(
        np.arange(len(row)) < len(base_row), g.integers(0, 4, len(row)), g.choice(4, len(row), p=[0.3, 0.55, 0.05, 0.1])
    )
    seq = np.concatenate([np.zeros(len(base_row), np.int64), np.full(len(l_row), _SEQ)])
    abnormal = pa.table(
        {
            "record_id": ascii_strings(
                literal_matrix("AB", len(row)), digit_matrix(firms.index[row], 10), digit_matrix(seq, 2)
            ),
            "credit_code": codes.take(pa.array(row)),
            "listed_date": day,
            "reason": vocab_take(ABNORMAL_REASONS, reason),
            "removed_date": pa.array(np.where(removed, removed_day, day), mask=~removed),
        }
    )
    now_abnormal = np.zeros(n, bool)
    now_abnormal[row[~removed]] = True
    listed_day = np.zeros(n, dtype="datetime64[D]")  # since when listed now: the earliest open listing
    order = np.argsort(day[~removed], kind="stable")[::-1]
    listed_day[row[~removed][order]] = day[~removed][order]
    freezes = _freezes(g, plan, firms, codes, seed)
    return abnormal, freezes, Listed(now_abnormal, listed_day)


def _freezes(g: np.random.Generator, plan: PostLoan, firms: Firms, codes: pa.Array, seed: int) -> pa.Table:
    """Freezes of the main holder's equity: a few firms at any time, deteriorating borrowers more often."""
    as_of = plan.as_of
    company = ~firms.individual
    base_row = np.flatnonzero(company & (g.random(firms.n) < sigmoid(-4.2 - 0.9 * firms.views["risk"])))
    base_day = _since(g, firms.established[base_row] + np.timedelta64(90, "D"), as_of, 3 * 365)
    frozen = _dated(g, plan, RATES["freeze"])
    keep = company[plan.firm[frozen.loan]] & (frozen.rank < 3)
    row = np.concatenate([base_row, plan.firm[frozen.loan[keep]]])
    day = np.concatenate([base_day, frozen.day[keep]])
    seq = np.concatenate([np.zeros(len(base_row), np.int64), _SEQ + frozen.rank[keep]])
    k = len(row)
    share = g.uniform(0.2, 1.0, k)
    end = day + np.timedelta64(3 * 365, "D")  # a freeze lasts three years unless renewed
    released_day = day + g.integers(90, 700, k).astype("timedelta64[D]")
    released = (np.arange(k) < len(base_row)) & (g.random(k) < 0.5) & (released_day <= as_of)
    v = vocab()
    court = vocab_take([v.court_prefix[c[:2]] + c[2:] for c in v.region_codes], firms.region[row])
    return pa.table(
        {
            "freeze_id": join(
                "(", int_strings(years_of(day)), ")", court, "执保", int_strings(firms.index[row] * 100 + seq), "号"
            ),
            "credit_code": codes.take(pa.array(row)),
            "holder_kind": pa.array(["person"] * k, pa.string()),
            "holder_code": pa.nulls(k, pa.string()),
            "holder_person_id": ids.resident_ids(seed, firms.legal_rep[row]),
            "frozen_amount_cents": (np.round(firms.capital_cents[row] * share / 100) * 100).astype(np.int64),
            "freeze_date": day,
            "freeze_end_date": end,
            "released_date": pa.array(np.where(released, released_day, day), mask=~released),
        }
    )


def _since(g: np.random.Generator, start: Arr, end: np.datetime64, lookback: int) -> Arr:
    lo = np.minimum(np.maximum(start, end - np.timedelta64(lookback, "D")), end)
    span = np.maximum((end - lo).astype(np.int64), 1)
    out: Arr = lo + (g.random(len(start)) * span).astype("timedelta64[D]")
    return np.minimum(out, end)


def registration_events(
    g: np.random.Generator, plan: PostLoan, firms: Firms, codes: pa.Array, seed: int
) -> tuple[pa.Table, Arr, Arr]:
    """Legal-representative and shareholder changes of deteriorating borrowers.

    Returns the change rows, and per firm the new legal representative's person index (-1: unchanged) and
    the date of the change.
    """
    company = ~firms.individual[plan.firm]
    own_rep = firms.legal_rep[plan.firm] == ids.person_index(firms.index[plan.firm], 0)
    rep = _dated(g, plan, RATES["legal_rep"])
    rep_ok = (rep.rank == 0) & company[rep.loan] & own_rep[rep.loan]
    holder = _dated(g, plan, RATES["shareholder"])
    holder_ok = (holder.rank < 2) & company[holder.loan]
    loan = np.concatenate([rep.loan[rep_ok], holder.loan[holder_ok]])
    day = np.concatenate([rep.day[rep_ok], holder.day[holder_ok]])
    kind = np.concatenate([np.zeros(int(rep_ok.sum()), np.int64), np.full(int(holder_ok.sum()), 5)])
    row = plan.firm[loan]
    order = np.lexsort((day, row))
    row, day, kind = row[order], day[order], kind[order]
    seq = _SEQ + np.arange(len(row)) - np.searchsorted(row, row)
    before = ids.resident_ids(seed, firms.legal_rep[row])
    after = ids.resident_ids(seed, ids.person_index(firms.index[row], 1))
    null = pa.nulls(len(row), pa.string())
    is_rep = pa.array(kind == 0)
    table = pa.table(
        {
            "change_id": ascii_strings(
                literal_matrix("CHG", len(row)), digit_matrix(firms.index[row], 10), digit_matrix(seq, 2)
            ),
            "credit_code": codes.take(pa.array(row)),
            "change_date": day,
            "change_type": vocab_take(CHANGE_TYPES, kind),
            "before_value": pc.if_else(is_rep, before, null),
            "after_value": pc.if_else(is_rep, after, null),
        }
    )
    new_rep = np.full(firms.n, -1, dtype=np.int64)
    rep_day = np.zeros(firms.n, dtype="datetime64[D]")
    changed = row[kind == 0]
    new_rep[changed] = ids.person_index(firms.index[changed], 1)
    rep_day[changed] = day[kind == 0]
    return table, new_rep, rep_day
