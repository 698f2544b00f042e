"""Benchmark reject inference: the funded-only bias and what fuzzy augmentation / parcelling do about it.

Run: ``.venv/bin/python -m benchmarks.bench_reject_inference --universe /work/data/u100k [--methods fuzzy parcel]``
(or ``--enterprises N`` to generate a universe first).

Outcomes exist only for funded loans. The ensemble is trained as ``riskloop train`` does (observed labels,
time split, no graph source) on the funded loans of the training window ("known"), then refitted with each
reject-inference method (the window's applications that never became a loan added, labelled by the known
model). Every model is scored against the universe's ground truth on the **through-the-door** population
of the out-of-time window (every application from the cut on, funded or not), and on its funded part only
(what a bank can measure: the known-good-bad AUC). An "oracle" fitted on the whole training window with
true labels shows what the selection costs. Differences carry a paired bootstrap 95 % interval.
Writes benchmarks/out/reject_inference.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS
from riskloop.features.labels import funded_applications, observed_outcomes
from riskloop.features.spine import application_spine
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.metrics import auc, bootstrap_auc
from riskloop.modeling.splits import time_split
from riskloop.monitoring.model_figures import bootstrap_auc_gain
from riskloop.service.train import unknown_applications, with_reject_inference, workspace_inputs
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "out" / "reject_inference.json"


def _auc_ci(y: np.ndarray, score: np.ndarray, seed: int) -> dict[str, Any]:
    low, high = bootstrap_auc(y, score, seed=seed)
    return {"auc": auc(y, score), "auc_ci95": [low, high]}


def _frame(universe: Path) -> pd.DataFrame:
    tables = universe / "tables"
    spine = application_spine(tables)
    frame = DuckDBFeatureEngine(tables).compute(spine, GROUPS).to_pandas()
    frame["as_of"] = pd.to_datetime(spine.column("as_of").to_pandas())
    truth = pq.read_table(universe / "truth" / "applications.parquet", columns=["application_id", "defaulted"])
    return frame.merge(truth.to_pandas(), on="application_id", validate="one_to_one")


def run(universe: Path, methods: tuple[str, ...], seed: int) -> dict[str, Any]:
    """Train known-only, each method and the oracle on one universe; score them on the through-the-door OOT."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    frame = _frame(universe)
    tables = universe / "tables"
    funded = funded_applications(tables)
    outcomes = observed_outcomes(tables, frame["as_of"].max().date()).to_pandas()[["application_id", "bad"]]
    seconds["features"] = round(time.perf_counter() - started, 1)
    labelled = frame.merge(outcomes, on="application_id", validate="one_to_one").reset_index(drop=True)
    y_obs = labelled["bad"].to_numpy(np.int64)
    split = time_split(labelled["as_of"], y_obs, seed=seed)
    train, y_train = labelled.iloc[split.train].reset_index(drop=True), y_obs[split.train]
    cut = pd.Timestamp(split.oot_from)
    ttd = frame[frame["as_of"] >= cut].reset_index(drop=True)  # every application of the OOT window
    y_ttd = ttd["defaulted"].astype(np.int64).to_numpy()
    is_funded = ttd["application_id"].isin(funded).to_numpy()
    sources, direct = workspace_inputs(frame.columns)
    config = EnsembleConfig(seed=seed, direct_inputs=direct)

    def timed(name: str, fit: Any) -> Ensemble:
        t0 = time.perf_counter()
        model: Ensemble = fit()
        seconds[name] = round(time.perf_counter() - t0, 1)
        print(f"fit {name:<8}{seconds[name]:>8.1f} s", flush=True)
        return model

    known = timed("known", lambda: fit_ensemble(train, y_train, sources, config))
    models: dict[str, Ensemble] = {"known": known}
    unknown = unknown_applications(frame, funded, train["as_of"].min(), split.oot_from)
    inferred: dict[str, Any] = {}
    for method in methods:
        fitted = timed(
            method,
            lambda m=method: with_reject_inference(m, train, y_train, unknown, known, sources=sources, config=config),
        )
        models[method], inferred[method] = fitted
    window = frame[(frame["as_of"] >= train["as_of"].min()) & (frame["as_of"] < cut)].reset_index(drop=True)
    oracle_y = window["defaulted"].astype(np.int64).to_numpy()
    models["oracle"] = timed("oracle", lambda: fit_ensemble(window, oracle_y, sources, config))
    pd_ttd = {name: np.asarray(m.predict(ttd).pd, dtype=np.float64) for name, m in models.items()}
    figures = {
        name: {
            "through_the_door": _auc_ci(y_ttd, p, seed),
            "funded_only": _auc_ci(y_ttd[is_funded], p[is_funded], seed),
            "unfunded_only": _auc_ci(y_ttd[~is_funded], p[~is_funded], seed),
        }
        for name, p in pd_ttd.items()
    }
    gains = {
        f"{name}_minus_known": bootstrap_auc_gain(y_ttd, pd_ttd[name], pd_ttd["known"], seed=seed)
        for name in (*methods, "oracle")
    }
    return {
        "universe": str(universe),
        "applications": len(frame),
        "funded": int(frame["application_id"].isin(funded).sum()),
        "train_known_rows": len(train),
        "train_known_bad_rate_observed": float(y_train.mean()),
        "train_window_applications": len(window),
        "train_window_default_rate_truth": float(oracle_y.mean()),
        "unknown_in_window": len(unknown),
        "oot_from": split.oot_from,
        "through_the_door_rows": len(ttd),
        "through_the_door_default_rate": float(y_ttd.mean()),
        "funded_share_of_through_the_door": float(is_funded.mean()),
        "reject_inference": inferred,
        "auc_vs_truth": figures,
        "gain_vs_known_through_the_door": gains,
        "seconds": seconds,
    }


def main() -> None:
    """Parse options, run, print the summary and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--universe", type=Path, help="a generated universe (tables/ and truth/), read only")
    parser.add_argument("--enterprises", type=int, default=30_000, help="without --universe: generate this many")
    parser.add_argument("--methods", nargs="+", choices=("fuzzy", "parcel"), default=["fuzzy", "parcel"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="riskloop-bench-ri-") as tmp:
        universe = args.universe
        if universe is None:
            universe = Path(tmp)
            generate_universe(UniverseParams(enterprises=args.enterprises, seed=7), universe, workers=2)
        result = run(universe, tuple(args.methods), args.seed)
    for name, f in result["auc_vs_truth"].items():
        t, k = f["through_the_door"], f["funded_only"]
        ci = f"{t['auc_ci95'][0]:.4f}-{t['auc_ci95'][1]:.4f}"
        print(f"{name:<8} TTD AUC {t['auc']:.4f} ({ci})  funded-only {k['auc']:.4f}")
    for name, g in result["gain_vs_known_through_the_door"].items():
        print(f"{name:<20} {g['gain']:+.4f} (95% CI {g['low']:+.4f} to {g['high']:+.4f})")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"machine": platform.platform(), "seed": args.seed, **result}, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
