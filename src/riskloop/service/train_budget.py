"""The training time budget (``riskloop train --budget-minutes``): how many seconds each tree sub-model may search.

A budget turns on the nested hyper-parameter search of the tree sub-models (``modeling.tuning``) and bounds
the run's wall time. What runs whatever the budget is paid first: reading and preparing the table, each
sub-model's untuned first trial, the scorecards, the stacker, and ``RESERVE_SHARE`` of the budget kept for what
follows the last fit. The search gets what is left. The run fits several ensembles one after another (one per
cross-validation fold, then the final one), and ``BudgetPlan`` gives each its search window when it starts:
before anything is measured, ``TUNING_SHARE`` of its part of the budget; after, its part of the time left once
the untuned cost measured so far is set aside for every fit still to come. Within an ensemble the window is
shared by the tree sub-models, which run ``n_jobs`` at a time. A table whose untuned fits alone take longer
than the budget is fitted untuned, and the report says by how much the run went over. No budget keeps the
untuned settings (``make demo`` stays fast).

Fewer than ``SEARCH_MIN_BADS`` training bads (a table's, or the workspace's) are not searched, whatever the
budget: on so few bads the inner folds cannot tell settings apart, and the search's winner is partly luck
(German credit, 300 bads: 0.7910 searched against 0.7975 untuned; Polish bankruptcy, 271 bads: 0.9578 against
0.9583; ADR 0039).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from riskloop.errors import ValidationError
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig
from riskloop.scoring.model import CATBOOST, GBDT, SCORECARD, TREES

TABLE_KINDS = (SCORECARD, GBDT, CATBOOST)  # a table's learner set: the scorecard for its reasons, two boosters
TABLE_BUDGET_MINUTES = 10.0  # `train --csv` default
TUNING_SHARE = 0.6
MAX_TRIALS = 40  # a search this long has converged on tables of this kind; the budget usually stops it first
MAX_JOBS = 4
SEARCH_MIN_BADS = 1_000  # fewer bads: no search (module docstring)
NO_WINDOW = 1e-3  # seconds: a search with no time left runs its untuned first trial only
# The budget's share kept for what follows the last fit (scoring every row for the report, the report, the bundle)
# and for a last search trial running past its window.
RESERVE_SHARE = 0.03


def default_jobs() -> int:
    """Threads fitting sub-models at once: the machine's cores, at most ``MAX_JOBS``."""
    return max(1, min(MAX_JOBS, os.cpu_count() or 1))


def budgeted(
    config: EnsembleConfig, budget_minutes: float | None, ensembles: int, bads: int | None = None
) -> EnsembleConfig:
    """``config`` with the search that fits ``budget_minutes`` over ``ensembles`` ensemble fits (None: no search).

    ``bads``, the training bads when known: below ``SEARCH_MIN_BADS`` there is no search.

    Examples
    --------
    >>> c = budgeted(EnsembleConfig(kinds=("scorecard", "gbdt", "catboost"), n_jobs=2), 10.0, ensembles=6)
    >>> c.tune_trials, c.tune_seconds
    (40, 60.0)
    >>> budgeted(EnsembleConfig(kinds=("scorecard", "gbdt", "catboost")), 10.0, ensembles=6, bads=300).tune_trials
    0

    """
    if budget_minutes is not None and not budget_minutes > 0:
        raise ValidationError("budget_minutes", f"{budget_minutes}: must be a positive number of minutes")
    if budget_minutes is None or (bads is not None and bads < SEARCH_MIN_BADS):
        return config
    trees = [k for k in config.kinds if k in TREES]
    if not trees:
        return config
    per_ensemble = budget_minutes * 60.0 * TUNING_SHARE / max(ensembles, 1)
    seconds = per_ensemble * min(config.n_jobs, len(trees)) / len(trees)
    return replace(config, tune_trials=MAX_TRIALS, tune_seconds=round(seconds, 1))


def search_note(config: EnsembleConfig, budget_minutes: float | None, bads: int) -> dict[str, object]:
    """What the report says of the search: its trials per sub-model, or why there was none."""
    if config.tune_trials:
        # Each fit's search window is set as the run goes (``BudgetPlan``): the report's ``budget`` holds them.
        return {"searched": True, "trials": config.tune_trials}
    if budget_minutes is None:
        why = "no budget"
    elif bads < SEARCH_MIN_BADS:
        why = f"{bads} bads, fewer than {SEARCH_MIN_BADS}: settings cannot be told apart on so few"
    else:
        why = "no tree sub-model"
    return {"searched": False, "why": why}


