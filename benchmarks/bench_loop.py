"""The closed loop on a drift scenario: how soon monitoring sees the shift, and whether the retrained challenger helps.

Run: ``.venv/bin/python -m benchmarks.bench_loop --enterprises 100000 --scenario industry_downturn``
(``--home DIR`` keeps the workspace and reuses what it already holds; ``--loop-days``, ``--book-days``,
``--graph-step-days``, ``--seed``).

1. A universe with the scenario is generated, ingested and its graph built.
2. The champion is trained on the outcomes observed on the shift date, approved and activated by another
   person; the reference strategy and the model-monitoring policy are released with four eyes.
3. The live book: every application from ``--book-days`` before the shift to the universe's end is decided by
   the champion as of its own day (features before the day, profiles in force, the graph rebuilt every
   ``--graph-step-days`` days) and recorded as the channel's decision, as the API would have stored it.
4. Monitoring, weekly: outcomes brought to the day, model monitoring with alerts raised. Reported: the first day
   a drift metric (score or input PSI) and any metric crossed a threshold, in days from the shift, and the
   alerts before it (false alarms).
5. The champion's AUC against the universe's truth (would default if funded) on the applications decided before
   and after the shift.
6. ``riskloop loop`` as of ``--loop-days`` after the shift (forced if monitoring had not triggered it): its wall
   time, the trigger, and the backtest's approval and bad-rate changes.
7. Champion and challenger on the applications after the loop's day, against truth: AUC each and the
   challenger's gain with a paired bootstrap 95 % interval.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from riskloop.config import load_settings
from riskloop.domain.access import ANALYST, APPROVER
from riskloop.jobs.closed_loop import closed_loop
from riskloop.jobs.demo_serving import release_model, release_strategy
from riskloop.monitoring.model_figures import auc
from riskloop.monitoring.model_policy import MODEL_POLICY
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.service.backtest import GraphTimeline, historical_inputs
from riskloop.service.loop import LoopOptions
from riskloop.service.model_backtest import ModelBacktestOptions
from riskloop.service.runtime import Runtime
from riskloop.synth.params import UniverseParams
from riskloop.synth.scenario import SCENARIOS, Scenario
from riskloop.synth.universe import generate_universe
from riskloop.testing.principals import person
from riskloop.workspace import Workspace

RELEASERS = (person("bench-analyst", ANALYST), person("bench-approver", APPROVER))  # four eyes
CHANNEL = "bench-channel"
DRIFT_METRICS = ("score_psi", "input_psi")
ALERT_LEVELS = ("warning", "attention")
MONITOR_EVERY = dt.timedelta(days=7)
MODEL_POLICY_VERSION = 1


def _seconds(started: float) -> float:
    return round(time.perf_counter() - started, 1)


def prepare(home: Path, universe: Path, params: UniverseParams) -> dict[str, float]:
    """Generate, ingest and build the graph unless ``home`` holds them already."""
    timings: dict[str, float] = {}
    if not (universe / "manifest.json").exists():
        started = time.perf_counter()
        generate_universe(params, universe, workers=2)
        timings["generate"] = _seconds(started)
    with Workspace.open(load_settings(home)) as ws:
        if not ws.warehouse.tables():
            started = time.perf_counter()
            ws.ingest(universe)
            timings["ingest"] = _seconds(started)
        if ws.graph_store().latest_build() is None:
            from riskloop.service.graph import build_and_store

            started = time.perf_counter()
            con = ws.warehouse.connect()
            try:
                build_and_store(con, ws.graph_store(), ws.tokenizer(create=True), ws.clock)
            finally:
                con.close()
            timings["graph"] = _seconds(started)
    return timings


def release_champion(ws: Workspace, shift: dt.date, truth: Path, label_months: int | None) -> dict[str, Any]:
    """Train on the outcomes observed on the shift day; approve and activate it; release the two policies."""
    from riskloop.service.train import WorkspaceTraining, train_workspace

    loader = PackageStrategyLoader()
    release_strategy(ws.strategies(), ws.strategy_repository(), *RELEASERS)
    policy = loader.load(f"{MODEL_POLICY}@{MODEL_POLICY_VERSION}")
    release_strategy(ws.strategies(), ws.strategy_repository(), *RELEASERS, shipped=policy)
    active = [m for m in ws.model_registry().list("sme") if m.status == "active"]
    if active:
        return {"model_id": active[0].model_id, "reused": True}
    options = WorkspaceTraining(
        name="sme", as_of=shift, truth=truth, author=RELEASERS[0].name, label_months=label_months
    )
    trained = train_workspace(ws.model_home(), options)
    release_model(ws, trained["model_id"], RELEASERS[1])
    return {"model_id": trained["model_id"], "oot_from": trained["meta"]["oot_from"], "truth": trained["truth"]}


def live_book(ws: Workspace, since: dt.date, until: dt.date, step_days: int) -> list[tuple[str, dt.date, float | None]]:
    """Decide and record every application of ``[since, until)`` as the champion would have, as of its day."""
    from riskloop.service.history import PastDecision, record_history

    strategy = ws.strategy_key("reference")
    decider = ws.decider(Runtime(strategy=strategy))
    timeline = GraphTimeline(ws.graph_checks_before, since, step_days)
    opener = ws.vault().opener(actor="bench:loop", purpose="benchmark live book", at=ws.clock.now())
    gathered = historical_inputs(decider, ws.settings.warehouse, since, until, opener=opener, timeline=timeline)
    decided = [PastDecision(inputs, decider.decide_inputs(inputs, at).decision, strategy) for inputs, at in gathered]
    record_history(ws.decision_store(), decided, owner=CHANNEL, **history_channel())
    return [(p.decision.application_id, p.decision.decided_at.date(), p.decision.pd) for p in decided]


def history_channel() -> dict[str, Any]:
    """How the API renders and digests a decision (the recorded response is the one it would have returned)."""
    from riskloop.api.render import posted_body
    from riskloop.api.schemas import posted_digest

    return {"render": posted_body, "digest": posted_digest}


def monitor_weekly(ws: Workspace, first: dt.date, last: dt.date, shift: dt.date) -> dict[str, Any]:
    """Outcomes and model monitoring each week; the first crossing of a drift metric and of any metric."""
    monitor, tracker = ws.model_monitor(), ws.outcomes()
    runs, day = [], first
    while day <= last:
        tracker.update(day)
        report = monitor.run(day)
        crossed = [c for c in report["alerts"]["crossed"] if c["level"] in ALERT_LEVELS]
        runs.append({"day": day.isoformat(), "metrics": report["metrics"], "crossed": crossed})
        day += MONITOR_EVERY

    def first_after(keep: Any) -> dict[str, Any] | None:
        hit = next((r for r in runs if dt.date.fromisoformat(r["day"]) >= shift and keep(r)), None)
        if hit is None:
            return None
        return {"day": hit["day"], "days_from_shift": (dt.date.fromisoformat(hit["day"]) - shift).days,
                "crossed": hit["crossed"]}  # fmt: skip

    before = [r for r in runs if dt.date.fromisoformat(r["day"]) < shift]
    return {
        "runs": len(runs),
        "first_drift_alert": first_after(lambda r: any(c["metric"] in DRIFT_METRICS for c in r["crossed"])),
        "first_score_psi_alert": first_after(lambda r: any(c["metric"] == "score_psi" for c in r["crossed"])),
        "first_alert": first_after(lambda r: bool(r["crossed"])),
        "weeks_with_alerts_before_shift": sum(bool(r["crossed"]) for r in before),
        "weeks_with_drift_alerts_before_shift": sum(
            any(c["metric"] in DRIFT_METRICS for c in r["crossed"]) for r in before
        ),
        "weeks_with_score_psi_alerts_before_shift": sum(
            any(c["metric"] == "score_psi" for c in r["crossed"]) for r in before
        ),
        "weeks_before_shift": len(before),
        "series": [
            {
                "day": r["day"],
                **{k: r["metrics"].get(k) for k in ("score_psi", "input_psi", "auc_drop")},
                "crossed": [c["metric"] for c in r["crossed"]],
            }
            for r in runs
        ],
    }


def auc_by_period(book: list[tuple[str, dt.date, float | None]], truth: Path, shift: dt.date) -> dict[str, Any]:
    """The champion's AUC against truth on the applications it decided before and after the shift."""
    table = pq.read_table(truth / "applications.parquet", columns=["application_id", "defaulted"]).to_pylist()
    bad = {r["application_id"]: int(r["defaulted"]) for r in table}
    out = {}
    for name, keep in (("before_shift", lambda d: d < shift), ("after_shift", lambda d: d >= shift)):
        rows = [(bad[a], pd_) for a, d, pd_ in book if keep(d) and pd_ is not None and a in bad]
        y, score = np.asarray([r[0] for r in rows]), np.asarray([r[1] for r in rows])
        out[name] = {"applications": len(rows), "bad_rate": float(y.mean()) if rows else None,
                     "auc": auc(y, score) if rows and 0 < y.sum() < len(y) else None}  # fmt: skip
    return out


