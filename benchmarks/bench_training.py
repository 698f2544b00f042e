"""Benchmark training at ~100k applications: wall time per stage, peak memory, AUC against ground truth.

Run: ``.venv/bin/python -m benchmarks.bench_training [--enterprises 320000] [--labels truth|observed] [--seed 0]``

Stages: generate a synthetic universe (≈ 100k applications from 320k enterprises), compute point-in-time
features with DuckDB and the graph features (``--no-graph`` leaves the graph source out), fit the
scorecard + GBDT ensemble with fusion on the applications before the out-of-time cut (time split: latest
~15 % out-of-time, 20 % of the rest an in-time test part), score the held-out applications; the baseline
(one LightGBM over the same features, modeling/baseline.py) is fitted on the same rows. AUC is measured
against the universe's ground truth (``defaulted``) on the held-out applications with a bootstrap 95 %
interval; the ensemble's gain over its best sub-model with a paired bootstrap interval.
Memory: peak RSS of this process per stage (sampled from /proc every 0.1 s) and getrusage peaks.
Writes benchmarks/out/training.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS
from riskloop.features.labels import observed_outcomes
from riskloop.features.spine import application_spine
from riskloop.modeling.baseline import train_baseline
from riskloop.modeling.ensemble import EnsembleConfig, fit_ensemble
from riskloop.modeling.evaluation import discrimination
from riskloop.modeling.metrics import bootstrap_auc
from riskloop.modeling.splits import time_split
from riskloop.monitoring.model_figures import bootstrap_auc_gain
from riskloop.service.graph_features import workspace_graph_features
from riskloop.service.train import CROSS_SOURCE, with_graph_features, workspace_inputs
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "out" / "training.json"
FEATURES = tuple(n for g in GROUPS for n in g.feature_names)
GRAPH_KEY = b"riskloop-benchmark-graph-key-32b"


class _Peak:
    """Samples this process's resident memory in a thread; ``peak_mb`` is the largest since the last reset."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, _rss_mb())

    def reset(self) -> None:
        self.peak_mb = _rss_mb()

    def stop(self) -> None:
        self._stop.set()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


@contextmanager
def _stage(name: str, stages: dict[str, dict[str, float]], peak: _Peak) -> Iterator[None]:
    peak.reset()
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    stages[name] = {"seconds": round(seconds, 2), "peak_rss_mb": round(max(peak.peak_mb, _rss_mb()), 1)}
    print(f"{name:<22}{seconds:>9.1f} s  peak RSS {stages[name]['peak_rss_mb']:>8.0f} MB", flush=True)


def _figures(y: np.ndarray, fused: np.ndarray, subs: pd.DataFrame | None, seed: int) -> dict[str, Any]:
    low, high = bootstrap_auc(y, fused, seed=seed)
    out: dict[str, Any] = {**discrimination(y, fused), "auc_ci95": [low, high]}
    if subs is not None:
        aucs = {c: discrimination(y, subs[c].to_numpy(np.float64))["auc"] for c in subs.columns}
        best = max(sorted(aucs), key=aucs.__getitem__)
        gain = bootstrap_auc_gain(y, fused, subs[best].to_numpy(np.float64), seed=seed)
        out.update(
            best_sub_model=best,
            best_sub_auc=aucs[best],
            auc_gain=gain["gain"],
            auc_gain_ci95=[gain["low"], gain["high"]],
        )
        out["sub_models"] = aucs
    return out


