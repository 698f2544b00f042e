"""Business-scale forecast: accuracy and cost of the global LightGBM forecaster, seasonal naive and statsforecast.

Run: ``.venv/bin/python -m benchmarks.bench_forecast [--enterprises 100000] [--home bench-home/forecast]
[--statsforecast-python /tmp/sf-venv/bin/python] [--sample 3000]``

Generates a universe into ``<home>/universe`` (or reuses it) and reads its Parquet tables as the warehouse (the
layout ``riskloop ingest`` writes). Two evaluations, every method in the same run:

(a) held out inside history: trained and forecast as of ``as_of`` minus 12 months (only what was filed or
    issued before that day), compared with the observed sums of the next 3, 6 and 12 months;
(b) against the generator's truth ``truth/future_scale`` (the true next 12 months after ``as_of``), when the
    universe has it: trained and forecast as of ``as_of``. Also how well ``p_growth_20`` ranks and is calibrated
    against the true growth of the next 12 months over the observed last 12.

sMAPE, MASE (scaled by the in-sample seasonal-naive MAE) and 80 % interval coverage of the sums, for the model
and seasonal naive over every enterprise with history, and for all methods (statsforecast's AutoETS, AutoTheta,
ADIDA and ``auto``: ADIDA for intermittent series, else AutoETS) over a random sample (statsforecast costs about
20 ms a series and model; its cost per 100k series is extrapolated from the sample). statsforecast runs in its
own interpreter (``--statsforecast-python``: it needs pandas < 3); without one it is skipped. Costs: wall seconds
of the series build, training and forecasting, and per 100k series.
"""

from __future__ import annotations

import os

if "OMP_WAIT_POLICY" not in os.environ:  # before LightGBM loads, as riskloop.openmp.bounded_spin does
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.forecast.baseline import seasonal_naive
from riskloop.forecast.metrics import evaluate, held_out_actuals, truth_actuals
from riskloop.forecast.model import ForecastModel
from riskloop.forecast.output import Bounds, forecast_table
from riskloop.forecast.schema import HORIZONS, KINDS, sum_column
from riskloop.forecast.series import MonthlySeries, monthly_series, shift_months
from riskloop.forecast.train import ForecastConfig, train_forecaster
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

SF_MODELS = ("auto", "AutoETS", "AutoTheta", "ADIDA")
PER = 100_000