class BudgetPlan:
    """Each ensemble fit's search window from the budget's time left (a ``modeling.ensemble.FoldPlan``).

    Parameters
    ----------
    config : EnsembleConfig
        The run's configuration with its search on (``budgeted``).
    budget_minutes : float
        The whole run's budget.
    weights : sequence of float
        Each ensemble fit's rows relative to the others, in the order they run: an untuned fit's cost is taken
        to grow with its rows (a cross-validation fold fits (k - 1) / k of the table, the final fit all of it).
    started : float
        When the run began on ``clock`` (reading the table counts).
    clock : callable
        Seconds, monotonic; ``time.perf_counter`` unless a test gives its own.

    Examples
    --------
    >>> config = budgeted(EnsembleConfig(kinds=("scorecard", "gbdt"), n_jobs=1), 1.0, ensembles=2)
    >>> plan = BudgetPlan(config, 1.0, [1.0, 1.0], started=0.0, clock=lambda: 0.0)
    >>> plan.before(0).tune_seconds  # nothing measured yet: the search's share of this fit's half of the minute
    18.0

    """

    def __init__(
        self,
        config: EnsembleConfig,
        budget_minutes: float,
        weights: Sequence[float],
        *,
        started: float,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.config = config
        self.budget = budget_minutes * 60.0
        self.weights = [float(w) for w in weights]
        self.started = started
        self.clock = clock
        self.windows: list[float] = []  # each fit's search window (seconds of wall time)
        self.walls: list[float] = []  # each fit's wall time
        self._fixed: float | None = None  # the untuned cost per unit of weight, the largest measured
        self._began = started
        self._window_given = 0.0  # the search window of the fit under way

    def before(self, fit: int) -> EnsembleConfig:
        """The configuration of fit ``fit``: its sub-models' search cap from the time left."""
        self._began = self.clock()
        window = self._window_given = self._window(fit, self._began)
        self.windows.append(round(window, 1))
        trees = max(1, sum(1 for k in self.config.kinds if k in TREES))
        per_model = window * min(self.config.n_jobs, trees) / trees
        return replace(self.config, tune_seconds=max(per_model, NO_WINDOW))

    def after(self, fit: int, model: Ensemble) -> None:
        """Fit ``fit`` ended with ``model``: measure it (``record``) from the search history it holds."""
        self.record(fit, model.training.get("tuning", {}))

    def record(self, fit: int, tuning: Mapping[str, Any]) -> None:
        """Measure fit ``fit``: its wall time less its search (``tuning``) is the cost the later fits will pay.

        A search counts at most its window: a last trial that ran past it is a cost the later fits will pay too.
        """
        wall = self.clock() - self._began
        self.walls.append(round(wall, 1))
        search = min(search_wall(tuning, self.config.n_jobs), self._window_given)
        fixed = max(wall - search, 0.0) / self.weights[fit]
        self._fixed = fixed if self._fixed is None else max(self._fixed, fixed)

    def _window(self, fit: int, now: float) -> float:
        weight, rest = self.weights[fit], sum(self.weights[fit:])
        if self._fixed is None:  # nothing measured: the search's share of this fit's part of the budget
            return self.budget * TUNING_SHARE * weight / sum(self.weights)
        left = self.budget * (1.0 - RESERVE_SHARE) - (now - self.started) - self._fixed * rest
        return max(0.0, left * weight / rest)

    def note(self, seconds: float) -> dict[str, Any]:
        """What the report says of the budget: the windows given, each fit's time, the run's, and any overrun."""
        return {
            "budget_seconds": self.budget,
            "search_windows": list(self.windows),
            "fit_seconds": list(self.walls),
            "seconds": round(seconds, 1),
            "over_budget_seconds": round(max(0.0, seconds - self.budget), 1),
        }


def search_wall(tuning: Mapping[str, Any], n_jobs: int) -> float:
    """Wall time an ensemble fit spent searching: its sub-models' trials after the first, ``n_jobs`` at a time."""
    spent = [sum(t["seconds"] for t in record["trials"] if t["number"] > 0) for record in tuning.values()]
    if not spent:
        return 0.0
    return float(max(*spent, sum(spent) / min(max(n_jobs, 1), len(spent))))


def budget_plan(
    config: EnsembleConfig, budget_minutes: float | None, weights: Sequence[float], started: float
) -> BudgetPlan | FixedPlan:
    """The plan of a run's ensemble fits (``weights``: their relative rows, in order); fixed without a search."""
    if budget_minutes is None or not config.tune_trials:
        return FixedPlan(config)
    return BudgetPlan(config, budget_minutes, weights, started=started)


def table_weights(folds: int) -> list[float]:
    """A table run's fits: ``folds`` cross-validation fits of (k - 1) / k of the rows, then the final one of all."""
    return [(folds - 1) / folds] * folds + [1.0]


class FixedPlan:
    """The plan of a run without a search: every fit keeps ``config``, and there is no budget to report."""

    def __init__(self, config: EnsembleConfig) -> None:
        self.config = config

    def before(self, fit: int) -> EnsembleConfig:
        """``config``, whatever the fit."""
        return self.config

    def after(self, fit: int, model: Ensemble) -> None:
        """Nothing to measure."""

    def note(self, seconds: float) -> None:
        """No budget: nothing to report."""
