"""The end-to-end demo: generate, ingest, train, deploy with four eyes, decide the held-out months, summarise.

The workspace it leaves is the one production would have: the model and the reference strategy approved and
activated by a second principal, the graph built, features published, API keys of the demo roles, so
``riskloop serve`` serves it at once. The held-out applications are decided by the pipeline the API runs, each
as of its own time: point-in-time features, and graph checks on the graph as it stood at the cutoff that record
each application when it was made. Their decisions are then stored as the demo channel's, dated when each was
made (``service.history``), so the book's loans link to them when outcomes are updated, and model monitoring and
effect tracking have decisions to read.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskloop.domain.access import ANALYST, APPROVER, CHANNEL, Principal
from riskloop.domain.clock import ReplayClock
from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import ValidationError
from riskloop.graph.spread_policy import PROPAGATION_POLICY, PROPAGATION_VERSION
from riskloop.ingest.report import ProgressUpdate
from riskloop.jobs import demo_serving as serving
from riskloop.jobs.demo_collections import run_collections
from riskloop.jobs.demo_front_door import run_front_door
from riskloop.jobs.demo_prospects import run_prospects
from riskloop.monitoring.model_policy import MODEL_POLICY, MODEL_POLICY_VERSION
from riskloop.monitoring.policy import POLICY_NAME, POLICY_V2
from riskloop.rules.loaders import REFERENCE, PackageStrategyLoader
from riskloop.service.backtest import historical_inputs
from riskloop.service.behaviour import BehaviourTraining, train_behaviour
from riskloop.service.demo_models import DemoTraining, train_demo_models
from riskloop.service.demo_monitoring import monitoring_summary, read_loan_truth
from riskloop.service.demo_summary import effect_headline, model_monitoring_headline, read_truth, summarise
from riskloop.service.graph import build_and_store
from riskloop.service.history import PastDecision, record_history
from riskloop.service.intake import Render
from riskloop.service.model_monitoring import Options as ModelOptions
from riskloop.service.ports import Progress, no_progress
from riskloop.service.publish_features import publish_features
from riskloop.service.recheck import RECHECK
from riskloop.service.runtime import Runtime
from riskloop.synth.params import DEFAULT_AS_OF, UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.workspace import Workspace

DECIDE_WINDOW_DAYS = 180  # applications of the last ~6 months are decided; earlier ones train the model
PROGRESS_EVERY = 250
MONITOR_DAYS = 183  # the book is monitored at each month end of the last half year
OUTCOME_VINTAGES = 3  # disbursal months the demo summary shows
MODEL_WINDOW_DAYS, MAX_WINDOW_DAYS = 30, 366  # model monitoring: the last 30 days of decisions (at most a year back)


@dataclass(frozen=True)
class ApiShapes:
    """How the API reads and answers an application (the CLI passes them: jobs do not import the API)."""

    body: Callable[[DecisionRequest], Mapping[str, Any]]  # a request as the JSON body POST takes (``ApplicationIn``)
    digest: Callable[[DecisionRequest], str]  # the digest of that body an Idempotency-Key's claim keeps
    render: Render  # the response body POST returns for a new decision


@dataclass(frozen=True)
class DemoOptions:
    """How large a universe to run on, from which seed, and its "today"."""

    enterprises: int = 30_000
    seed: int = 7
    as_of: dt.date = DEFAULT_AS_OF
    workers: int = 2


def run_demo(ws: Workspace, options: DemoOptions, api: ApiShapes, progress: Progress = no_progress) -> dict[str, Any]:
    """Run every stage and return one JSON-ready summary with the figures and the time of each stage."""
    seconds: dict[str, float] = {}
    universe = ws.settings.universes / f"demo-seed-{options.seed}-n-{options.enterprises}"
    params = UniverseParams(enterprises=options.enterprises, seed=options.seed, as_of=options.as_of)
    cutoff = options.as_of - dt.timedelta(days=DECIDE_WINDOW_DAYS)
    with _Timed(seconds, "generate"):
        generated = generate_universe(
            params, universe, workers=options.workers, progress=lambda done, total: progress("generate", done, total)
        )
    _check_single_universe(ws, generated.rows["applications"])
    with _Timed(seconds, "ingest"):
        ingested = ws.ingest(universe, as_of=options.as_of, progress=_ingest_progress(progress))
    with _Timed(seconds, "train"):
        training = DemoTraining(options.as_of, cutoff, universe / "truth", options.seed, author=serving.AUTHOR)
        models = train_demo_models(ws.model_home(), training, progress)
    with _Timed(seconds, "graph, features"):
        deployed = _build_and_publish(ws, options.as_of + dt.timedelta(days=1), progress)
    with _Timed(seconds, "keys, approve"):
        keys, principals = serving.demo_keys(ws.api_keys(), ws.home)
        analyst, approver = principals[ANALYST], principals[APPROVER]
        model = serving.release_model(ws, models.saved["model_id"], approver)
        strategy = serving.release_strategy(ws.strategies(), ws.strategy_repository(), analyst, approver)
        recheck = serving.release_strategy(ws.strategies(), ws.strategy_repository(), analyst, approver,
                                           shipped=PackageStrategyLoader().load(f"{RECHECK}@1"))  # fmt: skip
    with _Timed(seconds, "decide"):
        decided = decide_held_out(ws, cutoff, progress)
    with _Timed(seconds, "record"):
        recorded = record_held_out(ws, decided, principals[CHANNEL], api, progress)
    with _Timed(seconds, "monitor"):
        monitoring = monitor_book(ws, options.as_of, (analyst, approver), universe / "truth", progress)
    with _Timed(seconds, "outcomes"):
        outcomes = outcomes_summary(ws, options.as_of, progress)
    with _Timed(seconds, "model monitoring, effect"):
        watched = watch_decisions(ws, options.as_of, decided)
    with _Timed(seconds, "collections"):
        collections = run_collections(
            ws, options.as_of, universe / "truth", approver, seed=options.seed, progress=progress
        )
    example = _revealed(ws, _example(decided))
    with _Timed(seconds, "front door"):
        front_door = run_front_door(ws, universe, principals, example, seed=options.seed, progress=progress)
    with _Timed(seconds, "prospects"):
        prospects = run_prospects(
            ws, universe, analyst, approver, as_of=options.as_of, seed=options.seed, progress=progress
        )
    summary = summarise([p.decision for p in decided], models, read_truth(universe / "truth"), options.seed)
    served = serving.serving(keys, ws.home, api.body(example), Path(models.saved["report_html"]))
    progress("done", 1, 1)
    return {
        "universe": str(universe),
        "enterprises": options.enterprises,
        "seed": options.seed,
        "decide_window_days": DECIDE_WINDOW_DAYS,
        "cutoff": cutoff.isoformat(),
        "rows_generated": sum(generated.rows.values()),
        "ingest": {"run_id": ingested.run_id, **ingested.to_dict()["totals"]},
        "decision": summary,
        "recorded": recorded,
        "monitoring": monitoring,
        "outcomes": outcomes,
        "collections": collections,
        "front_door": front_door,
        "prospects": prospects,
        **watched,
        "model": {**model, "report_html": models.saved["report_html"], "baseline_bundle": str(models.baseline_bundle)},
        "strategy": strategy,
        "drawdown_recheck": recheck,
        **deployed,
        **served,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
    }


def _build_and_publish(ws: Workspace, day: dt.date, progress: Progress) -> dict[str, Any]:
    """Store the graph of everything ingested; publish each enterprise's features of the records before ``day``."""
    con = ws.warehouse.connect()
    try:
        graph = build_and_store(con, ws.graph_store(), ws.tokenizer(create=True), ws.clock, progress).to_dict()
    finally:
        con.close()
    published = publish_features(ws.feature_engine("duckdb"), ws.feature_store(), ws.settings.warehouse, day)
    return {
        "graph": {k: v for k, v in graph.items() if k in ("build_id", "nodes", "edges")},
        "features": published.to_dict(),
    }


