"""The chunk's collection tables and their truth: cases, rounds, calls, transcripts, QA reviews.

Everything is drawn from streams of its own (``Stream.COLLECTION``, ``DEBTORS``, ``RESPONSES``, ``TRANSCRIPTS``,
``CALL_REVIEWS``, ``PHRASING``), after every other table is built, so no earlier table changes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth.arrays import Arr
from riskloop.synth.collection import actions_table, responses_table, simulate
from riskloop.synth.collection_cases import Cases, Payments, overdue_cases
from riskloop.synth.collection_response import DEBTOR_TYPES, DebtorFacts, Debtors, draw_debtors
from riskloop.synth.firms import STATUS_ACTIVE, Firms
from riskloop.synth.loans import LoanBook
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.postloan import PostLoan
from riskloop.synth.transcripts import CallContext, transcript_tables

COLLECTION_RESPONSES, COLLECTION_CASES, CALL_LABELS = "collection_responses", "collection_cases", "call_labels"
CALL_HARD_NEGATIVES = "call_hard_negatives"
_TS = pa.timestamp("us", tz="UTC")
TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    COLLECTION_RESPONSES: pa.schema(
        [
            ("case_id", pa.string()),
            ("round_no", pa.int64()),
            ("arm", pa.string()),
            ("p_promise", pa.float64()),
            ("p_cure", pa.float64()),
            ("expected_paid_cents", pa.float64()),
            ("p_complaint", pa.float64()),
            ("promise", pa.bool_()),
            ("paid_cents", pa.int64()),
            ("cured", pa.bool_()),
            ("complaint", pa.bool_()),
        ]
    ),
    COLLECTION_CASES: pa.schema(
        [
            ("case_id", pa.string()),
            ("debtor_type", pa.string()),
            ("capacity", pa.float64()),
            ("willingness", pa.float64()),
            ("evening_affinity", pa.float64()),
            ("loan_defaults", pa.bool_()),
        ]
    ),
    CALL_LABELS: pa.schema(
        [("call_id", pa.string()), ("issue_type", pa.string()), ("turn_no", pa.int64()), ("family", pa.string())]
    ),
    CALL_HARD_NEGATIVES: pa.schema(
        [("call_id", pa.string()), ("turn_no", pa.int64()), ("kind", pa.string()), ("family", pa.string())]
    ),
}


def collection_tables(  # noqa: PLR0917 - the chunk's parts, as every table builder takes them
    params: UniverseParams, chunk: int, firms: Firms, book: LoanBook, plan: PostLoan, tables: dict[str, pa.Table]
) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """Build the chunk's collection tables (contract) and their truth.

    Parameters
    ----------
    params, chunk :
        The universe and the chunk.
    firms, book, plan :
        The chunk's firms, loan book and post-loan plan.
    tables : dict
        The chunk's contract tables built so far (``loans``, ``repayment_schedules``, ``repayments``).

    Returns
    -------
    tuple of dict
        Contract tables by name and truth tables by name.

    """
    repayments = tables["repayments"]
    paid = Payments(
        loan=book.paid_loan,
        installment=repayments["installment_no"].to_numpy(),
        day=book.paid_day.astype("datetime64[D]"),
        cents=book.paid_cents,
    )
    term = tables["loans"]["term_months"].to_numpy()
    cases = overdue_cases(
        tables["repayment_schedules"], paid, term=term, firm_index=firms.index[book.firm], as_of=params.as_of_day
    )
    facts = debtor_facts(firms, book, plan, cases)
    debtors = draw_debtors(rng(params, chunk, Stream.DEBTORS), facts)
    history = simulate(
        rng(params, chunk, Stream.COLLECTION),
        rng(params, chunk, Stream.RESPONSES),
        cases,
        facts,
        debtors,
        params.as_of_day,
    )
    out = {"collection_cases": cases_table(cases, tables["loans"]), "collection_actions": actions_table(cases, history)}
    calls = CallContext.of(cases, history, facts, debtors, out["collection_actions"])
    observed, labels, negatives = transcript_tables(
        rng(params, chunk, Stream.TRANSCRIPTS),
        rng(params, chunk, Stream.CALL_REVIEWS),
        rng(params, chunk, Stream.PHRASING),
        calls,
        params,
    )
    out.update(observed)
    truth = {
        COLLECTION_RESPONSES: responses_table(cases, history),
        COLLECTION_CASES: _case_truth(cases, debtors, facts),
        CALL_LABELS: labels,
        CALL_HARD_NEGATIVES: negatives,
    }
    return out, truth


def debtor_facts(firms: Firms, book: LoanBook, plan: PostLoan, cases: Cases) -> DebtorFacts:
    """What is known of each case's debtor at opening (plus whether the loan goes on to default, latent)."""
    row = book.firm[cases.loan]
    capital_cny = np.maximum(firms.capital_cents[row] / 100, 1.0)
    principal_cny = np.maximum(book.principal_cents[cases.loan] / 100, 1.0)
    drop = plan.depth[cases.loan] * plan.stress(cases.loan, cases.opened)
    drop = drop + plan.dip_depth[cases.loan] * plan.dipping(cases.loan, cases.opened)
    return DebtorFacts(
        individual=firms.individual[row].astype(bool),
        section=firms.section[row].astype(np.int64),
        capital_z=(np.log10(capital_cny) - 5.3) / 0.8,
        loan_z=(np.log10(principal_cny) - 5.3) / 0.4,
        deterioration=np.clip(drop, 0.0, 1.0),
        abnormal=firms.status[row] != STATUS_ACTIVE,
        defaulted=plan.defaulted[cases.loan].astype(bool),
        dpd_at_open=cases.dpd_at_open,
    )


def cases_table(cases: Cases, loans: pa.Table) -> pa.Table:
    """The ``collection_cases`` rows of the chunk."""
    return pa.table(
        {
            "case_id": cases.case_id,
            "loan_id": loans["loan_id"].take(pa.array(cases.loan)),
            "credit_code": loans["credit_code"].take(pa.array(cases.loan)),
            "opened_date": pa.array(cases.opened, pa.date32()),
            "overdue_amount_cents": cases.overdue_cents,
            "outstanding_cents": cases.outstanding_cents,
            "dpd_at_open": cases.dpd_at_open,
        }
    )


def _case_truth(cases: Cases, debtors: Debtors, facts: DebtorFacts) -> pa.Table:
    kind: Arr = debtors.kind
    return pa.table(
        {
            "case_id": cases.case_id,
            "debtor_type": pa.array([DEBTOR_TYPES[k] for k in kind.tolist()], pa.string()),
            "capacity": debtors.capacity,
            "willingness": debtors.willingness,
            "evening_affinity": debtors.evening,
            "loan_defaults": facts.defaulted,
        }
    )
