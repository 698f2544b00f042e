"""The time budget of `train`: each ensemble fit's search window from the time left, the run bounded."""

from __future__ import annotations

import pytest

from riskloop.modeling.ensemble import EnsembleConfig
from riskloop.service.train_budget import (
    NO_WINDOW,
    RESERVE_SHARE,
    BudgetPlan,
    FixedPlan,
    budget_plan,
    budgeted,
    search_wall,
    table_weights,
)

KINDS = ("scorecard", "gbdt", "catboost")
FOLDS = 5
WEIGHTS = [(FOLDS - 1) / FOLDS] * FOLDS + [1.0]  # five cross-validation fits, then the final one on every row
USABLE = 600.0 * (1 - RESERVE_SHARE)  # of a 10-minute budget, what the fits may take


class ManualClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _plan(minutes: float = 10.0, n_jobs: int = 2) -> tuple[BudgetPlan, ManualClock]:
    clock = ManualClock()
    config = budgeted(EnsembleConfig(kinds=KINDS, n_jobs=n_jobs), minutes, ensembles=FOLDS + 1)
    return BudgetPlan(config, minutes, WEIGHTS, started=0.0, clock=clock), clock


def _searched(*seconds: float) -> dict[str, dict[str, list[dict[str, float]]]]:
    """A fit's search history: per sub-model, an untuned first trial of 7 s, then trials of ``seconds`` each."""
    trials = [{"number": 0, "seconds": 7.0}] + [{"number": i + 1, "seconds": s} for i, s in enumerate(seconds)]
    return {"all:gbdt": {"trials": trials}, "all:catboost": {"trials": trials}}


def _run(plan: BudgetPlan, clock: ManualClock, fixed_per_weight: float) -> list[float]:
    """Simulate a run whose fits cost ``fixed_per_weight`` per unit of weight and search their whole window."""
    caps = []
    for fit, weight in enumerate(WEIGHTS):
        cap = plan.before(fit).tune_seconds
        assert cap is not None
        caps.append(cap)
        search = 0.0 if cap == NO_WINDOW else cap  # two trees on two threads: the window is each one's cap
        clock.now += fixed_per_weight * weight + search
        plan.record(fit, _searched(search) if search else _searched())
    return caps


def test_before_anything_is_measured_the_search_gets_its_share_of_the_fits_part() -> None:
    plan, _ = _plan()
    # 600 s × 60 % × this fit's 0.8 of the 5.0 units of weight; two trees on two threads search at once.
    assert plan.before(0).tune_seconds == pytest.approx(600 * 0.6 * 0.8 / 5.0)
    plan_one_thread, _ = _plan(n_jobs=1)
    assert plan_one_thread.before(0).tune_seconds == pytest.approx(600 * 0.6 * 0.8 / 5.0 / 2)  # one at a time


def test_the_time_left_after_the_measured_untuned_cost_is_shared_by_weight() -> None:
    plan, clock = _plan()
    plan.before(0)
    clock.now = 70.0
    plan.record(0, _searched(30.0, 27.6))  # 57.6 s of search: 12.4 s of untuned cost for 0.8 of weight
    fixed = (70.0 - 57.6) / 0.8
    left = USABLE - 70.0 - fixed * (0.8 * 4 + 1.0)
    assert plan.before(1).tune_seconds == pytest.approx(left * 0.8 / 4.2)


def test_a_run_whose_costs_are_as_measured_ends_on_the_budget() -> None:
    for fixed in (5.0, 30.0, 60.0, 90.0):
        plan, clock = _plan()
        caps = _run(plan, clock, fixed)
        assert all(c > NO_WINDOW for c in caps), fixed
        # Every second left went to the search, none beyond; the reserve is kept for what follows the last fit.
        assert clock.now == pytest.approx(USABLE), fixed
        assert plan.note(clock.now)["over_budget_seconds"] == 0.0


def test_fits_that_alone_outlast_the_budget_are_not_searched_and_the_overrun_is_reported() -> None:
    plan, clock = _plan(minutes=2.0)
    caps = _run(plan, clock, fixed_per_weight=60.0)  # 300 s of untuned fits against a 120 s budget
    assert caps[0] == pytest.approx(120 * 0.6 * 0.8 / 5.0)  # the first fit did not know yet
    assert caps[1:] == [NO_WINDOW] * FOLDS  # every later fit runs its untuned first trial only
    note = plan.note(clock.now)
    assert note["budget_seconds"] == 120.0
    assert len(note["search_windows"]) == len(note["fit_seconds"]) == FOLDS + 1
    assert note["over_budget_seconds"] == pytest.approx(clock.now - 120.0, abs=0.1)
    assert note["over_budget_seconds"] > 180


def test_a_slower_later_fit_raises_the_cost_set_aside_for_the_rest() -> None:
    plan, clock = _plan()
    plan.before(0)
    clock.now = 20.0
    plan.record(0, _searched())  # 20 s untuned, no search
    plan.before(1)
    clock.now = 120.0
    plan.record(1, _searched())  # 100 s untuned: the largest measured cost is the one kept
    left = USABLE - 120.0 - 100.0 / 0.8 * (0.8 * 3 + 1.0)
    assert plan.before(2).tune_seconds == pytest.approx(max(left, 0.0) * 0.8 / 3.4)


def test_a_search_past_its_window_counts_the_overrun_as_cost_the_later_fits_pay() -> None:
    plan, clock = _plan()
    window = plan.before(0).tune_seconds
    assert window == pytest.approx(57.6)
    clock.now = 120.0
    plan.record(0, _searched(40.0, 40.0))  # 80 s of trials in a 57.6 s window: the last one ran 22.4 s past it
    fixed = (120.0 - 57.6) / 0.8  # not (120 - 80) / 0.8: the later searches may overrun as well
    assert plan.before(1).tune_seconds == pytest.approx((USABLE - 120.0 - fixed * 4.2) * 0.8 / 4.2)


def test_search_wall_counts_sub_models_searching_side_by_side_once() -> None:
    tuning = {
        "a": {"trials": [{"number": 0, "seconds": 9.0}, {"number": 1, "seconds": 4.0}, {"number": 2, "seconds": 6.0}]},
        "b": {"trials": [{"number": 0, "seconds": 9.0}, {"number": 1, "seconds": 2.0}]},
    }
    assert search_wall(tuning, n_jobs=2) == 10.0  # side by side: the longer search, first trials left out
    assert search_wall(tuning, n_jobs=1) == 12.0  # one after the other
    assert search_wall({}, n_jobs=2) == 0.0


def test_no_budget_or_no_search_keeps_the_configuration() -> None:
    searched = budgeted(EnsembleConfig(kinds=KINDS), 10.0, ensembles=6)
    untuned = EnsembleConfig(kinds=KINDS)  # as for a table of too few bads: not searched
    for config, minutes in ((searched, None), (untuned, 10.0)):
        fixed = budget_plan(config, minutes, WEIGHTS, 0.0)
        assert isinstance(fixed, FixedPlan)
        assert fixed.before(3) is config  # every fit keeps the configuration, and no budget is reported
        assert fixed.note(12.0) is None
    plan = budget_plan(searched, 10.0, table_weights(FOLDS), 0.0)
    assert isinstance(plan, BudgetPlan)
    assert plan.weights == WEIGHTS  # five folds of 4/5 of the rows, then the final fit on all of them