def decide_held_out(ws: Workspace, cutoff: dt.date, progress: Progress = no_progress) -> list[PastDecision]:
    """Every application from ``cutoff`` on, oldest first, decided as of its time by the API's pipeline.

    The graph checks start from the graph of the records dated before the cutoff and record each application
    at its own time (a ``ReplayClock``); features are computed as of each application's date; the strategy is
    the active ``reference`` version and the model the active one, as ``riskloop serve`` would use.
    """
    clock = ReplayClock(dt.datetime.combine(cutoff, dt.time(), dt.UTC))
    decider = ws.decider(Runtime(strategy=REFERENCE), graph=ws.graph_checks_before(cutoff, clock))
    opener = ws.vault().opener(
        actor=serving.AUTHOR, purpose="demo decisions of held-out applications", at=ws.clock.now()
    )
    inputs = historical_inputs(
        decider, ws.settings.warehouse, cutoff, None, opener=opener, graph_clock=clock, progress=progress
    )
    out = []
    for i, (gathered, at) in enumerate(inputs, 1):
        outcome = decider.decide_inputs(gathered, at)
        out.append(PastDecision(gathered, outcome.decision, outcome.strategy))
        if i % PROGRESS_EVERY == 0 or i == len(inputs):
            progress("decide", i, len(inputs))
    return out


def record_held_out(
    ws: Workspace, decided: list[PastDecision], channel: Principal, api: ApiShapes, progress: Progress = no_progress
) -> dict[str, Any]:
    """Store the held-out decisions as ``channel``'s, each under the key the printed curl posts its application with.

    A re-run stores nothing again (each application is claimed once); referrals wait in the review queue.
    """
    counts = record_history(
        ws.decision_store(),
        decided,
        owner=channel.name,
        render=api.render,
        digest=api.digest,
        key=serving.idempotency_key,
        progress=progress,
    )
    return {"owner": channel.name, **counts.to_dict()}


