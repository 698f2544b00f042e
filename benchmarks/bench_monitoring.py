"""Benchmark post-loan monitoring against the universe's truth, next to a days-past-due baseline, and its cost.

Run: ``.venv/bin/python -m benchmarks.bench_monitoring --enterprises 20000 [--seed 7] [--split 2025-07-01]``
or on a generated universe: ``... --universe /work/data/u100k [--split 2026-01-01] [--horizon 6]``

Generates a universe, then monitors its book at every month end from ``--start`` on (incrementally: each run
folds only the month since the previous one) with the shipped reference warning policy. Against
``truth/loans`` (read here only): per level (at least that level), the share of defaulted loans warned >= 30,
60 and 90 days before their default date, the median lead time and false alarms per 1,000 performing
loan-months (loans that never default), for the training period (as-of dates before ``--split``) and the
evaluation period after it, next to a baseline of days-past-due alerts only (>= 1 notice, >= 10 attention,
>= 30 warning) computed from the same signals; and the reviewed policy v2 without (``v2_rank``) and with the
behaviour score trained and calibrated on the training period (``behaviour_rank``, ``monitoring_quality``);
and that policy with each month's warnings propagated over the graph (``propagated_rank``,
``monitoring_propagation``), overall and on the loans of the enterprises a warning reached (``propagation``).
Cost, each in a fresh process (wall time, peak RSS): a full
monitoring run as of the universe's last day (fold everything, signals, policy), a raw DuckDB scan of the
same input tables, and an incremental daily run (fold one day, signals, policy). Writes JSON to
``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.monitoring_propagation import propagated_ranks, summary
from benchmarks.monitoring_quality import behaviour_ranks
from riskloop.config import load_settings
from riskloop.domain.access import ANALYST, APPROVER
from riskloop.errors import ValidationError
from riskloop.features.backends.duckdb import open_tables
from riskloop.jobs.demo_serving import release_strategy
from riskloop.monitoring.arrivals import EVENT_DATES
from riskloop.monitoring.engine import DuckDBRunner, compute_signals, fold_days, merge_days, table_files
from riskloop.monitoring.policy import POLICY_NAME, POLICY_VERSION, RANKS, policy_context, read_verdict
from riskloop.monitoring.signals import DAILY_TABLES, SIGNAL_TABLES
from riskloop.monitoring.store import ORIGIN
from riskloop.rules.engine import strategy_key
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.monitor import run_days
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.testing.principals import person
from riskloop.workspace import Workspace

KEY = strategy_key(POLICY_NAME, POLICY_VERSION)
RELEASERS = (person("bench-analyst", ANALYST), person("bench-approver", APPROVER))  # four eyes
LEVELS = ("warning", "attention", "notice")


def _levels(runner: DuckDBRunner, daily: pa.Table, day: dt.date, engine: ZenRuleEngine) -> list[dict[str, Any]]:
    rows = compute_signals(runner, daily, day).to_pylist()
    out = []
    for row in rows:
        verdict = read_verdict(row, engine.evaluate(KEY, policy_context(row)).result)
        dpd = row["days_past_due"]
        base = 3 if dpd >= 30 else 2 if dpd >= 10 else 1 if dpd >= 1 else 0
        rank = RANKS.get(verdict.level, 0)
        out.append({"loan_id": row["loan_id"], "credit_code": row["credit_code"], "day": day, "rank": rank,
                    "dpd_rank": base})  # fmt: skip
    return out


def _monthly(tables: Path, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    runner, engine = DuckDBRunner(tables), ZenRuleEngine(PackageStrategyLoader())
    parts: list[pa.Table] = []
    lo, out = ORIGIN, []
    for day in run_days(start, end, "month"):
        parts.append(fold_days(runner, lo, day))
        lo = day
        out.extend(_levels(runner, merge_days(parts), day, engine))
    return out


RANK_COLUMNS = ("rank", "dpd_rank", "v2_rank", "behaviour_rank", "propagated_rank")


def _with_propagation(tables: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Add ``propagated_rank`` (the shipped policy's rank raised by propagation) to ``rows``; what was spread."""
    base = "behaviour_rank" if rows and "behaviour_rank" in rows[0] else "rank"
    started = time.perf_counter()
    spread = propagated_ranks(tables, rows, base)
    for r in rows:
        r["propagated_rank"] = max(r[base], spread.get((r["loan_id"], r["day"]), 0))
        r["reached"] = (r["loan_id"], r["day"]) in spread
    return {"base": base, "seconds": round(time.perf_counter() - started, 1), "reached": summary(spread)}


def _related(rows: list[dict[str, Any]], truth: pa.Table, split: dt.date, base: str) -> dict[str, Any]:
    """Recall and false alarms on the loans of enterprises a warning reached over the graph, with and without it."""
    reached = {r["loan_id"] for r in rows if r["reached"] and r["day"] >= split}
    sub = [r for r in rows if r["loan_id"] in reached]
    scored = _evaluate(sub, truth, split)["evaluation"]
    return {"loans": len(reached), "without": scored[base], "with": scored["propagated_rank"]}


