"""The loan book: products, loans of approved applications, equal-instalment schedules, repayments to default."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.synth import ids
from riskloop.synth.applications import PRODUCTS, Applications
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, rank_in_segment, segment_ids
from riskloop.synth.calendar import add_months
from riskloop.synth.firms import Firms
from riskloop.synth.params import Stream, UniverseParams, rng

LEAD_DAYS = (30, 150)  # deterioration starts this many days before the default date
_DEFAULT_AFTER_MISSED = np.timedelta64(30, "D")  # a loan defaults 30 days after its first missed instalment
_SLIP_RATE = 0.03  # share of a performing loan's instalments paid 2-20 days late


@dataclass(frozen=True)
class LoanBook:
    """Arrays of the chunk's loans (one per approved application)."""

    app: Arr  # application position
    firm: Arr  # firm row in the chunk
    disbursed: Arr  # datetime64[D]
    principal_cents: Arr
    default_date: Arr  # datetime64[D], NaT when the loan does not default
    deterioration_start: Arr
    paid_loan: Arr  # one entry per repayment received: loan position, day, amount
    paid_day: Arr
    paid_cents: Arr


def loan_products() -> pa.Table:
    """The product catalogue (written once, with chunk 0)."""
    return pa.table(
        {
            "product_code": [p[0] for p in PRODUCTS],
            "name": [p[1] for p in PRODUCTS],
            "min_amount_cents": [p[2] * 100 for p in PRODUCTS],
            "max_amount_cents": [p[3] * 100 for p in PRODUCTS],
            "min_term_months": [p[4] for p in PRODUCTS],
            "max_term_months": [p[5] for p in PRODUCTS],
            "min_rate_bp": [p[6] for p in PRODUCTS],
            "max_rate_bp": [p[7] for p in PRODUCTS],
        }
    )


def loan_tables(
    params: UniverseParams, chunk: int, firms: Firms, apps: Applications
) -> tuple[dict[str, pa.Table], LoanBook]:
    """Build ``loans``, ``repayment_schedules`` and ``repayments`` of the chunk, and the loan arrays."""
    g = rng(params, chunk, Stream.LOANS)
    as_of = params.as_of_day
    app = np.flatnonzero(apps.approved)
    k = len(app)
    firm = apps.row[app]
    disbursed = apps.applied_at[app].astype("datetime64[D]") + g.integers(0, 3, k).astype("timedelta64[D]")
    disbursed = np.minimum(disbursed, as_of)
    principal = np.maximum(np.round(apps.amount_cents[app] * g.uniform(0.6, 1.0, k) / 100_000) * 100_000, 1_000_000)
    spec = np.array([p[6:] for p in PRODUCTS], dtype=np.int64)[apps.product[app]]
    price = np.clip(0.5 - 0.2 * firms.views["bureau"][firm] + g.normal(0, 0.1, k), 0.0, 1.0)
    rate_bp = np.round(spec[:, 0] + (spec[:, 1] - spec[:, 0]) * price).astype(np.int64)
    term = apps.term[app]
    loan_id = ascii_strings(literal_matrix("LN", k), digit_matrix(firms.index[firm], 10))
    defaulted = apps.defaulted[app]
    missed_due = add_months(disbursed, apps.default_instalment[app])
    default_date = np.where(defaulted, missed_due + _DEFAULT_AFTER_MISSED, np.datetime64("NaT", "D"))
    lead = g.integers(LEAD_DAYS[0], LEAD_DAYS[1] + 1, k).astype("timedelta64[D]")
    deterioration = np.maximum(default_date - lead, disbursed + np.timedelta64(7, "D"))
    loans = pa.table(
        {
            "loan_id": loan_id,
            "application_id": apps.application_id.take(pa.array(app)),
            "credit_code": ids.credit_codes(params.seed, firms.index[firm]),
            "disbursed_date": disbursed,
            "principal_cents": principal.astype(np.int64),
            "term_months": term.astype(np.int64),
            "rate_bp": rate_bp,
        }
    )
    schedule, paid = _schedule(
        g,
        rng(params, chunk, Stream.REPAYMENT_DETAIL),
        loan_id,
        disbursed=disbursed,
        principal=principal,
        rate_bp=rate_bp,
        term=term,
        missed_due=missed_due,
        defaulted=defaulted,
        deterioration=deterioration,
        as_of=as_of,
        firm_index=firms.index[firm],
    )
    book = LoanBook(
        app=app,
        firm=firm,
        disbursed=disbursed,
        principal_cents=principal.astype(np.int64),
        default_date=default_date,
        deterioration_start=deterioration,
        paid_loan=paid[0],
        paid_day=paid[1],
        paid_cents=paid[2],
    )
    return {"loans": loans, "repayment_schedules": schedule[0], "repayments": schedule[1]}, book


