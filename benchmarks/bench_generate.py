"""Benchmark ``riskloop generate``: enterprises per second, wall time, peak RSS and bytes, against a pyarrow baseline.

Run: ``.venv/bin/python -m benchmarks.bench_generate [--sizes 100000 1000000] [--repeats 3] [--workers 2]``
Each repeat runs the generator and then the baseline, so both see the same machine load; the report gives
medians of wall time and of the per-repeat ratio to the baseline, and the largest peak memory.
Each size runs in a fresh subprocess so ``getrusage(RUSAGE_CHILDREN)`` reports that run's peak RSS (the largest
single process: with workers, the biggest worker or the parent).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_BASELINE = """
import sys, time
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
rows, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
start = time.perf_counter()
written = 0
while written < rows:
    n = min(2_000_000, rows - written)
    table = pa.table({
        "id": pa.array(rng.integers(0, 10**15, n)).cast(pa.string()),
        "code": pa.array(rng.integers(0, 10**17, n)).cast(pa.string()),
        "day": pa.array(np.datetime64("2024-01-01") + rng.integers(0, 900, n).astype("timedelta64[D]")),
        "amount": rng.integers(0, 10**9, n),
        "flag": rng.random(n) < 0.5,
    })
    pq.write_table(table, f"{out}/part-{written:012d}.parquet", compression="zstd", compression_level=1)
    written += n
print(time.perf_counter() - start)
"""


def _peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # Linux reports KiB


def _tree_rss_mb(root: int) -> float:
    """Summed RSS of ``root`` and its descendants, read from /proc (Linux; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier.extend(children)
    total_kb = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024.0


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_generator(size: int, workers: int, base: Path) -> dict[str, Any]:
    out = base / f"universe-{size}"
    cmd = [
        sys.executable,
        "-c",
        "from riskloop.cli.main import app; app()",
        "--home",
        str(base / "home"),
        "generate",
        "--enterprises",
        str(size),
        "--seed",
        "1",
        "--workers",
        str(workers),
        "--out",
        str(out),
        "--json",
    ]
    start = time.perf_counter()
    peak_tree = 0.0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        while proc.poll() is None:
            peak_tree = max(peak_tree, _tree_rss_mb(proc.pid))
            time.sleep(0.5)
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"generate failed ({proc.returncode}): {stderr}")
    if not stdout.strip():
        raise RuntimeError(f"generate printed nothing; stderr: {stderr[-2000:]}")
    result = json.loads(stdout)
    rows = sum(result["rows"].values())
    return {
        "size": size,
        "workers": workers,
        "wall_s": round(wall, 2),
        "enterprises_per_s": round(size / wall),
        "peak_rss_mb": round(_peak_children_mb()),
        "peak_tree_rss_mb": round(peak_tree),
        "rows": rows,
        "rows_per_s": round(rows / wall),
        "bytes": _du(out),
        "out": str(out),
    }


def run_baseline(rows: int, base: Path) -> float:
    out = base / "baseline"
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", _BASELINE, str(rows), str(out)], capture_output=True, text=True, check=True
    )
    shutil.rmtree(out)
    return float(proc.stdout.strip())


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall time, throughput and baseline ratio over repeats; the largest peak memory."""
    wall = statistics.median(r["wall_s"] for r in runs)
    out = dict(runs[0])
    out.update(
        repeats=len(runs),
        wall_s=round(wall, 2),
        wall_s_all=[r["wall_s"] for r in runs],
        enterprises_per_s=round(out["size"] / wall),
        rows_per_s=round(out["rows"] / wall),
        peak_rss_mb=max(r["peak_rss_mb"] for r in runs),
        peak_tree_rss_mb=max(r["peak_tree_rss_mb"] for r in runs),
        baseline_s=round(statistics.median(r["baseline_s"] for r in runs), 2),
        baseline_ratio=round(statistics.median(r["wall_s"] / r["baseline_s"] for r in runs), 2),
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per size; medians are reported")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out-dir", type=Path, default=None, help="where universes go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated universes")
    args = parser.parse_args(argv)
    base = args.out_dir or Path(tempfile.mkdtemp(prefix="riskloop-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    results = []
    # ru_maxrss of children is a running maximum (of the largest single process), so sizes run in ascending
    # order; the /proc sampler adds the summed peak of the generator's whole process tree.
    for size in sorted(args.sizes):
        runs = []
        for _ in range(max(1, args.repeats)):
            gen = run_generator(size, args.workers, base)
            gen["baseline_s"] = run_baseline(gen["rows"], base)
            runs.append(gen)
            if not args.keep:
                shutil.rmtree(gen["out"], ignore_errors=True)
        results.append(_median_of(runs))
    print(
        f"{'enterprises':>12} {'wall s':>8} {'ent/s':>8} {'peak MB':>8} {'tree MB':>8} {'rows':>12} {'GB':>6}"
        f" {'base s':>7} {'x base':>6}"
    )
    for r in results:
        print(
            f"{r['size']:>12,} {r['wall_s']:>8.1f} {r['enterprises_per_s']:>8,} {r['peak_rss_mb']:>8,} "
            f"{r['peak_tree_rss_mb']:>8,} "
            f"{r['rows']:>12,} {r['bytes'] / 1e9:>6.2f} {r['baseline_s']:>7.1f} {r['baseline_ratio']:>6.2f}"
        )
    report = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpu_count()},
        "results": results,
        "baseline": "pyarrow writing the same number of rows of random 5-column data, zstd-1, one process",
    }
    out_dir = Path(__file__).parent / "out"
    out_dir.mkdir(exist_ok=True)
    target = out_dir / f"bench_generate-{'-'.join(str(s) for s in sorted(args.sizes))}.json"
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written {target}")
    return 0


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
