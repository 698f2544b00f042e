"""Benchmark the in-process decision pipeline on a generated, ingested and trained workspace.

Run: ``.venv/bin/python -m benchmarks.bench_decide_inprocess [--enterprises 3000] [--seed 7] [--repeats 3]``
Runs ``riskloop demo`` (generate, ingest, train) into a temporary workspace, publishes the enterprise
features, then decides every recorded application through ``Decider.decide`` on SQLite: profile and
feature lookups, graph checks (the in-memory port with clean signals, as the graph adapter is not wired
here), the fused model's serving path, the reference strategy on zen-engine with trace, reasons. Reports
the median over repeats of p50/p99 latency, overall and by tier. Writes ``benchmarks/out/decide_inprocess.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.testing.fake_decision_ports import MemoryGraphChecks
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

OUT = Path(__file__).parent / "out" / "decide_inprocess.json"


def _workspace(home: Path, enterprises: int, seed: int) -> None:
    runner = CliRunner()
    demo = runner.invoke(app, ["--home", str(home), "demo", "--enterprises", str(enterprises), "--seed", str(seed)])
    assert demo.exit_code == 0, demo.output
    pub = runner.invoke(app, ["--home", str(home), "features", "publish", "--as-of", "2026-07-01", "--json"])
    assert pub.exit_code == 0, pub.output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        _workspace(home, args.enterprises, args.seed)
        settings = load_settings(home)
        ws = Workspace.open(settings, migrate=False)
        decider = ws.decider(graph=MemoryGraphChecks())
        requests = [r for r, _ in workspace_requests(home)]
        for r in requests[:200]:
            decider.decide(r)  # warm-up
        runs: list[dict[str, Any]] = []
        for _ in range(args.repeats):
            by_tier: dict[str, list[float]] = defaultdict(list)
            every: list[float] = []
            for r in requests:
                start = time.perf_counter_ns()
                tier = decider.decide(r).decision.tier.value
                us = (time.perf_counter_ns() - start) / 1000.0
                every.append(us)
                by_tier[tier].append(us)
            runs.append(
                {
                    "p50_us": float(np.percentile(every, 50)),
                    "p99_us": float(np.percentile(every, 99)),
                    "by_tier_p50_us": {t: float(np.percentile(v, 50)) for t, v in sorted(by_tier.items())},
                    "tiers": {t: len(v) for t, v in sorted(by_tier.items())},
                }
            )
        ws.close()
    result = {
        "enterprises": args.enterprises,
        "applications": len(requests),
        "repeats": args.repeats,
        "p50_us": statistics.median(r["p50_us"] for r in runs),
        "p99_us": statistics.median(r["p99_us"] for r in runs),
        "by_tier_p50_us": {
            t: statistics.median(r["by_tier_p50_us"][t] for r in runs) for t in runs[0]["by_tier_p50_us"]
        },
        "tiers": runs[0]["tiers"],
        "graph": "in-memory port, clean signals",
        "database": "sqlite",
        "machine": platform.platform(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True))
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