def _schedule(
    g: np.random.Generator,
    detail: np.random.Generator,
    loan_id: pa.Array,
    *,
    disbursed: Arr,
    principal: Arr,
    rate_bp: Arr,
    term: Arr,
    missed_due: Arr,
    defaulted: Arr,
    deterioration: Arr,
    as_of: np.datetime64,
    firm_index: Arr,
) -> tuple[tuple[pa.Table, pa.Table], tuple[Arr, Arr, Arr]]:
    loan = segment_ids(term)
    inst = rank_in_segment(term) + 1
    r = rate_bp[loan] / 10_000 / 12
    growth = (1 + r) ** term[loan]
    payment = principal[loan] * r * growth / (growth - 1)
    before = principal[loan] * (1 + r) ** (inst - 1) - payment * ((1 + r) ** (inst - 1) - 1) / r
    interest = np.round(before * r).astype(np.int64)
    principal_due = np.round(payment - before * r).astype(np.int64)
    last = inst == term[loan]
    paid_so_far = np.bincount(loan, weights=np.where(last, 0, principal_due), minlength=len(term))
    principal_due = np.where(last, principal[loan].astype(np.int64) - paid_so_far[loan].astype(np.int64), principal_due)
    due = add_months(disbursed[loan], inst)
    schedule = pa.table(
        {
            "loan_id": loan_id.take(pa.array(loan)),
            "installment_no": inst.astype(np.int64),
            "due_date": due,
            "principal_due_cents": principal_due,
            "interest_due_cents": interest,
        }
    )
    missed = defaulted[loan] & (due >= missed_due[loan])
    stressed = defaulted[loan] & (due >= deterioration[loan])
    delay = np.where(stressed, g.integers(0, 25, len(loan)), g.integers(-3, 2, len(loan)))
    # healthy borrowers slip now and then (a few days to weeks late): days-past-due alone raises false alarms
    slip = ~stressed & (detail.random(len(loan)) < _SLIP_RATE)
    delay = np.where(slip, detail.integers(2, 21, len(loan)), delay)
    paid_day = due + delay.astype("timedelta64[D]")
    paid_day = np.maximum(paid_day, disbursed[loan] + np.timedelta64(1, "D"))
    # a stressed instalment is often paid in two parts, the rest days to weeks later
    split = ~missed & (detail.random(len(loan)) < np.where(stressed, 0.35, 0.01))
    first_share = detail.uniform(0.3, 0.8, len(loan))
    rest_day = paid_day + detail.integers(3, 31, len(loan)).astype("timedelta64[D]")
    owed = principal_due + interest
    first = np.where(split, np.round(owed * first_share).astype(np.int64), owed)
    part_loan = np.concatenate([loan, loan[split]])
    part_inst = np.concatenate([inst, inst[split]])
    part_day = np.concatenate([paid_day, rest_day[split]])
    part_due = np.concatenate([due, due[split]])
    part_cents = np.concatenate([first, (owed - first)[split]])
    part_no = np.concatenate([np.zeros(len(loan), np.int64), np.ones(int(split.sum()), np.int64)])
    pays = np.concatenate([~missed, np.ones(int(split.sum()), bool)]) & (part_day <= as_of)
    order = np.flatnonzero(pays)[np.lexsort((part_no[pays], part_inst[pays], part_loan[pays]))]
    n = len(order)
    repayments = pa.table(
        {
            "repayment_id": ascii_strings(
                literal_matrix("RP", n),
                digit_matrix(firm_index[part_loan[order]], 10),
                digit_matrix(part_inst[order], 3),
                digit_matrix(part_no[order], 1),
            ),
            "loan_id": loan_id.take(pa.array(part_loan[order])),
            "installment_no": part_inst[order].astype(np.int64),
            "paid_date": part_day[order],
            "amount_cents": part_cents[order],
            "days_past_due": np.maximum((part_day[order] - part_due[order]).astype(np.int64), 0),
        }
    )
    return (schedule, repayments), (part_loan[order], part_day[order], part_cents[order])
