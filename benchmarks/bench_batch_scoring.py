"""Benchmark scoring batches of rows with a table model's trees: the compiled forest, LightGBM's library, the product.

Run: ``.venv/bin/python -m benchmarks.bench_batch_scoring [--rows 5000] [--batches 1 16 256 4096 30000]
[--repeats 3] [--kinds scorecard gbdt catboost]``
Fits the ensemble ``train --csv`` fits (scorecard, LightGBM and CatBoost with its 1,000 trees of depth 6) on a
synthetic table of ``--rows`` rows, then times, per batch size and in the same run (medians of ``--repeats``,
interleaved so the machine's noise falls on all three alike):

* **forest**: ``CompiledForest.raw``, every split of every tree tested in one vectorised pass;
* **native**: ``NativeBooster.raw_scores`` of each booster, LightGBM's C library walking each tree;
* **score**: ``ServingEnsemble.score``, the product's batch scoring, which picks one of the two per batch size.

It checks that the forest and the library give the same raw scores to the bit, prints a table with the ratio of
each to the forest, and writes ``benchmarks/out/batch_scoring.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.bench_forest_load import COLUMNS, synthetic_table
from riskloop.modeling.ensemble import EnsembleConfig, fit_ensemble
from riskloop.modeling.sources import SourceSpec
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.model import TREES, ServingEnsemble
from riskloop.scoring.trees import CompiledForest

OUT = Path(__file__).parent / "out" / "batch_scoring.json"
FEATURES = tuple(f"x{i}" for i in range(COLUMNS))


def _serving(rows: int, kinds: list[str]) -> ServingEnsemble:
    x, y = synthetic_table(rows, seed=3)
    frame = pd.DataFrame(x, columns=list(FEATURES))
    config = EnsembleConfig(folds=2, kinds=tuple(kinds), n_jobs=2)
    return fit_ensemble(frame, y, (SourceSpec("all", FEATURES),), config).serving


def _median_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run(serving: ServingEnsemble, batches: list[int], repeats: int) -> list[dict[str, Any]]:
    """Per batch size: median milliseconds of the forest, the library and the product's scoring."""
    trees = [m for m in serving.sub_models if m.kind in TREES]
    texts = [serving.booster_texts[m.name] for m in trees]
    columns = [list(range(COLUMNS))] * len(trees)  # one source: every booster reads every column
    forest = CompiledForest.from_texts(texts, columns)
    boosters = [NativeBooster(t) for t in texts]
    out = []
    for size in batches:
        x, _ = synthetic_table(size, seed=size)
        frame = pd.DataFrame(x, columns=list(FEATURES))
        native = np.column_stack([b.raw_scores(x) for b in boosters])
        if not np.array_equal(forest.raw(x), native):
            raise SystemExit(f"{size} rows: the forest and LightGBM's library disagree")
        timed: dict[str, list[float]] = {"forest": [], "native": [], "score": []}
        for _ in range(repeats):  # interleaved
            timed["forest"].append(_median_ms(lambda x=x: forest.raw(x), 1))
            timed["native"].append(_median_ms(lambda x=x: [b.raw_scores(x) for b in boosters], 1))
            timed["score"].append(_median_ms(lambda f=frame: serving.score(f), 1))
        medians = {k: statistics.median(v) for k, v in timed.items()}
        out.append({"rows": size, **{f"{k}_ms": round(v, 3) for k, v in medians.items()}})
    return out


def main() -> None:
    """Fit, time, print, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000, help="rows the ensemble is fitted on")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16, 256, 4096, 30_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=["scorecard", "gbdt", "catboost"])
    args = parser.parse_args()
    serving = _serving(args.rows, args.kinds)
    rows = run(serving, args.batches, args.repeats)
    head = ("rows", "forest ms", "native ms", "score ms", "native/forest", "score/forest")
    print(f"{head[0]:>8} {head[1]:>12} {head[2]:>12} {head[3]:>12} {head[4]:>14} {head[5]:>13}")
    for r in rows:
        print(
            f"{r['rows']:>8,} {r['forest_ms']:>12.3f} {r['native_ms']:>12.3f} {r['score_ms']:>12.3f} "
            f"{r['native_ms'] / r['forest_ms']:>14.3f} {r['score_ms'] / r['forest_ms']:>13.3f}"
        )
    print(f"the product switches to the library from {serving.native_from} rows")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": platform.platform(), "kinds": args.kinds, "fit_rows": args.rows,
               "native_from": serving.native_from, "results": rows}  # fmt: skip
    OUT.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