def run(
    enterprises: int,
    labels: str,
    seed: int,
    work: Path,
    *,
    direct: tuple[str, ...] | None = None,
    cross: bool = CROSS_SOURCE,
    graph: bool = True,
) -> dict[str, Any]:
    """Every stage on one universe; return the figures."""
    stages: dict[str, dict[str, float]] = {}
    peak = _Peak()
    with _stage("generate", stages, peak):
        summary = generate_universe(UniverseParams(enterprises=enterprises, seed=seed), work, workers=2)
    tables = work / "tables"
    with _stage("features", stages, peak):
        spine = application_spine(tables)
        frame = DuckDBFeatureEngine(tables).compute(spine, GROUPS).to_pandas()
        frame["as_of"] = pd.to_datetime(spine.column("as_of").to_pandas())
    if graph:
        with _stage("graph features", stages, peak):
            frame = with_graph_features(frame, workspace_graph_features(tables, GRAPH_KEY))
    truth = pq.read_table(work / "truth" / "applications.parquet", columns=["application_id", "defaulted"]).to_pandas()
    frame = frame.merge(truth, on="application_id", validate="one_to_one")
    if labels == "observed":
        outcomes = observed_outcomes(tables, frame["as_of"].max().date()).to_pandas()[["application_id", "bad"]]
        labelled = frame.merge(outcomes, on="application_id").reset_index(drop=True)
        y_train_all = labelled["bad"].to_numpy(np.int64)
    else:
        labelled = frame.reset_index(drop=True)
        y_train_all = labelled["defaulted"].astype(np.int64).to_numpy()
    split = time_split(labelled["as_of"], y_train_all, seed=seed)
    train = labelled.iloc[split.train].reset_index(drop=True)
    trained_ids = set(train["application_id"])
    held = frame[~frame["application_id"].isin(trained_ids)].reset_index(drop=True)
    y_held = held["defaulted"].astype(np.int64).to_numpy()
    sources, default_direct = workspace_inputs(frame.columns, cross=cross)  # as ``riskloop train`` does
    direct = default_direct if direct is None else direct
    config = EnsembleConfig(seed=seed, direct_inputs=direct)
    with _stage("fit ensemble", stages, peak):
        ensemble = fit_ensemble(train, y_train_all[split.train], sources, config)
    with _stage("score held-out", stages, peak):
        scores = ensemble.predict(held)
    with _stage("fit baseline", stages, peak):
        every = FEATURES + tuple(c for c in frame.columns if c.startswith("graph_"))  # what the ensemble sees
        baseline = train_baseline(train, y_train_all[split.train], every, seed)
    with _stage("score baseline", stages, peak):
        baseline_pd = baseline.predict_pd(held)
    peak.stop()
    fused = np.asarray(scores.pd, dtype=np.float64)
    return {
        "enterprises": enterprises,
        "applications": int(summary.rows.get("applications", len(frame))),
        "labels": labels,
        "direct_inputs": list(direct),
        "cross_source": cross,
        "graph": graph,
        "train_rows": len(train),
        "train_bad_rate": float(y_train_all[split.train].mean()),
        "held_out_rows": len(held),
        "held_out_default_rate": float(y_held.mean()),
        "sub_models": list(ensemble.sub_model_names),
        "stages": stages,
        "peak_rss_mb_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "peak_rss_mb_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
        "ensemble_vs_truth": _figures(y_held, fused, scores.sub_scores, seed),
        "baseline_vs_truth": _figures(y_held, np.asarray(baseline_pd, dtype=np.float64), None, seed),
        "ensemble_minus_baseline": bootstrap_auc_gain(y_held, fused, baseline_pd, seed=seed),
    }


def main() -> None:
    """Parse options, run, print the summary and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=320_000)
    parser.add_argument("--labels", choices=("truth", "observed"), default="truth")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--direct", nargs="+", help="direct inputs of the fusion (default: the application fields)")
    parser.add_argument("--cross-source", action=argparse.BooleanOptionalAction, default=CROSS_SOURCE)
    parser.add_argument("--graph", action=argparse.BooleanOptionalAction, default=True, help="graph source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="riskloop-bench-train-") as tmp:
        direct = None if args.direct is None else tuple(args.direct)
        result = run(
            args.enterprises,
            args.labels,
            args.seed,
            Path(tmp),
            direct=direct,
            cross=args.cross_source,
            graph=args.graph,
        )
    e, b, d = result["ensemble_vs_truth"], result["baseline_vs_truth"], result["ensemble_minus_baseline"]
    print(
        f"\n{result['applications']:,} applications; trained on {result['train_rows']:,} ({args.labels} labels), "
        f"scored {result['held_out_rows']:,} held-out against ground truth"
    )
    print(f"ensemble AUC {e['auc']:.4f} (95% CI {e['auc_ci95'][0]:.4f}-{e['auc_ci95'][1]:.4f}), KS {e['ks']:.4f}")
    print(
        f"best sub-model {e['best_sub_model']} AUC {e['best_sub_auc']:.4f}; gain {e['auc_gain']:+.4f} "
        f"(95% CI {e['auc_gain_ci95'][0]:+.4f} to {e['auc_gain_ci95'][1]:+.4f})"
    )
    print(f"baseline LightGBM AUC {b['auc']:.4f} (95% CI {b['auc_ci95'][0]:.4f}-{b['auc_ci95'][1]:.4f})")
    print(f"ensemble - baseline {d['gain']:+.4f} (95% CI {d['low']:+.4f} to {d['high']:+.4f})")
    self_mb, children_mb = result["peak_rss_mb_self"], result["peak_rss_mb_children"]
    print(f"peak RSS: this process {self_mb:.0f} MB, generator workers {children_mb:.0f} MB")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    default = args.direct is None and args.cross_source == CROSS_SOURCE and args.graph
    out = OUT if default else OUT.with_name("training-variant.json")
    out.write_text(json.dumps({"machine": platform.platform(), "seed": args.seed, **result}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
