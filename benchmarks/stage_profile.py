"""Per-stage profile of the decision path: from the serving workers' stage logs, and in process.

Run alone: ``.venv/bin/python -m benchmarks.stage_profile --home HOME [--decisions 3000] [--json]`` (in process).

Stages are the laps of ``riskloop.service.stages`` (the route, the key check, each source, scoring, the
strategy, reasons, the stored inputs, the response body, the commit) plus ``respond`` (``api.stage_log``). A
summary gives, per stage, the median and p99 in microseconds and the share of the summed medians.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

DECIDE_ROUTE = "/v1/applications"


def summarise(
    samples: dict[str, list[int]], totals: list[int], cpu: dict[str, list[int]] | None = None
) -> dict[str, Any]:
    """Median, p99 (µs) and share of each stage, with the CPU median when given; the requests' total beside them."""
    n = len(totals)
    stages = {}
    for name, values in samples.items():
        padded = values + [0] * (n - len(values))  # a stage a request skipped took it no time
        stages[name] = {
            "p50_us": round(float(np.percentile(padded, 50)) / 1000, 1),
            "p99_us": round(float(np.percentile(padded, 99)) / 1000, 1),
            "mean_us": round(float(np.mean(padded)) / 1000, 1),
        }
        if cpu is not None and name in cpu:
            used = cpu[name] + [0] * (n - len(cpu[name]))
            stages[name]["cpu_p50_us"] = round(float(np.percentile(used, 50)) / 1000, 1)
            stages[name]["cpu_mean_us"] = round(float(np.mean(used)) / 1000, 1)
    mean_sum = sum(s["mean_us"] for s in stages.values()) or 1.0
    for s in stages.values():
        s["share_of_mean"] = round(s["mean_us"] / mean_sum, 3)
    return {
        "requests": n,
        "total_p50_us": round(float(np.percentile(totals, 50)) / 1000, 1) if n else None,
        "total_p99_us": round(float(np.percentile(totals, 99)) / 1000, 1) if n else None,
        "stages": stages,
    }


