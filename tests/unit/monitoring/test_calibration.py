"""Behaviour cut-offs per level: the lowest that keep a training period's false alarms within each level's budget."""

from __future__ import annotations

import pytest

from riskloop.errors import ValidationError
from riskloop.monitoring.calibration import propose_cutoffs

# Ten good loan-months (PD 0.01 ... 0.10) and two bad ones; the other rules warn the 0.09 one and notice two.
PD = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.5, 0.3]
BAD = [0] * 10 + [1, 1]
OTHER = [1, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]


def _false_alarms(cut: float, level_rank: int) -> int:
    return sum(1 for p, b, o in zip(PD, BAD, OTHER, strict=True) if b == 0 and (o >= level_rank or p >= cut))


def test_cutoffs_spend_what_the_other_rules_leave_of_each_budget() -> None:
    got = propose_cutoffs(PD, BAD, OTHER, {"warning": 200.0, "attention": 300.0, "notice": 500.0})
    # warning: 2 allowed, the 0.09 one spent -> one more: the 0.10 one; the cut sits just above 0.08
    # attention: 3 allowed, 1 spent -> 0.10 and 0.08 -> just above 0.07
    # notice: 5 allowed, 3 spent (0.01, 0.02, 0.09) -> 0.10, 0.08 -> just above 0.07
    assert got == {"warning": 0.080001, "attention": 0.070001, "notice": 0.070001}
    assert [_false_alarms(got[k] or 1.0, r) for k, r in (("warning", 3), ("attention", 2), ("notice", 1))] == [2, 3, 5]


def test_a_level_whose_other_rules_exceed_the_budget_gets_no_rule() -> None:
    assert propose_cutoffs(PD, BAD, OTHER, {"notice": 100.0}) == {"notice": None}


def test_unknown_levels_and_no_good_months_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown level"):
        propose_cutoffs(PD, BAD, OTHER, {"alarm": 10.0})
    with pytest.raises(ValidationError, match="no good"):
        propose_cutoffs([0.1], [1], [0])
    assert propose_cutoffs(PD, BAD, [0] * 12, {"warning": 0.0}) == {"warning": 0.100001}  # above every good one