def _evaluate(rows: list[dict[str, Any]], truth: pa.Table, split: dt.date) -> dict[str, Any]:
    info = {r["loan_id"]: r for r in truth.to_pylist()}
    report: dict[str, Any] = {}
    for period, keep in (("training", lambda d: d < split), ("evaluation", lambda d: d >= split)):
        sub = [r for r in rows if keep(r["day"])]
        report[period] = {
            col: {lvl: _score(sub, info, col, RANKS[lvl], keep) for lvl in LEVELS}
            for col in RANK_COLUMNS
            if not rows or col in rows[0]
        }
    return report


def _score(rows: list[dict[str, Any]], info: dict[str, Any], col: str, rank: int, keep: Any) -> dict[str, Any]:
    first: dict[str, dt.date] = {}
    performing = alarms = 0
    for r in sorted(rows, key=lambda r: r["day"]):
        t = info.get(r["loan_id"])
        if t is None:
            continue
        if t["defaulted"]:
            if r["day"] < t["default_date"] and r[col] >= rank and r["loan_id"] not in first:
                first[r["loan_id"]] = r["day"]
        else:
            performing += 1
            alarms += r[col] >= rank
    seen = {r["loan_id"] for r in rows}
    defaults = [k for k in seen if info.get(k, {}).get("defaulted") and keep(info[k]["default_date"])]
    leads = [(info[k]["default_date"] - first[k]).days for k in defaults if k in first]
    n = max(len(defaults), 1)
    return {
        "defaults": len(defaults),
        "warned_30d": round(sum(x >= 30 for x in leads) / n, 3),
        "warned_60d": round(sum(x >= 60 for x in leads) / n, 3),
        "warned_90d": round(sum(x >= 90 for x in leads) / n, 3),
        "median_lead_days": float(np.median(leads)) if leads else None,
        "false_alarms_per_1000_loan_months": round(1000 * alarms / max(performing, 1), 1),
        "performing_loan_months": performing,
    }


def _split(tables: Path, day: dt.date, out: Path) -> None:
    """The universe as it stood before ``day`` (``out/history``) and what arrives on ``day`` (``out/arrivals``).

    The tables monitoring folds (events, loans, relations) are cut by the day of their rows, source file by source
    file; the others are read whole by every run and stay in the history.
    """
    dated = {**EVENT_DATES, "loans": "disbursed_date", "officers": "since_date", "shareholders": "since_date",
             "guarantees": "start_date"}  # fmt: skip
    for name in sorted(set(DAILY_TABLES) | set(SIGNAL_TABLES)):
        (out / "history" / name).mkdir(parents=True)
        (out / "arrivals" / name).mkdir(parents=True)
        arrived = []
        for path in table_files(tables, name):
            if name not in dated:
                (out / "history" / name / path.name).symlink_to(path.resolve())
                continue
            data = pq.read_table(path)
            days = data[dated[name]]
            days = pc.cast(days, pa.date32()) if pa.types.is_timestamp(days.type) else days
            pq.write_table(data.filter(pc.less(days, pa.scalar(day))), out / "history" / name / path.name)
            arrived.append(data.filter(pc.equal(days, pa.scalar(day))))
        if arrived:
            pq.write_table(pa.concat_tables(arrived), out / "arrivals" / name / f"part-{day:%Y%m%d}.parquet")


def _link(sources: Path, warehouse: Path) -> None:
    """Put every part file of ``sources/<table>/`` into ``warehouse/<table>/`` (as ingest would, by reference)."""
    for folder in sorted(sources.iterdir()):
        (warehouse / folder.name).mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("*.parquet")):
            (warehouse / folder.name / path.name).symlink_to(path.resolve())


def _measure(kind: str, home: Path, day: dt.date) -> dict[str, Any]:
    """One cost figure in this (fresh) process: a raw scan, or a monitoring run through the workspace's use case."""
    if kind == "raw_scan":
        started, cpu = time.perf_counter(), time.process_time()
        con, present = open_tables(home / "warehouse", sorted(set(DAILY_TABLES) | set(SIGNAL_TABLES)))
        for name in sorted(present):
            con.sql(f"SELECT count(*), max(COLUMNS(*)) FROM {name}").to_arrow_table()
        con.close()
        return {"seconds": round(time.perf_counter() - started, 3), "cpu_seconds": round(time.process_time() - cpu, 3),
                "peak_rss_mb": _peak_rss_mb()}  # fmt: skip
    with Workspace.open(load_settings(home)) as ws:
        shipped = PackageStrategyLoader().load(KEY)
        release_strategy(ws.strategies(), ws.strategy_repository(), *RELEASERS, shipped=shipped)
        stages: dict[str, float] = {}
        started, cpu = time.perf_counter(), time.process_time()
        result = ws.monitor().run(day, lambda stage, _d, _t: stages.setdefault(stage, time.perf_counter()))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    marks = [*sorted(stages.items(), key=lambda kv: kv[1]), ("end", started + seconds)]
    steps = {a: round(tb - ta, 3) for (a, ta), (_, tb) in itertools.pairwise(marks)}
    body = result.to_dict()
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),  # every thread of the process: less sensitive to a shared machine's load
        "peak_rss_mb": _peak_rss_mb(),
        "steps_seconds": steps,
        "loans": body["loans"],
        "alerts": body["alerts"],
        "fold": body["fold"],
    }