def main() -> None:
    """Run both evaluations and print one JSON object of figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--home", type=Path, default=Path("bench-home/forecast"))
    parser.add_argument("--statsforecast-python", help="an interpreter with statsforecast 2.1.1 (pandas < 3)")
    parser.add_argument("--sample", type=int, default=3000, help="series of the all-methods comparison")
    parser.add_argument("--threads", type=int, default=2, help="LightGBM threads (training and serving)")
    parser.add_argument("--rounds", type=int, default=ForecastConfig.rounds)
    parser.add_argument("--max-rows", type=int, default=ForecastConfig.max_rows)
    args = parser.parse_args()
    universe = _universe(args.home / "universe", args.enterprises, args.seed)
    manifest = json.loads((universe / "manifest.json").read_text())
    as_of = dt.date.fromisoformat(manifest["as_of"])
    config = ForecastConfig(rounds=args.rounds, max_rows=args.max_rows, threads=args.threads)
    tables = universe / "tables"
    result: dict[str, Any] = {
        "enterprises": manifest["parameters"]["enterprises"],
        "generator": manifest.get("generator_version"),
        "as_of": as_of.isoformat(),
        "config": {"rounds": config.rounds, "max_rows": config.max_rows, "threads": config.threads},
    }
    cut = shift_months(as_of, -12)
    result["held_out"] = _run(
        args, tables, cut, config, lambda view: held_out_actuals(monthly_series(tables, as_of), view)
    )
    truth = _truth(universe)
    if truth is None:
        result["truth"] = {"skipped": "the universe has no truth/future_scale (generator before 1.9.0)"}
    else:
        result["truth"] = _run(args, tables, as_of, config, lambda view: truth_actuals(truth, view), growth=True)
    print(json.dumps(result, indent=2))


def _universe(out: Path, enterprises: int, seed: int) -> Path:
    if not (out / "manifest.json").exists():
        generate_universe(UniverseParams(enterprises=enterprises, seed=seed), out, workers=2)
    return out


def _truth(universe: Path) -> pa.Table | None:
    folder = universe / "truth" / "future_scale"
    single = universe / "truth" / "future_scale.parquet"
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return pq.read_table(folder)
    return pq.read_table(single) if single.is_file() else None


def _run(
    args: argparse.Namespace, tables: Path, day: dt.date, config: ForecastConfig, actuals: Any, *, growth: bool = False
) -> dict[str, Any]:
    """Train on ``day``, forecast as of ``day`` with every method, and evaluate against ``actuals(view)``."""
    cost: dict[str, float] = {}
    print(f"{day}: series, training, forecasts", file=sys.stderr, flush=True)
    started = time.perf_counter()
    view = monthly_series(tables, day)
    cost["series_seconds"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        folder = train_forecaster(tables, day, Path(tmp) / "model", seed=args.seed, progress=_progress, config=config)
        cost["train_seconds"] = time.perf_counter() - started
        model = ForecastModel.load(folder)
        training = json.loads((folder / "manifest.json").read_text())["training"]
    started = time.perf_counter()
    forecast = model.forecast(view)
    cost["forecast_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    naive = seasonal_naive(view)
    cost["seasonal_naive_seconds"] = time.perf_counter() - started
    actual = actuals(view)
    series = forecast.num_rows
    cost |= {f"{k.removesuffix('_seconds')}_per_100k_seconds": v * PER / max(series, 1) for k, v in cost.items()}
    out: dict[str, Any] = {
        "as_of": day.isoformat(),
        "series": series,
        "training_rows": training["rows"],
        "cost": {k: round(v, 2) for k, v in cost.items()},
        "all": {"model": evaluate(forecast, actual), "seasonal_naive": evaluate(naive, actual)},
    }
    sample = _sample(view, args.sample, args.seed)
    codes = view.codes.take(pa.array(sample))
    methods = {"model": evaluate(forecast, actual, codes), "seasonal_naive": evaluate(naive, actual, codes)}
    if args.statsforecast_python:
        tables_sf, sf_cost = _statsforecast(args.statsforecast_python, view, sample)
        methods |= {f"statsforecast_{name}": evaluate(t, actual, codes) for name, t in tables_sf.items()}
        out["statsforecast_cost"] = sf_cost
    out["sample"] = {"series": len(sample), "methods": methods}
    out["summary"] = {
        f"{scope}/{name}": _summary(figures)
        for scope, group in (("all", out["all"]), ("sample", methods))
        for name, figures in group.items()
    }
    if growth:
        out["p_growth_20"] = _growth_figures(forecast, actual) | {"seasonal_naive": _growth_figures(naive, actual)}
    return out


def _summary(figures: dict[str, dict[str, float]]) -> dict[str, str]:
    """One line per kind: sMAPE, mean MASE and coverage at 3, 6 and 12 months."""
    return {
        kind: "  ".join(
            f"{h}m sMAPE {figures[f'{kind}_{h}m']['smape']:.3f} MASE {figures[f'{kind}_{h}m']['mase']:.3f} "
            f"cov {figures[f'{kind}_{h}m']['coverage']:.2f}"
            for h in HORIZONS
        )
        for kind in KINDS
    }


def _progress(stage: str, done: int, total: int) -> None:
    print(f"  {stage} {done}/{total}", file=sys.stderr, flush=True)


def _sample(view: MonthlySeries, size: int, seed: int) -> np.ndarray:
    rows = np.flatnonzero(view.history_months > 0)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(rows, size=min(size, len(rows)), replace=False))


def _statsforecast(python: str, view: MonthlySeries, rows: np.ndarray) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """statsforecast's forecasts of the sampled series (both kinds), as FORECAST_SCHEMA tables, and its cost."""
    monthly: dict[str, dict[str, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            source, target = Path(tmp) / f"{kind}-in.npz", Path(tmp) / f"{kind}-out.npz"
            values = np.asarray(getattr(view, kind)[rows], dtype=np.float64)
            np.savez(source, values=values, last_month=str(view.months[-1]), horizon=max(HORIZONS))
            subprocess.run(
                [
                    python,
                    str(Path(__file__).with_name("forecast_statsforecast.py")),
                    "--input",
                    str(source),
                    "--output",
                    str(target),
                ],
                check=True,
                capture_output=True,
            )
            with np.load(target) as data:
                monthly[kind] = {name: data[name] for name in data.files}
            for name in ("AutoETS", "AutoTheta", "ADIDA"):
                seconds[name] = seconds.get(name, 0.0) + float(monthly[kind][f"{name}_seconds"])
    tables = {name: _sf_table(view, rows, monthly, name) for name in SF_MODELS}
    per_series = {name: s / (2 * len(rows)) for name, s in seconds.items()}  # two series (kinds) per enterprise
    cost = {
        "sample_seconds": {k: round(v, 1) for k, v in seconds.items()},
        "per_100k_series_seconds": {k: round(v * PER, 0) for k, v in per_series.items()},
        "note": "one core (n_jobs=1); monthly 80 % bounds summed for the interval of a sum (conservative)",
    }
    return tables, cost


def _sf_table(view: MonthlySeries, rows: np.ndarray, monthly: dict[str, dict[str, np.ndarray]], name: str) -> pa.Table:
    bounds: dict[tuple[str, int], Bounds] = {}
    last12: dict[str, np.ndarray] = {}
    for kind in KINDS:
        data = monthly[kind]
        mean, lo, hi = (np.maximum(np.nan_to_num(data[f"{name}_{p}"], nan=0.0), 0.0) for p in ("mean", "lo", "hi"))
        for h in HORIZONS:
            bounds[(kind, h)] = (lo[:, :h].sum(axis=1), mean[:, :h].sum(axis=1), hi[:, :h].sum(axis=1))
        last12[kind] = np.nansum(np.asarray(getattr(view, kind)[rows], dtype=np.float64)[:, -12:], axis=1)
    return forecast_table(view, rows, bounds, last12, np.full(len(rows), np.nan))


def _growth_figures(forecast: pa.Table, actual: pa.Table) -> dict[str, Any]:
    """How ``p_growth_20`` ranks and is calibrated against the actual growth of 12-month sales of >= 20 %."""
    where = {c: i for i, c in enumerate(forecast["credit_code"].to_pylist())}
    index = np.array([where.get(c, -1) for c in actual["credit_code"].to_pylist()])
    sales = actual[sum_column("sales", 12)]
    last = forecast["last_12m_sales"].to_numpy()
    p = forecast["p_growth_20"].to_numpy(zero_copy_only=False)
    keep = (index >= 0) & sales.is_valid().to_numpy(zero_copy_only=False)
    keep &= np.where(index >= 0, last[np.maximum(index, 0)] > 0, False)
    i = index[keep]
    grew = sales.fill_null(0.0).to_numpy(zero_copy_only=False)[keep] >= 1.2 * last[i]
    prob = np.nan_to_num(p[i].astype(np.float64), nan=0.0)
    top = np.argsort(-prob, kind="stable")
    return {
        "enterprises": int(keep.sum()),
        "grew_share": round(float(grew.mean()), 4),
        "mean_p": round(float(prob.mean()), 4),
        "brier": round(float(np.mean((prob - grew) ** 2)), 4),
        "auc": round(_auc(prob, grew), 4),
        "precision_at_1000": round(float(grew[top[:1000]].mean()), 4),
    }


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve (ties averaged)."""
    positives, negatives = int(label.sum()), int((~label).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    ranks[order] = np.arange(1, len(score) + 1)
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    mean_rank = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(mean_rank, counts)
    return float((ranks[label].sum() - positives * (positives + 1) / 2) / (positives * negatives))


if __name__ == "__main__":
    main()
