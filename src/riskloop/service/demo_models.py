"""Demo modelling: the fused ensemble and a one-LightGBM baseline, trained on loans matured before a cutoff.

Applications before the cutoff with an outcome observed on the universe's today (90 days past due, from
repayments) train both models. The fused model is saved and registered as ``riskloop train`` does (bundle,
validation report with figures against ground truth, registry row naming its author); the baseline bundle is
written beside it for comparison and never registered. The applications from the cutoff on are held out:
the demo decides them (``jobs.demo``) and judges the decisions (``service.demo_summary``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskloop.errors import ValidationError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS, GROUPS_BY_NAME
from riskloop.features.labels import observed_outcomes
from riskloop.features.spine import application_spine
from riskloop.modeling.baseline import BaselineModel, train_baseline
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.report import build_report
from riskloop.modeling.sources import default_sources
from riskloop.service.ports import ModelHome, Progress, no_progress
from riskloop.service.train import monitoring_reference, save_model, scored_split, truth_figures

FEATURES: tuple[str, ...] = tuple(name for g in GROUPS if g.name != "text_tags" for name in g.feature_names)
DIRECT_INPUTS: tuple[str, ...] = GROUPS_BY_NAME["application"].feature_names


@dataclass(frozen=True)
class DemoTraining:
    """How the demo trains: the observation date, the cutoff, the ground truth for the report, who trains."""

    observed_on: dt.date  # the date outcomes are read on (the universe's today)
    cutoff: dt.date  # applications before it train the models, from it on they are held out
    truth: Path  # ground-truth directory of the synthetic universe (the report's figures against it)
    seed: int = 0
    name: str = "demo"  # registered model name
    author: str = "demo-analyst"  # who registers it: never its approver


@dataclass(frozen=True)
class DemoModels:
    """The trained models, the held-out applications' point-in-time features and where the bundles went."""

    ensemble: Ensemble
    baseline: BaselineModel
    held_out: pd.DataFrame
    train_loans: int
    train_bad_rate: float
    saved: dict[str, Any]  # ``train.save_model``'s: model_id, version, bundle, report_json, report_html
    baseline_bundle: Path


def train_demo_models(home: ModelHome, options: DemoTraining, progress: Progress = no_progress) -> DemoModels:
    """Point-in-time features, labels observed on ``observed_on``, fit both models, save and register the fused one."""
    progress("features", 0, 5)
    spine = application_spine(home.warehouse)
    frame = DuckDBFeatureEngine(home.warehouse).compute(spine, GROUPS).to_pandas()
    frame["as_of"] = spine.column("as_of").to_pandas()
    outcomes = observed_outcomes(home.warehouse, options.observed_on).to_pandas()
    train = frame.merge(outcomes[["application_id", "bad"]], on="application_id")
    train = train[train["as_of"] < options.cutoff].reset_index(drop=True)
    held_out = frame[frame["as_of"] >= options.cutoff].reset_index(drop=True)
    if train.empty or held_out.empty or train["bad"].nunique() < 2:
        raise ValidationError(
            "cutoff", f"{options.cutoff} leaves {len(train)} matured loans to train on and {len(held_out)} to decide"
        )
    progress("train", 1, 5)
    y = train["bad"].to_numpy(dtype=np.int64)
    config = EnsembleConfig(seed=options.seed, direct_inputs=DIRECT_INPUTS)
    ensemble = fit_ensemble(train, y, default_sources(), config)
    baseline = train_baseline(train, y, FEATURES, options.seed)
    progress("report", 2, 5)
    meta = {
        "name": options.name,
        "kind": "ensemble",
        "trained_on": "workspace",
        "observed_on": options.observed_on.isoformat(),
        "cutoff": options.cutoff.isoformat(),
        "oot_from": options.cutoff.isoformat(),  # the first day it was not fitted on (a retrained challenger's too)
        "rows": {"train": len(train)},
        "seed": options.seed,
        "sources": [s.name for s in default_sources()],
        "direct_inputs": list(DIRECT_INPUTS),
        "graph": False,
    }
    fitted = scored_split("train", ensemble, train, y, list(FEATURES))
    report = build_report([fitted], meta)
    report["truth"] = truth_figures(options.truth, frame, train, np.arange(len(train)), ensemble, seed=options.seed)
    progress("save", 3, 5)
    applicants = frame[frame["as_of"] < options.cutoff].reset_index(drop=True)  # through the door, as decided live
    population = scored_split("applicants", ensemble, applicants, np.zeros(len(applicants), np.int64), list(FEATURES))
    reference = monitoring_reference(population, report["summary"], bad_rate=float(y.mean()))
    saved = save_model(home, options.name, ensemble, meta, report, author=options.author, reference=reference)
    baseline_bundle = home.models / f"{options.name}-baseline-v{saved['version']}"
    baseline.save(baseline_bundle, {**meta, "kind": "baseline-lightgbm"})
    return DemoModels(ensemble, baseline, held_out, len(train), float(y.mean()), saved, baseline_bundle)
