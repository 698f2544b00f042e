"""Judging the book evaluates each distinct changed input once and gives the verdicts of evaluating every loan."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from riskloop.monitoring.judging import Judged, judge
from riskloop.monitoring.policy import CONTEXT_COLUMNS, POLICY_NAME, POLICY_V2, POLICY_VERSION, policy_context
from riskloop.monitoring.signals import SIGNAL_NAMES
from riskloop.monitoring.store import SignalStore
from riskloop.rules.engine import RuleOutcome, strategy_key
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine

ENGINE = ZenRuleEngine(PackageStrategyLoader())
V1, V2 = strategy_key(POLICY_NAME, POLICY_VERSION), strategy_key(POLICY_NAME, POLICY_V2)
COUNTS = {"days_past_due", "new_lawsuits", "new_enforcements", "dishonest_listed", "abnormal_listed", "new_penalties",
          "legal_rep_changes", "shareholder_changes", "equity_frozen", "bureau_new_lenders", "bureau_overdue_loans",
          "bureau_max_dpd", "nonbank_inquiries"}  # fmt: skip


class Counted:
    """The policy on a batch of inputs, counting the inputs it was run on."""

    def __init__(self, key: str) -> None:
        self.key, self.inputs = key, 0

    def __call__(self, contexts: Sequence[Mapping[str, Any]]) -> list[RuleOutcome]:
        self.inputs += len(contexts)
        return ENGINE.evaluate_many(self.key, contexts)


def _value(rng: random.Random, name: str) -> Any:
    if rng.random() < 0.25:
        return None if name != "days_past_due" else 0
    if name in COUNTS:
        return rng.choice([0, 0, 0, 1, 2, 3, 12, 35, 95])
    return rng.choice([0.0, 0.15, 0.45, 0.55, 0.65, 0.75, 1.2, -0.3, rng.random() * 2 - 0.5])


def _row(rng: random.Random, n: int) -> dict[str, Any]:
    row: dict[str, Any] = {"loan_id": f"LN{n:06d}", "credit_code": f"C{n:06d}"}
    row |= {name: _value(rng, name) for name in SIGNAL_NAMES}
    row["behaviour_pd"] = rng.choice([None, 0.01, 0.07, 0.09, rng.random() / 5])
    row["industry_section"] = rng.choice(["A", "C", "F", "H", "R", None])
    row["enterprise_kind"] = rng.choice(["company", "individual_business"])
    return row


def _book(rng: random.Random, size: int) -> list[dict[str, Any]]:
    rows = [_row(rng, n) for n in range(size)]
    for n in range(0, size, 7):  # healthy loans often share an input
        rows[n] |= {c: rows[1][c] for c in CONTEXT_COLUMNS}
    return rows


def _next_day(rng: random.Random, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Some loans repaid, some new, and of the others some inputs moved (a signal, the section, the score)."""
    out = [dict(r) for r in rows if rng.random() > 0.05]
    for row in out:
        if rng.random() < 0.4:
            column = rng.choice(CONTEXT_COLUMNS)
            if column in ("industry_section", "enterprise_kind"):
                row[column] = rng.choice(["C", "F"]) if column == "industry_section" else "individual_business"
            elif column == "behaviour_pd":
                row[column] = None if row[column] is not None else 0.09
            else:
                row[column] = None if row[column] is not None and rng.random() < 0.3 else _value(rng, column)
    return out + [_row(rng, 10_000 + n) for n in range(20)]


def _results(outcomes: Sequence[RuleOutcome]) -> list[Mapping[str, Any]]:
    assert all(o.ok for o in outcomes)
    return [o.result for o in outcomes]


def _each(key: str, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return _results([ENGINE.evaluate(key, policy_context(r)) for r in rows])


def _distinct(rows: Sequence[Mapping[str, Any]]) -> int:
    return len({tuple(r[c] for c in CONTEXT_COLUMNS) for r in rows})


@pytest.mark.parametrize("key", [V1, V2])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_day_after_day_the_verdicts_are_those_of_evaluating_every_loan(key: str, seed: int, tmp_path: Path) -> None:
    rng, store = random.Random(seed), SignalStore(tmp_path)
    rows, day = _book(rng, 400), dt.date(2026, 6, 1)
    first = Counted(key)
    judgement = judge(rows, key, first, store.latest_judged(day))
    assert _results(judgement.outcomes) == _each(key, rows)
    assert first.inputs == judgement.evaluated == _distinct(rows) < len(rows)  # each distinct input once
    assert judgement.judged is not None
    store.write_judged(day, judgement.judged)
    for _ in range(3):
        before, rows, day = rows, _next_day(rng, rows), day + dt.timedelta(days=1)
        counted = Counted(key)
        judgement = judge(rows, key, counted, store.latest_judged(day))
        assert _results(judgement.outcomes) == _each(key, rows)
        earlier = {r["loan_id"]: tuple(r[c] for c in CONTEXT_COLUMNS) for r in before}
        moved = [r for r in rows if earlier.get(r["loan_id"]) != tuple(r[c] for c in CONTEXT_COLUMNS)]
        assert 0 < counted.inputs == _distinct(moved) < len(rows) / 2  # only what changed or is new
        assert judgement.kept == len(rows) - len(moved)
        assert judgement.judged is not None
        store.write_judged(day, judgement.judged)


def test_another_policy_or_content_evaluates_every_loan_again() -> None:
    rows = _book(random.Random(5), 120)
    judged = judge(rows, V1, Counted(V1), None).judged
    assert judged is not None
    other = Counted(V2)  # another version: nothing of v1 holds
    assert _results(judge(rows, V2, other, judged).outcomes) == _each(V2, rows)
    assert other.inputs == _distinct(rows)
    edited = dataclasses.replace(judged, digest="0" * 64)  # the same key with another content
    again = Counted(V1)
    outcome = judge(rows, V1, again, edited)
    assert _results(outcome.outcomes) == _each(V1, rows)
    assert (again.inputs, outcome.kept) == (1 + _distinct(rows), 0)  # one to learn the content, then all
    unchanged = Counted(V1)
    assert judge(rows, V1, unchanged, judged).kept == len(rows) - 1
    assert unchanged.inputs == 1


def test_a_policy_failure_is_an_outcome_and_nothing_is_kept() -> None:
    rows = _book(random.Random(6), 10)
    judgement = judge(rows, "no-such-policy@1", Counted("no-such-policy@1"), None)
    assert all(not o.ok for o in judgement.outcomes)
    assert judgement.judged is None
    empty = judge([], V1, Counted(V1), None)
    assert (empty.outcomes, empty.judged, empty.kept, empty.evaluated) == ([], None, 0, 0)


def test_stored_judgements_of_another_shape_are_not_read(tmp_path: Path) -> None:
    store = SignalStore(tmp_path)
    judged = judge(_book(random.Random(7), 5), V1, Counted(V1), None).judged
    assert isinstance(judged, Judged)
    store.write_judged(dt.date(2026, 6, 2), judged)
    assert store.latest_judged(dt.date(2026, 6, 1)) is None  # only days up to the run's
    found = store.latest_judged(dt.date(2026, 6, 30))
    assert found is not None
    assert (found.policy, found.digest, found.table.equals(judged.table)) == (V1, judged.digest, True)
    narrower = dataclasses.replace(judged, table=judged.table.drop_columns(["behaviour_pd"]))
    path = store.write_judged(dt.date(2026, 6, 3), judged)
    pq.write_table(narrower.table.replace_schema_metadata(pq.read_schema(path).metadata), path)
    assert store.latest_judged(dt.date(2026, 6, 3)) is None  # written before a column was added: evaluated again