def main() -> None:
    """Parse options, run every step, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--scenario", choices=SCENARIOS[1:], default="industry_downturn")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, help="keep (or reuse) the workspace here")
    parser.add_argument("--book-days", type=int, default=120, help="the live book starts this long before the shift")
    parser.add_argument("--loop-days", type=int, default=150, help="the loop runs this long after the shift")
    parser.add_argument("--graph-step-days", type=int, default=30)
    parser.add_argument(
        "--label-months", type=int, default=6, help="bad by this many months on book (0: 90+ dpd on the day)"
    )
    parser.add_argument("--shift-date", type=dt.date.fromisoformat)
    args = parser.parse_args()
    scenario = Scenario(name=args.scenario, shift_date=args.shift_date)
    params = UniverseParams(enterprises=args.enterprises, seed=args.seed, scenario=scenario)
    args.label_months = args.label_months or None
    shift = params.scenario.shift(params.as_of)
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        universe = home / "universe"
        timings = prepare(home, universe, params)
        truth = universe / "truth"
        report: dict[str, Any] = {"enterprises": args.enterprises, "scenario": args.scenario,
                                  "shift_date": shift.isoformat(), "seconds": timings}  # fmt: skip
        with Workspace.open(load_settings(home)) as ws:
            started = time.perf_counter()
            report["champion"] = release_champion(ws, shift, truth, args.label_months)
            timings["champion"] = _seconds(started)
            started = time.perf_counter()
            book_from, end = shift - dt.timedelta(days=args.book_days), params.as_of
            book = live_book(ws, book_from, end, args.graph_step_days)
            timings["live_book"] = _seconds(started)
            report["live_book"] = {"from": book_from.isoformat(), "applications": len(book)}
            report["champion_auc_vs_truth"] = auc_by_period(book, truth, shift)
            started = time.perf_counter()
            loop_day = shift + dt.timedelta(days=args.loop_days)  # monitored up to it: outcomes never go back
            report["monitoring"] = monitor_weekly(ws, book_from + dt.timedelta(days=30), loop_day, shift)
            timings["monitoring"] = _seconds(started)
            loop = closed_loop(ws, "bench-loop", truth=truth, graph_step_days=args.graph_step_days)
            started = time.perf_counter()
            ran = loop.run(LoopOptions(loop_day, label_months=args.label_months))
            if ran["state"] == "no retraining needed":  # the loop's own day crossed nothing: retrain anyway
                ran = loop.run(LoopOptions(loop_day, force=True, label_months=args.label_months))
            timings["loop"] = _seconds(started)
            steps = ran["steps"]
            report["loop"] = {
                "as_of": loop_day.isoformat(),
                "state": ran["state"],
                "wall_seconds": timings["loop"],
                "trigger": steps["retrain"]["result"]["trigger"],
                "challenger": steps["retrain"]["result"].get("model_id"),
                "backtest": {k: steps["backtest"]["result"][k] for k in ("period", "applications", "changes")},
                "backtest_discrimination": steps["backtest"]["result"]["discrimination"],
                "proposal": steps["propose"]["result"]["verdict"],
            }
            started = time.perf_counter()
            after = ModelBacktestOptions(
                report["champion"]["model_id"],
                report["loop"]["challenger"],
                "reference",
                loop_day + dt.timedelta(days=1),
                end + dt.timedelta(days=1),
                truth=truth,
                graph_step_days=args.graph_step_days,
                rounds=1000,
            )
            post = ws.model_backtest(after)
            timings["post_shift_backtest"] = _seconds(started)
            report["post_shift"] = {"period": post["period"], "applications": post["applications"],
                                    "discrimination": post["discrimination"], "changes": post["changes"]}  # fmt: skip
        print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
