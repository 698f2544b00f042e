"""The training time budget (``riskloop train --budget-minutes``): how many seconds each tree sub-model may search.

A budget turns on the nested hyper-parameter search of the tree sub-models (``modeling.tuning``). The search
gets ``TUNING_SHARE`` of the wall time; the rest goes to what runs whatever the budget: each sub-model's untuned
first trial, the scorecards, the stacker, the final fit and the report. The search time is shared between the
ensembles the run fits (one per cross-validation fold and the final one) and between the tree sub-models of
each, which run ``n_jobs`` at a time. No budget keeps the untuned settings (``make demo`` stays fast).

Fewer than ``SEARCH_MIN_BADS`` training bads (a table's, or the workspace's) are not searched, whatever the
budget: on so few bads the inner folds cannot tell settings apart, and the search's winner is partly luck
(German credit, 300 bads: 0.7910 searched against 0.7975 untuned; Polish bankruptcy, 271 bads: 0.9578 against
0.9583; ADR 0039).
"""

from __future__ import annotations

import os
from dataclasses import replace

from riskloop.errors import ValidationError
from riskloop.modeling.ensemble import EnsembleConfig
from riskloop.scoring.model import CATBOOST, GBDT, SCORECARD, TREES

TABLE_KINDS = (SCORECARD, GBDT, CATBOOST)  # a table's learner set: the scorecard for its reasons, two boosters
TABLE_BUDGET_MINUTES = 10.0  # `train --csv` default
TUNING_SHARE = 0.6
MAX_TRIALS = 40  # a search this long has converged on tables of this kind; the budget usually stops it first
MAX_JOBS = 4
SEARCH_MIN_BADS = 1_000  # fewer bads: no search (module docstring)


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
    """What the report says of the search: trials and seconds per sub-model, or why there was none."""
    if config.tune_trials:
        return {"searched": True, "trials": config.tune_trials, "seconds_per_sub_model": config.tune_seconds}
    if budget_minutes is None:
        why = "no budget"
    elif bads < SEARCH_MIN_BADS:
        why = f"{bads} bads, fewer than {SEARCH_MIN_BADS}: settings cannot be told apart on so few"
    else:
        why = "no tree sub-model"
    return {"searched": False, "why": why}
