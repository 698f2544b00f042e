"""Judging the book with the warning policy, evaluating only what changed since an earlier judgement.

A verdict is a function of the policy's content and the loan's policy input (``CONTEXT_COLUMNS``: its signals,
score inputs, industry section and enterprise kind) and of nothing else. So a run keeps, per loan, the input it
judged and the policy's result (``Judged``), and the next run, given that judgement:

- keeps the result of every loan whose input is equal, column by column (empty equals empty), to the one judged,
  when the policy is the same version with the same content (sha256; else everything is evaluated again);
- evaluates each **distinct** input among the other loans once and hands its result to every loan that has it.

The results are those of evaluating every loan (tested on random books against ``evaluate_many`` of each).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from riskloop.monitoring.engine import SIGNALS_SCHEMA
from riskloop.monitoring.policy import CONTEXT_COLUMNS, policy_context
from riskloop.rules.engine import RuleOutcome

RESULT = "result"  # the policy's output of a loan, as JSON
JUDGED_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        *[SIGNALS_SCHEMA.field(c) if c in SIGNALS_SCHEMA.names else pa.field(c, pa.float64()) for c in CONTEXT_COLUMNS],
        (RESULT, pa.string()),
    ]
)
Evaluate = Callable[[Sequence[Mapping[str, Any]]], list[RuleOutcome]]  # the policy on a batch of inputs


@dataclass(frozen=True)
class Judged:
    """The inputs and results of a run's policy (``JUDGED_SCHEMA``), and the policy (key, content sha256)."""

    policy: str
    digest: str
    table: pa.Table


@dataclass(frozen=True)
class Judgement:
    """What judging the book gave: the outcome of every loan, in the order of the rows, and what to keep.

    ``kept``: loans that kept an earlier result; ``evaluated``: distinct inputs the policy was run on.
    """

    outcomes: list[RuleOutcome]
    judged: Judged | None
    kept: int
    evaluated: int


def context_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The loans' ids and policy inputs (``JUDGED_SCHEMA`` without the result) of signal rows."""
    fields = [f for f in JUDGED_SCHEMA if f.name != RESULT]
    return pa.table([pa.array([r.get(f.name) for r in rows], f.type) for f in fields], schema=pa.schema(fields))


def unchanged(now: pa.Table, before: pa.Table) -> tuple[list[bool], pa.Array]:
    """Per row of ``now``: whether ``before`` has its loan with an equal input in every column (nulls equal).

    Also the row of each loan in ``before`` (null when absent).
    """
    index = {loan: i for i, loan in enumerate(before["loan_id"].to_pylist())}
    at = pa.array([index.get(loan) for loan in now["loan_id"].to_pylist()], pa.int64())
    then = before.take(at)
    same = pc.is_valid(at)
    for column in CONTEXT_COLUMNS:
        a, b = now[column], then[column]
        equal = pc.fill_null(pc.equal(a, b), fill_value=False)
        same = pc.and_(same, pc.or_(equal, pc.and_(pc.is_null(a), pc.is_null(b))))
    return [bool(x) for x in same.to_pylist()], at


def judge(rows: Sequence[Mapping[str, Any]], key: str, evaluate: Evaluate, earlier: Judged | None) -> Judgement:
    """The policy's outcome of each row (see the module): equal inputs keep ``earlier``'s results, if of ``key``."""
    inputs = context_table(rows)
    keep, kept_results = [False] * len(rows), None
    if earlier is not None and earlier.policy == key:
        keep, at = unchanged(inputs, earlier.table)
        kept_results = earlier.table[RESULT].take(at).to_pylist()
    todo = [i for i, kept in enumerate(keep) if not kept]
    if rows and not todo:  # nothing changed: one evaluation tells whether the policy's content did
        todo = [0]
    outcomes, evaluated = _distinct(rows, todo, evaluate)
    digest = next((o.sha256 for o in outcomes.values() if o.sha256), None)
    if kept_results is not None and earlier is not None and digest != earlier.digest:  # the content changed
        (outcomes, evaluated), kept_results = _distinct(rows, range(len(rows)), evaluate), None
    out, results = [], []
    for i in range(len(rows)):
        outcome = outcomes.get(i)
        if outcome is not None:
            out.append(outcome)
            results.append(None if outcome.error is not None else json.dumps(outcome.result, sort_keys=True))
        elif kept_results is not None and earlier is not None:
            text = kept_results[i]
            out.append(RuleOutcome(key, json.loads(text), (), None, earlier.digest))
            results.append(text)
    judged = None
    if digest is not None and None not in results:
        judged = Judged(key, digest, inputs.append_column(RESULT, pa.array(results, pa.string())))
    return Judgement(out, judged, len(rows) - len(outcomes), evaluated)


def _distinct(
    rows: Sequence[Mapping[str, Any]], chosen: Iterable[int], evaluate: Evaluate
) -> tuple[dict[int, RuleOutcome], int]:
    """The outcome of each chosen row, each distinct input evaluated once; and how many were."""
    first: dict[tuple[Any, ...], int] = {}  # an input, and the first row that has it
    of_row = {i: first.setdefault(tuple(rows[i].get(c) for c in CONTEXT_COLUMNS), i) for i in chosen}
    found = dict(zip(first.values(), evaluate([policy_context(rows[i]) for i in first.values()]), strict=True))
    return {i: found[j] for i, j in of_row.items()}, len(first)
