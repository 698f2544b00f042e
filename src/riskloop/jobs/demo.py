"""The end-to-end demo: generate a universe, ingest it, compute features, train, decide, summarise."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from riskloop.errors import ValidationError
from riskloop.ingest.report import ProgressUpdate
from riskloop.service.demo_models import RunInputs, run_models
from riskloop.service.ports import Progress, no_progress
from riskloop.synth.params import DEFAULT_AS_OF, UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.workspace import Workspace

DECIDE_WINDOW_DAYS = 180  # applications of the last ~6 months are decided; earlier ones train the model


@dataclass(frozen=True)
class DemoOptions:
    """How large a universe to run on, from which seed, and its "today"."""

    enterprises: int = 30_000
    seed: int = 7
    as_of: dt.date = DEFAULT_AS_OF
    workers: int = 2


def run_demo(ws: Workspace, options: DemoOptions, progress: Progress = no_progress) -> dict[str, Any]:
    """Run every stage and return one JSON-ready summary with the figures and the time of each stage."""
    settings = ws.settings
    seconds: dict[str, float] = {}
    universe = settings.universes / f"demo-seed-{options.seed}-n-{options.enterprises}"
    params = UniverseParams(enterprises=options.enterprises, seed=options.seed, as_of=options.as_of)

    with _Timed(seconds, "generate"):
        generated = generate_universe(
            params,
            universe,
            workers=options.workers,
            progress=lambda done, total: progress("generate", done, total),
        )
    _check_single_universe(ws, generated.rows["applications"])
    with _Timed(seconds, "ingest"):
        ingested = ws.ingest(universe, as_of=options.as_of, progress=_ingest_progress(progress))
    with _Timed(seconds, "features, train, decide"):
        summary = run_models(
            RunInputs(
                tables=settings.warehouse,
                truth=universe / "truth",
                observed_on=options.as_of,
                cutoff=options.as_of - dt.timedelta(days=DECIDE_WINDOW_DAYS),
                models=settings.home / "models" / f"demo-seed-{options.seed}",
                seed=options.seed,
            ),
            progress=progress,
        )
    totals = ingested.to_dict()["totals"]
    return {
        "universe": str(universe),
        "enterprises": options.enterprises,
        "seed": options.seed,
        "decide_window_days": DECIDE_WINDOW_DAYS,
        "rows_generated": sum(generated.rows.values()),
        "ingest": {"run_id": ingested.run_id, **totals},
        "decision": summary,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
    }


def _check_single_universe(ws: Workspace, generated_applications: int) -> None:
    """Refuse to train on a workspace that mixes this universe with other data: results would mean nothing."""
    stored = ws.warehouse.row_count("applications")
    if stored not in (0, generated_applications):  # empty, or a re-run of the same demo
        raise ValidationError(
            "home",
            f"{ws.home} holds {stored:,} applications but this universe has {generated_applications:,}; "
            "the demo needs a workspace of its own (pass a fresh --home)",
        )


class _Timed:
    """Context manager adding the elapsed wall time of a block to ``seconds[name]``."""

    def __init__(self, seconds: dict[str, float], name: str) -> None:
        self.seconds, self.name = seconds, name

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self.seconds[self.name] = time.perf_counter() - self.started


def _ingest_progress(progress: Progress) -> Callable[[ProgressUpdate], None]:
    seen: dict[str, int] = {}

    def report(update: ProgressUpdate) -> None:
        if update.phase == "read":
            seen[update.table] = update.rows
            progress("ingest", sum(seen.values()), 0)

    return report