def watch_decisions(ws: Workspace, as_of: dt.date, decided: list[PastDecision]) -> dict[str, Any]:
    """Model monitoring of the active model as of ``as_of`` (alerts raised as the CLI raises them), and the funnel.

    The universe's applications stop a month before its as-of, so the window reaches back over the
    ``MODEL_WINDOW_DAYS`` days up to the last decision instead of ending empty.
    """
    last = max((p.decision.decided_at.date() for p in decided), default=as_of)
    window = min(MAX_WINDOW_DAYS, max(0, (as_of - last).days) + MODEL_WINDOW_DAYS)
    report = ws.model_monitor().run(as_of, ModelOptions(window_days=window))
    return {
        "model_monitoring": model_monitoring_headline(report),
        "effect": effect_headline(ws.effect().report(as_of)),
    }


def _example(decided: list[PastDecision]) -> DecisionRequest:
    """The latest held-out application the demo auto-approved (else the latest decided): the body to post."""
    approved = [p.inputs.request for p in decided if p.decision.tier is Tier.AUTO_APPROVE]
    return (approved or [p.inputs.request for p in decided])[-1]


def monitor_book(
    ws: Workspace, as_of: dt.date, releasers: tuple[Principal, Principal], truth: Path, progress: Progress = no_progress
) -> dict[str, Any]:
    """Release the behaviour score, the warning, propagation and model-monitoring policies; monitor the last half year.

    The book is monitored at each month end. Each is released with four eyes. The behaviour score learns from
    the outcomes observed on the first monitored day only (snapshots whose 6-month window has ended by then).
    The graph is built by then, so direct warnings propagate to related firms; the summary reads lead times
    against ``truth``.
    """
    start = as_of - dt.timedelta(days=MONITOR_DAYS)
    behaviour = _release_behaviour(ws, start, releasers[1], progress)
    loader = PackageStrategyLoader()
    shipped = loader.load(f"{POLICY_NAME}@{POLICY_V2}")
    policy = serving.release_strategy(ws.strategies(), ws.strategy_repository(), *releasers, shipped=shipped)
    spreading = loader.load(f"{PROPAGATION_POLICY}@{PROPAGATION_VERSION}")
    spread = serving.release_strategy(ws.strategies(), ws.strategy_repository(), *releasers, shipped=spreading)
    thresholds = loader.load(f"{MODEL_POLICY}@{MODEL_POLICY_VERSION}")
    model_policy = serving.release_strategy(ws.strategies(), ws.strategy_repository(), *releasers, shipped=thresholds)
    results = ws.monitor().backfill(start, as_of, "month", lambda stage, done, total: progress("monitor", done, total))
    behaviour["scored"] = results[-1].behaviour if results else None
    return {
        "policy": policy["key"],
        "propagation_policy": spread["key"],
        "model_policy": model_policy["key"],
        "behaviour": behaviour,
        **monitoring_summary(results, read_loan_truth(truth)),
    }


def outcomes_summary(ws: Workspace, as_of: dt.date, progress: Progress = no_progress) -> dict[str, Any]:
    """Mark every loan's outcome as of ``as_of`` and keep the overall figures and the latest matured vintages.

    Loans drawn on held-out applications link to their recorded decisions (``with_decision``); those of the
    training months were decided before riskloop and have none.
    """
    tracker = ws.outcomes()
    run = tracker.update(as_of, progress=progress)
    summary = tracker.summary()
    matured = [(k, v) for k, v in summary["by_vintage"].items() if v["6m"]["matured"]]
    vintages = dict(matured[-OUTCOME_VINTAGES:])  # the latest disbursal months with a matured 6-month window
    return {
        "as_of": summary["as_of"],
        "loans": summary["loans"],
        "with_decision": summary["with_decision"],
        "recomputed": run.recomputed,
        "overall": summary["overall"],
        "by_vintage": vintages,
    }


def _release_behaviour(ws: Workspace, observed_on: dt.date, approver: Principal, progress: Progress) -> dict[str, Any]:
    """Train the behaviour score on outcomes observed on ``observed_on`` and release it; a book too small says so."""
    try:
        trained = train_behaviour(
            ws.model_home(),
            ws.monitor_runner(),
            BehaviourTraining(observed_on, author=serving.AUTHOR),
            lambda stage, done, total: progress(f"behaviour {stage}", done, total),
        )
    except ValidationError as exc:  # too few matured bad loan-months on a small universe: monitor without it
        return {"skipped": str(exc)}
    model = serving.release_model(ws, trained["model_id"], approver)
    return {k: trained[k] for k in ("model_id", "rows", "bads", "cv_auc")} | {"approved_by": model["approved_by"]}


_IDENTIFIER_KINDS = {  # the request's identifiers the warehouse keeps by token, and their vault kinds
    "applicant_id": "person",
    "phone": "phone",
    "address": "address",
    "email": "email",
    "bank_account": "bank_account",
}


def _revealed(ws: Workspace, request: DecisionRequest) -> DecisionRequest:
    """``request`` with the applicant's identifiers as written (the warehouse keeps tokens): opened, audited."""
    stored = {name: (kind, getattr(request, name)) for name, kind in _IDENTIFIER_KINDS.items()}
    opened = ws.vault().revealed(stored, actor=serving.AUTHOR, purpose="demo example body", at=ws.clock.now())
    return DecisionRequest(**{**request.to_dict(), **opened})


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