def read_stage_logs(folder: Path) -> dict[str, Any]:
    """Summary of the created decisions (201 on the decision route) in every worker's log under ``folder``."""
    samples: dict[str, list[int]] = defaultdict(list)
    cpu: dict[str, list[int]] = defaultdict(list)
    totals: list[int] = []
    for path in sorted(folder.glob("stages-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["route"] != DECIDE_ROUTE or row["status"] != 201:
                continue
            totals.append(int(row["total_ns"]))
            for name, ns in row["stages"].items():
                samples[name].append(int(ns))
            for name, ns in row.get("cpu", {}).items():
                cpu[name].append(int(ns))
    return summarise(dict(samples), totals, dict(cpu))


def in_process(home: Path, n: int, bodies: Path | None = None) -> dict[str, Any]:
    """The decision's latency inside one process on ``home`` (gather and decide, no HTTP, no commit), by stage.

    Each recorded application is decided twice under new ids: once timed as served, once with its stages lapped.
    ``bodies``: the benchmark's request bodies (``bench_decide.payloads``), read instead of opening the recorded
    applicants' identifiers again.
    """
    from riskloop.config import load_settings
    from riskloop.service.stages import Laps, timing
    from riskloop.workspace import Workspace

    # new arrivals, as on the API: a recorded application id is known to the graph, and a known one is not recorded
    stamp = time.time_ns()
    requests = [replace(r, application_id=f"inproc-{stamp}-{i}") for i, r in enumerate(_recorded(home, n, bodies))]
    with Workspace.open(load_settings(home), migrate=False) as ws:
        decider = ws.decider(graph=ws.graph_checks("workspace"))
        for r in requests[:200]:
            decider.decide(replace(r, application_id=r.application_id + "-warm"))
        times = []
        for r in requests:  # timed without laps: the latency as served
            start_ns = time.perf_counter_ns()
            decider.decide(r)
            times.append(time.perf_counter_ns() - start_ns)
        samples: dict[str, list[int]] = defaultdict(list)
        totals = []
        for r in requests:
            lapped = replace(r, application_id=r.application_id + "-laps")  # not timed: a request is built once
            with timing(Laps(cpu=True)) as laps:
                decider.decide(lapped)
            totals.append(laps.last - laps.started)
            for name, ns in laps.totals().items():
                samples[name].append(ns)
    return {
        "p50_us": round(float(np.percentile(times, 50)) / 1000, 1),
        "p99_us": round(float(np.percentile(times, 99)) / 1000, 1),
        "decisions": len(times),
        "profile": summarise(dict(samples), totals),
    }


def _recorded(home: Path, n: int, bodies: Path | None) -> list[Any]:
    """``n`` recorded applications as requests: from the body file when given, else opened from the workspace."""
    if bodies is None:
        from riskloop.testing.recorded import workspace_requests

        return [r for r, _ in workspace_requests(home, n)]
    from riskloop.api.schemas import ApplicationIn

    lines = bodies.read_text(encoding="utf-8").splitlines()[:n]
    return [ApplicationIn.model_validate_json(line.replace("__ID__", f"body-{i}")).to_request()
            for i, line in enumerate(lines)]  # fmt: skip


def py_spy(pids: list[int], seconds: int, out: Path) -> list[str]:
    """Sampling profiles (py-spy, speedscope JSON) of ``pids`` for ``seconds``, started now; the files written."""
    procs, files = [], []
    out.parent.mkdir(parents=True, exist_ok=True)  # py-spy does not create the folder (a fresh checkout has none)
    for pid in pids:
        target = out.with_name(f"{out.stem}-{pid}.speedscope.json")
        cmd = [_py_spy(), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "250",
               "--format", "speedscope", "--output", str(target), "--nonblocking"]  # fmt: skip
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        files.append(str(target))
    for pid, proc in zip(pids, procs, strict=True):
        _, err = proc.communicate()
        if proc.returncode:  # said, not hidden: a profile asked for and missing is a finding
            print(f"py-spy on {pid} failed ({proc.returncode}): {err.decode(errors='replace').strip()[-300:]}")
    return [f for f in files if Path(f).exists()]


def _py_spy() -> str:
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


def print_profile(title: str, profile: dict[str, Any]) -> None:
    """The profile as a table: stage, p50, p99, share."""
    print(f"{title}: {profile['requests']} requests, total p50 {profile['total_p50_us']} µs, "
          f"p99 {profile['total_p99_us']} µs")  # fmt: skip
    for name, s in profile["stages"].items():
        cpu = f"  cpu p50 {s['cpu_p50_us']:8.1f} µs" if "cpu_p50_us" in s else ""
        share = f"mean share {s['share_of_mean']:5.1%}"
        print(f"  {name:13s} p50 {s['p50_us']:8.1f} µs  p99 {s['p99_us']:8.1f} µs  {share}{cpu}")


# Where a worker's busy samples go, by the first marker found from the leaf up (the innermost part wins).
PARTS: tuple[tuple[str, str], ...] = (
    ("graph: catch-up (other workers' arrivals)", "WorkspaceGraphChecks._catch_up"),
    ("graph: check and record", "WorkspaceGraphChecks.check"),
    ("lists", "StoreListScreen.screen"),
    ("strategy (zen, trace)", "ZenRuleEngine.evaluate"),
    ("reasons", "Decider._reasons"),
    ("score", "EnsembleScorer.score"),
    ("decision: the rest (reads, inputs, render)", "Intake.prepare"),
    ("route: key check", "Require.__call__"),
    ("route: the rest", "answer_application"),  # both doors of the route (api.lean_route) answer through it
)
THREADS = {"group-commit": "writer thread (group commit)", "arrival-log": "arrival-log thread (background catch-up)"}
IDLE_LEAVES = ("GroupCommitter._run", "Condition.wait", "Event.wait", "Queue.get", "select", "_worker")


def cpu_by_part(files: list[str]) -> dict[str, float]:
    """Busy seconds of the workers by part of a request (py-spy speedscope files of ``bench_decide``).

    A thread waiting for work (the writer on its queue, a timer) is not busy; py-spy counts a few such waits
    as running, so a sample whose innermost frame is a wait is left out. Speedscope weights are seconds.
    """
    seconds: dict[str, float] = defaultdict(float)
    for path in files:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        frames = [f["name"] for f in data["shared"]["frames"]]
        for prof in data["profiles"]:
            thread = next((label for name, label in THREADS.items() if name in prof["name"]), None)
            for stack, weight in zip(prof["samples"], prof["weights"], strict=True):
                if not stack or frames[stack[-1]] in IDLE_LEAVES:
                    continue
                seconds[thread or _part([frames[f] for f in stack])] += weight
    return {name: round(s, 3) for name, s in sorted(seconds.items(), key=lambda kv: -kv[1])}


def _part(names: list[str]) -> str:
    for label, marker in PARTS:
        if marker in names:
            return label
    return "HTTP front (uvicorn, middleware, parsing, response)" if "Server.run" in names else "other threads"


def print_cpu(by_part: dict[str, float], decisions: float) -> None:
    """Busy CPU per decision by part (``cpu_by_part`` over the ``decisions`` made while it was sampled)."""
    total = sum(by_part.values()) or 1.0
    print(f"  worker CPU per decision by part (py-spy, {decisions:.0f} decisions sampled):")
    for name, busy in by_part.items():
        print(f"    {name:48s} {busy / total:6.1%}  {busy / max(decisions, 1) * 1e6:7.0f} µs")
    print(f"    {'total':48s} {1:6.1%}  {total / max(decisions, 1) * 1e6:7.0f} µs")


def main() -> None:
    """The in-process profile alone, without a server or wrk (``bench_decide`` runs it after its HTTP runs)."""
    import argparse

    parser = argparse.ArgumentParser(
        description="In-process decision latency by stage on a served workspace: recorded applications decided "
        "as new arrivals (the workspace's graph checks, no HTTP, no commit). Opening the recorded applicants' "
        "identifiers is audited in the workspace's database."
    )
    parser.add_argument("--home", type=Path, required=True, help="a workspace `riskloop demo` left ready to serve")
    parser.add_argument("--decisions", type=int, default=3000, help="recorded applications to decide (at most)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = in_process(args.home, args.decisions)
    if args.json:
        print(json.dumps(result))
        return
    print(f"in process: p50 {result['p50_us']} µs, p99 {result['p99_us']} µs over {result['decisions']} decisions")
    print_profile("in-process stages", result["profile"])


if __name__ == "__main__":
    main()
