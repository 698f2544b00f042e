"""Behaviour score use cases: month-end snapshots of the book, training on observed outcomes, the active model.

``snapshots`` recomputes, for every month end of a range, the monitoring signals of each loan on the book
(the same SQL as a monitoring run, folded incrementally) and its repayment history. ``train_behaviour``
labels the mature ones from the repayments observed up to ``--to`` (90+ days past due within the horizon),
fits the booster, saves the bundle and registers it under its name; it serves once another principal has
approved and activated it (``ModelLifecycle``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.outcome import BAD_DPD
from riskloop.errors import DataSourceError, ValidationError
from riskloop.modeling.behaviour import fit_behaviour, save_behaviour
from riskloop.monitoring.behaviour import (
    FEATURES,
    HISTORY_TABLES,
    HORIZON_MONTHS,
    first_bad_sql,
    label_rows,
    with_history,
)
from riskloop.monitoring.engine import SqlRunner, compute_signals, fold_days, merge_days
from riskloop.monitoring.store import ORIGIN
from riskloop.scoring.behaviour import KIND
from riskloop.scoring.registry import UNKNOWN_AUTHOR, ModelRegistry, model_id
from riskloop.service.monitor import run_days
from riskloop.service.ports import ModelHome, Progress, no_progress

NAME = "behaviour"


@dataclass(frozen=True)
class BehaviourTraining:
    """Options of training the behaviour score: outcomes observed on ``to``; snapshots from ``start``."""

    to: dt.date
    start: dt.date | None = None  # default: the first disbursement
    horizon_months: int = HORIZON_MONTHS
    bad_dpd: int = BAD_DPD
    name: str = NAME
    folds: int = 5
    seed: int = 0
    author: str = UNKNOWN_AUTHOR


def first_disbursement(runner: SqlRunner) -> dt.date:
    """The day the first loan of the warehouse was disbursed."""
    got = runner.run("SELECT min(disbursed_date) AS d FROM loans", ("loans",), {})["d"][0].as_py()
    if got is None:
        raise DataSourceError("loans: no loan to learn from")
    return dt.date.fromisoformat(str(got))


def snapshots(runner: SqlRunner, start: dt.date, end: dt.date, progress: Progress = no_progress) -> pa.Table:
    """Signals and history of every loan on the book at each month end from ``start`` to ``end``."""
    days = list(run_days(start, end, "month"))
    parts: list[pa.Table] = []
    lo, frames = ORIGIN, []
    for i, day in enumerate(days):
        progress("snapshots", i, len(days))
        parts.append(fold_days(runner, lo, day))
        lo = day
        frames.append(with_history(runner, compute_signals(runner, merge_days(parts), day), day))
    if not frames:
        raise ValidationError("--from", f"no month end between {start} and {end}")
    return pa.concat_tables(frames)


def labelled_snapshots(runner: SqlRunner, options: BehaviourTraining, progress: Progress = no_progress) -> pa.Table:
    """The mature snapshots up to ``options.to`` with their observed ``bad`` label."""
    start = options.start or first_disbursement(runner)
    rows = snapshots(runner, start, options.to, progress)
    rows = rows.filter(pc.less_equal(rows["as_of"], pa.scalar(options.to)))
    first_bad = runner.run(first_bad_sql(options.to, options.bad_dpd), HISTORY_TABLES, {})
    return label_rows(rows, first_bad, options.to, options.horizon_months)


def train_behaviour(
    home: ModelHome, runner: SqlRunner, options: BehaviourTraining, progress: Progress = no_progress
) -> dict[str, Any]:
    """Snapshots, observed labels, fit, save and register; returns the registered model's figures (JSON-ready)."""
    if options.horizon_months < 1:
        raise ValidationError("--horizon", f"{options.horizon_months}: at least one month")
    labelled = labelled_snapshots(runner, options, progress)
    progress("train", 0, 1)
    trained = fit_behaviour(labelled, FEATURES, folds=options.folds, seed=options.seed)
    days = labelled["as_of"].to_pylist()
    window = {
        "trained_on": "workspace",
        "observed_on": options.to.isoformat(),
        "snapshots_from": min(days).isoformat(),
        "snapshots_to": max(days).isoformat(),
        "horizon_months": options.horizon_months,
        "bad_dpd": options.bad_dpd,
        "seed": options.seed,
    }
    version = _next_version(home.registry, options.name)
    folder = home.models / model_id(options.name, version)
    manifest = save_behaviour(trained, folder, {**window, "name": options.name, "version": version})
    metrics = {"cv_auc": round(trained.cv_auc, 6), "rows": trained.rows, "bads": trained.bads}
    registered = home.registry.register(
        folder, options.name, KIND, metrics, window, trained.features, registered_by=options.author
    )
    progress("done", 1, 1)
    return {
        "model_id": registered,
        "version": version,
        "bundle": str(folder),
        "manifest": str(manifest),
        "rounds": trained.rounds,
        **metrics,
        "bad_rate": round(trained.bads / trained.rows, 6),
        "window": window,
    }


def _next_version(registry: ModelRegistry, name: str) -> int:
    return max([m.version for m in registry.list(name)], default=0) + 1
