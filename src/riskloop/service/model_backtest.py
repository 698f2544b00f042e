"""Model backtest: a challenger model against the champion on out-of-time applications, without hindsight or writes.

Both models decide the same gathered inputs under the same strategy, so every difference comes from the model.
Inputs are what the decision service would have read on each application's day: features computed from the
records dated before it, the enterprise's profile version in force that day, and the graph as of its date
(``GraphTimeline``: rebuilt from the records before each step's first day, the applications since recorded at
their own time). Nothing is written: the graph is built in memory and decisions are never stored.

The report gives each model's approval rate, bad rate of approvals, expected loss and straight-through rate
(``backtest.summarise``), the changes from champion to challenger, the swap sets, and each model's AUC on the
applications with a known outcome with a paired bootstrap interval of the challenger's gain.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.domain.clock import ReplayClock
from riskloop.domain.decision import Decision
from riskloop.domain.outcome import LGD
from riskloop.errors import ValidationError
from riskloop.monitoring.model_figures import auc, bootstrap_auc_gain
from riskloop.service.backtest import (
    BacktestOptions,
    Case,
    GraphTimeline,
    as_mapping,
    historical_inputs,
    outcomes,
    summarise,
    swap_sets,
)
from riskloop.service.decide import Decider
from riskloop.service.ports import GraphChecks, IdentityOpener, Progress, no_progress

GRAPH_STEP_DAYS = 7  # the graph an application is checked against is at most a week behind its day
BOOTSTRAP_ROUNDS = 500
PROGRESS_EVERY = 250


@dataclass(frozen=True)
class ModelBacktestOptions:
    """Which models, strategy, period and outcomes; how often the graph is rebuilt; the bootstrap."""

    champion: str  # model id (or bundle folder) of the champion
    challenger: str
    strategy: str  # name@version both decide with
    since: dt.date
    until: dt.date
    truth: Path | None = None
    observed_on: dt.date | None = None
    lgd: float = LGD
    graph_step_days: int = GRAPH_STEP_DAYS
    seed: int = 0
    rounds: int = BOOTSTRAP_ROUNDS
    detail: bool = False  # also list each application's two decisions (``cases``)

    def check(self) -> ModelBacktestOptions:
        """``self`` when every field makes sense; else a ValidationError naming it."""
        if self.until <= self.since:
            raise ValidationError("until", f"{self.until} is not after since {self.since}")
        if self.champion == self.challenger:
            raise ValidationError("challenger", f"{self.challenger} is the champion itself")
        if not 0 <= self.lgd <= 1:
            raise ValidationError("lgd", f"must be in [0, 1], got {self.lgd}")
        if self.rounds < 50:
            raise ValidationError("rounds", f"at least 50 bootstrap rounds, got {self.rounds}")
        return self


def run_model_backtest(  # noqa: PLR0917 - the two deciders and the sources of a replay
    champion: Decider,
    challenger: Decider,
    tables: Path,
    graphs: Callable[[dt.date, ReplayClock], GraphChecks] | None,
    options: ModelBacktestOptions,
    opener: IdentityOpener,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Decide every application of ``[since, until)`` with both models and compare them on known outcomes.

    ``champion`` and ``challenger`` differ only in their scorer; ``graphs(day, clock)`` builds the graph checks
    of the records dated before ``day`` (``None``: no graph, every application referred for it, as without a
    built graph).
    """
    options.check()
    known = outcomes(tables, BacktestOptions("", "", truth=options.truth, observed_on=options.observed_on))
    timeline = None if graphs is None else GraphTimeline(graphs, options.since, options.graph_step_days)
    gathered = historical_inputs(
        champion, tables, options.since, options.until, opener=opener, timeline=timeline, progress=progress
    )
    cases = []
    for i, (inputs, at) in enumerate(gathered, 1):
        old = champion.decide_inputs(inputs, at, options.strategy).decision
        new = challenger.decide_inputs(inputs, at, options.strategy).decision
        cases.append(Case(inputs.request.application_id, known.get(inputs.request.application_id), old, new))
        if i % PROGRESS_EVERY == 0 or i == len(gathered):
            progress("decide", i, len(gathered))
    old_summary = summarise([(c.champion, c.bad) for c in cases], options.lgd)
    new_summary = summarise([(c.candidate, c.bad) for c in cases], options.lgd)
    result = {
        "applications": len(cases),
        "with_outcome": sum(c.bad is not None for c in cases),
        "period": {"since": options.since.isoformat(), "until": options.until.isoformat()},
        "outcomes": "ground truth" if options.truth is not None else f"observed on {options.observed_on}",
        "strategy": options.strategy,
        "lgd": options.lgd,
        "graph": {"step_days": options.graph_step_days, "builds": 0 if timeline is None else timeline.builds}
        if graphs is not None
        else None,
        "champion": {"model": options.champion, **old_summary},
        "candidate": {"model": options.challenger, **new_summary},
        "changes": changes(old_summary, new_summary),
        "discrimination": discrimination(cases, seed=options.seed, rounds=options.rounds),
        "swap": swap_sets(cases),
        "writes": 0,
    }
    if options.detail:
        result["cases"] = [case_row(c) for c in cases]
    return as_mapping(result)


def case_row(case: Case) -> dict[str, Any]:
    """One application's outcome and both decisions (tier, score, PD, limit, rate), JSON-ready."""

    def brief(d: Decision) -> dict[str, Any]:
        return {"tier": d.tier.value, "score": d.score, "pd": d.pd, "limit_cents": d.limit_cents, "rate_bp": d.rate_bp}

    return {"application_id": case.application_id, "bad": case.bad, "champion": brief(case.champion),
            "candidate": brief(case.candidate)}  # fmt: skip


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, float | None]:
    """Challenger minus champion of the headline rates (``None`` where either is unknown)."""
    keys = ("approval_rate", "bad_rate_approved", "bad_rate_auto_approved", "straight_through_rate")
    return {k: None if old[k] is None or new[k] is None else new[k] - old[k] for k in (*keys, "expected_loss_rate")}


def discrimination(cases: list[Case], *, seed: int, rounds: int) -> dict[str, Any]:
    """Each model's AUC (PD against the outcome) and the challenger's paired bootstrap gain, on shared rows.

    Rows count when the outcome is known and both models gave a finite PD (a model failure refers without one).
    """
    rows = [(c.bad, _pd(c.champion), _pd(c.candidate)) for c in cases if c.bad is not None]
    rows = [(bad, a, b) for bad, a, b in rows if a is not None and b is not None]
    y = np.asarray([bad for bad, _, _ in rows], dtype=np.int64)
    out: dict[str, Any] = {"rows": len(rows), "bads": int(y.sum()), "champion_auc": None, "candidate_auc": None}
    if len(rows) == 0 or y.min() == y.max():
        return {**out, "gain": None, "note": "needs both good and bad outcomes"}
    old = np.asarray([a for _, a, _ in rows], dtype=np.float64)
    new = np.asarray([b for _, _, b in rows], dtype=np.float64)
    gain = bootstrap_auc_gain(y, new, old, seed=seed, rounds=rounds)  # the same rows resampled for both
    return {**out, "champion_auc": auc(y, old), "candidate_auc": auc(y, new), "gain": gain}


def _pd(decision: Decision) -> float | None:
    return decision.pd if decision.pd is not None and math.isfinite(decision.pd) else None
