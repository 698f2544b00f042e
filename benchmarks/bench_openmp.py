"""Benchmark how OpenMP threads wait (LightGBM's), on an idle machine and beside busy processes, in one run.

Run: ``.venv/bin/python -m benchmarks.bench_openmp [--enterprises 3000] [--repeats 3] [--busy 2] [--json]``
Generates a universe, then trains the demo's forecaster on it (24 small LightGBM models, two threads: the
``riskloop demo`` budget) in a fresh process per run, so that each run's OpenMP runtime reads its own setting:

- ``bounded``: what ``riskloop`` sets (``riskloop.openmp``: ``GOMP_SPINCOUNT=1000``);
- ``passive``: ``OMP_WAIT_POLICY=PASSIVE`` (never spin), the setting before;
- ``unbounded``: neither (libgomp's default, 300,000 spins).

Each setting runs ``--repeats`` times alternated with the others, idle and then with ``--busy`` processes
spinning on the cores. Prints the median seconds and the ratio of each setting to ``passive`` under the same
load; writes ``benchmarks/out/openmp.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "out" / "openmp.json"
SETTINGS: dict[str, dict[str, str]] = {
    "bounded": {"GOMP_SPINCOUNT": "1000"},
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    "unbounded": {},
}
TRAIN = """
import datetime as dt, sys, tempfile, time
from pathlib import Path
from riskloop.forecast.train import ForecastConfig, train_forecaster
from riskloop.jobs.demo_prospects import DEMO_LEARNING_RATE, DEMO_ROUNDS, DEMO_ROWS
config = ForecastConfig(max_rows=DEMO_ROWS, rounds=DEMO_ROUNDS, learning_rate=DEMO_LEARNING_RATE)
start = time.perf_counter()
train_forecaster(Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]), Path(tempfile.mkdtemp()) / "f", seed=7,
                 config=config)
print(time.perf_counter() - start)
"""


def _universe(enterprises: int, seed: int) -> tuple[Path, dt.date]:
    from riskloop.synth.universe import UniverseParams, generate_universe

    params = UniverseParams(enterprises=enterprises, seed=seed)
    out = Path(tempfile.mkdtemp(prefix="bench-openmp-"))
    generate_universe(params, out, workers=1)
    return out / "tables", params.as_of


def _train(tables: Path, as_of: dt.date, setting: dict[str, str]) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")} | setting
    done = subprocess.run(
        [sys.executable, "-c", TRAIN, str(tables), as_of.isoformat()], env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def _busy(count: int) -> list[subprocess.Popen[bytes]]:
    """Processes that keep a core each busy until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def _measure(tables: Path, as_of: dt.date, repeats: int) -> dict[str, float]:
    runs: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for _ in range(repeats):  # alternated: the machine's noise falls on every setting
        for name, setting in SETTINGS.items():
            runs[name].append(_train(tables, as_of, setting))
    return {name: round(statistics.median(values), 2) for name, values in runs.items()}


def run(enterprises: int, repeats: int, busy: int, seed: int) -> dict[str, Any]:
    """Median seconds of each setting, idle and beside ``busy`` spinning processes."""
    tables, as_of = _universe(enterprises, seed)
    out: dict[str, Any] = {"enterprises": enterprises, "repeats": repeats, "cores": os.cpu_count(), "busy": busy}
    out["idle"] = _measure(tables, as_of, repeats)
    hogs = _busy(busy)
    try:
        time.sleep(0.5)
        out["loaded"] = _measure(tables, as_of, repeats)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    for load in ("idle", "loaded"):
        out[f"{load}_ratio_to_passive"] = {k: round(v / out[load]["passive"], 3) for k, v in out[load].items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="spinning processes beside the runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    out = run(args.enterprises, args.repeats, args.busy, args.seed)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2))
    if args.json:
        print(json.dumps(out))
        return
    for load in ("idle", "loaded"):
        cells = ", ".join(f"{k} {v} s (x{out[f'{load}_ratio_to_passive'][k]})" for k, v in out[load].items())
        print(f"{load} ({out['busy'] if load == 'loaded' else 0} busy processes): {cells}")


if __name__ == "__main__":
    main()
