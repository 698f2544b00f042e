"""Benchmark single-row scoring of the fused ensemble through the serving path, against native LightGBM.

Run: ``.venv/bin/python -m benchmarks.bench_scoring [--enterprises 30000] [--rows 3000] [--seed 11]
[--also-kinds scorecard gbdt catboost]``
Generates a universe, computes features, fits the ensemble (5 folds), saves and reloads the bundle, then
times ``Ensemble.score_row`` (full ensemble: every points table and booster, fusion, calibration, points)
row by row after a warm-up, and in the same run ``lightgbm.Booster.predict`` of one sub-model booster on one
row as the baseline. ``--also-kinds`` fits a second ensemble with another learner set on the same rows and
times it on the same rows, interleaved with the first (the machine's noise falls on both alike).
Prints a table and writes JSON to ``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pyarrow.parquet as pq

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS
from riskloop.features.spine import application_spine
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.service.train import workspace_inputs
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

WARMUP = 200


def _timed(fn: Any, items: list[Any]) -> list[float]:
    for item in items[:WARMUP]:
        fn(item)
    out = []
    for item in items:
        start = time.perf_counter_ns()
        fn(item)
        out.append((time.perf_counter_ns() - start) / 1000.0)
    return out


def _summary(us: list[float]) -> dict[str, float]:
    return {"median_us": statistics.median(us), "p99_us": float(np.percentile(us, 99)), "rows": len(us)}


def _print(result: dict[str, Any], gbdt: str, n_sub: int) -> None:
    print(f"{'path':<52}{'median µs':>12}{'p99 µs':>12}")
    for label, key in (
        (f"fused ensemble ({n_sub} sub-models), serving path", "ensemble_single_row"),
        (f"native Booster.predict, one booster ({gbdt})", "native_lightgbm_one_booster_one_row"),
    ):
        s = result[key]
        print(f"{label:<52}{s['median_us']:>12.1f}{s['p99_us']:>12.1f}")
    if "also" in result:
        label = f"second ensemble ({len(result['also']['sub_models'])} sub-models), serving path"
        print(f"{label:<52}{result['also']['median_us']:>12.1f}{result['also']['p99_us']:>12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=30_000)
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--also-kinds", nargs="+", help="a second ensemble's sub-model kinds, e.g. scorecard gbdt catboost"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        generate_universe(UniverseParams(enterprises=args.enterprises, seed=args.seed), out / "u", workers=2)
        tables = out / "u" / "tables"
        frame = DuckDBFeatureEngine(tables).compute(application_spine(tables), GROUPS).to_pandas()
        truth = pq.read_table(out / "u" / "truth" / "applications.parquet", columns=["application_id", "defaulted"])
        frame = frame.merge(truth.to_pandas(), on="application_id", validate="one_to_one")
        sources, direct = workspace_inputs(frame.columns)  # the workspace model as ``riskloop train`` builds it
        config = EnsembleConfig(direct_inputs=direct)
        fit_started = time.perf_counter()
        model = fit_ensemble(frame, frame["defaulted"].astype(int).to_numpy(), sources, config)
        fit_seconds = time.perf_counter() - fit_started
        loaded = Ensemble.load(model.save(out / "bundle", {"seed": args.seed}).parent)
        other = None
        if args.also_kinds:
            y = frame["defaulted"].astype(int).to_numpy()
            fitted = fit_ensemble(frame, y, sources, EnsembleConfig(direct_inputs=direct, kinds=tuple(args.also_kinds)))
            other = Ensemble.load(fitted.save(out / "other", {"seed": args.seed}).parent)
        setup_seconds = time.perf_counter() - started
    columns = list(loaded.features) + [c for c in frame.columns if c.startswith("avail_")]
    rows = frame[columns].sample(n=min(args.rows, len(frame)), random_state=0).to_dict("records")
    ensemble_us, other_us = [], []
    for start in range(0, len(rows), 100):  # interleaved blocks: both see the same machine
        ensemble_us += _timed(loaded.score_row, rows[start : start + 100])
        if other is not None:
            other_us += _timed(other.score_row, rows[start : start + 100])
    batch = loaded.predict(frame.loc[:, columns].iloc[:500])
    assert np.array_equal(batch.pd, [loaded.score_row(r)[0] for r in frame[columns].iloc[:500].to_dict("records")])
    gbdt = next(m for m in loaded.sub_model_names if m.endswith(":gbdt"))
    booster = lgb.Booster(model_str=loaded.serving.booster_texts[gbdt])  # the lightgbm package's own path
    features = loaded.serving.sources[gbdt.split(":")[0]]
    matrices = [np.array([[r[f] if r[f] is not None else np.nan for f in features]], dtype=np.float64) for r in rows]
    native_us = _timed(lambda m: booster.predict(m, raw_score=True, num_threads=1), matrices)
    result = {
        "benchmark": "scoring",
        "enterprises": args.enterprises,
        "applications": len(frame),
        "sub_models": list(loaded.sub_model_names),
        "trees_per_booster": booster.num_trees(),
        "trees_all_boosters": sum(loaded.serving.booster(m).num_trees for m in loaded.sub_model_names if ":gbdt" in m),
        "fit_seconds": round(fit_seconds, 2),
        "setup_seconds": round(setup_seconds, 2),
        "ensemble_single_row": _summary(ensemble_us),
        "native_lightgbm_one_booster_one_row": _summary(native_us),
        **({} if other is None else {"also": {"sub_models": list(other.sub_model_names), **_summary(other_us)}}),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "lightgbm": lgb.__version__,
    }
    _print(result, gbdt, len(loaded.sub_model_names))
    target = Path(__file__).parent / "out"
    target.mkdir(exist_ok=True)
    path = target / f"scoring-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