def _peak_rss_mb() -> int:
    """This process's peak resident memory since exec (VmHWM; ru_maxrss would carry the parent's over exec)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _in_child(kind: str, home: Path, day: dt.date) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_monitoring", "--measure", kind, "--home", str(home),
           "--day", day.isoformat()]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _cost(tables: Path, day: dt.date, work: Path) -> dict[str, Any]:
    """Full run, raw scan of the same tables and incremental daily run, each in a fresh process."""
    _split(tables, day, work / "split")
    full, daily = work / "full", work / "daily"
    _link(work / "split" / "history", full / "warehouse")
    _link(work / "split" / "arrivals", full / "warehouse")
    _link(work / "split" / "history", daily / "warehouse")
    cost = {"raw_scan": _in_child("raw_scan", full, day), "full": _in_child("full", full, day)}
    cost["previous_day"] = _in_child("full", daily, day - dt.timedelta(days=1))  # yesterday's run: not timed
    _link(work / "split" / "arrivals", daily / "warehouse")  # today's ingest: one new part file per table
    cost["incremental"] = _in_child("incremental", daily, day)
    return cost


def main() -> None:
    """Parse options, run, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2024-07-01")
    parser.add_argument("--split", default="2025-07-01")
    parser.add_argument("--universe", help="A generated universe (tables/, truth/) to reuse instead of generating")
    parser.add_argument("--horizon", type=int, default=6, help="Behaviour score: bad within this many months")
    parser.add_argument("--cost-only", action="store_true", help="skip the quality part (monthly backfill)")
    parser.add_argument("--measure")
    parser.add_argument("--home")
    parser.add_argument("--day")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, Path(args.home), dt.date.fromisoformat(args.day))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.universe) if args.universe else Path(tmp) / "universe"
        if args.universe:
            manifest = json.loads((out / "manifest.json").read_text())
            end, args.enterprises = dt.date.fromisoformat(manifest["as_of"]), manifest["parameters"]["enterprises"]
        else:
            params = UniverseParams(enterprises=args.enterprises, seed=args.seed)
            generate_universe(params, out, workers=2)
            end = params.as_of
        tables, split = out / "tables", dt.date.fromisoformat(args.split)
        t0 = time.perf_counter()
        rows = [] if args.cost_only else _monthly(tables, dt.date.fromisoformat(args.start), end)
        monthly_seconds = time.perf_counter() - t0
        ranks, behaviour = {}, {"skipped": "--cost-only"}
        try:
            if not args.cost_only:
                window = (dt.date.fromisoformat(args.start), end)
                ranks, behaviour = behaviour_ranks(tables, window, split, args.horizon)
        except ValidationError as exc:  # e.g. no snapshot's window has matured by the split day
            ranks, behaviour = {}, {"skipped": str(exc)}
        rows = [r | ranks.get((r["loan_id"], r["day"]), {}) for r in rows]
        propagation = {} if args.cost_only else _with_propagation(tables, rows)
        truth = pq.read_table(out / "truth" / "loans.parquet", columns=["loan_id", "defaulted", "default_date"])
        quality = {} if args.cost_only else _evaluate(rows, truth, split)
        if propagation:
            propagation["related_enterprises"] = _related(rows, truth, split, propagation["base"])
        cost = _cost(tables, end, Path(tmp))
    result = {
        "enterprises": args.enterprises,
        "universe": args.universe,
        "seed": args.seed,
        "loan_months": len(rows),
        "monthly_backfill_seconds": round(monthly_seconds, 1),
        "split": args.split,
        "quality": quality,
        "behaviour": behaviour,
        "propagation": propagation,
        "cost": cost,
        "full_vs_raw_scan": round(cost["full"]["seconds"] / max(cost["raw_scan"]["seconds"], 1e-9), 2),
        "incremental_vs_full": round(cost["incremental"]["seconds"] / max(cost["full"]["seconds"], 1e-9), 3),
    }
    print(json.dumps(result, indent=1, default=str))
    folder = Path(__file__).parent / "out"
    folder.mkdir(exist_ok=True)
    (folder / f"monitoring-{args.enterprises}.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
