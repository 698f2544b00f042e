"""Demo modelling: train the fused ensemble and the single-LightGBM baseline on matured loans, then decide.

Applications before the cutoff with an observed outcome (90 days past due, from repayments) train both
models; applications from the cutoff on are decided with the ensemble's PD and judged against the
universe's ground truth, which is known for every application, funded or not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from riskloop.domain.decision import TIER_ORDER
from riskloop.errors import DataSourceError, ValidationError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS, GROUPS_BY_NAME
from riskloop.features.engine import availability_column
from riskloop.features.labels import observed_outcomes
from riskloop.features.spine import application_spine
from riskloop.modeling.baseline import train_baseline
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.metrics import auc, bootstrap_auc, ks
from riskloop.modeling.sources import default_sources
from riskloop.service.baseline_decision import decide
from riskloop.service.ports import Progress, no_progress

FEATURES: tuple[str, ...] = tuple(name for g in GROUPS for name in g.feature_names)
DIRECT_INPUTS: tuple[str, ...] = GROUPS_BY_NAME["application"].feature_names
TOP_REASONS = 5


@dataclass(frozen=True)
class RunInputs:
    """Where the data is and how to split it in time."""

    tables: Path  # warehouse or universe tables directory
    truth: Path  # ground-truth directory of a synthetic universe
    observed_on: dt.date  # the date outcomes are read on
    cutoff: dt.date  # applications before it train the models, from it on they are decided
    models: Path  # where the model bundles are written
    seed: int = 0


def run_models(inputs: RunInputs, progress: Progress = no_progress) -> dict[str, Any]:
    """Compute features, train both models, decide the batch after the cutoff, summarise against ground truth."""
    progress("features", 0, 5)
    spine = application_spine(inputs.tables)
    frame = DuckDBFeatureEngine(inputs.tables).compute(spine, GROUPS).to_pandas()
    frame["as_of"] = spine.column("as_of").to_pandas()
    outcomes = observed_outcomes(inputs.tables, inputs.observed_on).to_pandas()
    train = frame.merge(outcomes[["application_id", "bad"]], on="application_id")
    train = train[train["as_of"] < inputs.cutoff].reset_index(drop=True)
    batch = frame[frame["as_of"] >= inputs.cutoff].reset_index(drop=True)
    if train.empty or batch.empty or train["bad"].nunique() < 2:
        raise ValidationError(
            "cutoff", f"{inputs.cutoff} leaves {len(train)} matured loans to train on and {len(batch)} to decide"
        )
    progress("train", 1, 5)
    y = train["bad"].to_numpy(dtype=np.int64)
    ensemble = fit_ensemble(train, y, default_sources(), EnsembleConfig(seed=inputs.seed, direct_inputs=DIRECT_INPUTS))
    baseline = train_baseline(train, y, FEATURES, inputs.seed)
    meta = {
        "trained_on": len(train),
        "cutoff": inputs.cutoff.isoformat(),
        "seed": inputs.seed,
        "observed_on": inputs.observed_on.isoformat(),
    }
    ensemble.save(inputs.models / "ensemble", meta)
    baseline.save(inputs.models / "baseline", meta)
    progress("decide", 2, 5)
    scores = ensemble.predict(batch)
    batch["pd"] = scores.pd
    decisions = _decide_batch(batch)
    progress("explain", 3, 5)
    reasons = _decline_reasons(ensemble, batch, decisions)
    truth = _truth(inputs.truth)
    summary = _summarise(batch, decisions, truth, seed=inputs.seed)
    summary["models_vs_truth"] = _compare(batch, baseline.predict_pd(batch), scores.sub_scores, truth, inputs.seed)
    summary.update(
        train_loans=len(train),
        train_bad_rate=float(y.mean()),
        models=str(inputs.models),
        top_decline_reasons=reasons,
    )
    progress("done", 5, 5)
    return summary


def _decide_batch(batch: pd.DataFrame) -> pd.DataFrame:
    avail = {g.name: batch[availability_column(g)].to_numpy() for g in GROUPS}
    rows = []
    for i, (app_id, pd_value, dishonest) in enumerate(
        zip(batch["application_id"], batch["pd"], batch["risk_dishonest_listed"].fillna(0), strict=True)
    ):
        missing = [name for name, flags in avail.items() if not flags[i]]
        d = decide(str(app_id), float(pd_value), missing, bool(dishonest))
        rows.append({"application_id": d.application_id, "tier": d.tier.value, "reason": d.reason})
    return pd.DataFrame(rows)


def _decline_reasons(ensemble: Ensemble, batch: pd.DataFrame, decisions: pd.DataFrame) -> list[dict[str, Any]]:
    """Most frequent catalogue reasons among referred and declined applications."""
    flagged = decisions["tier"].isin(["prudent_review", "suggest_reject", "auto_reject"]).to_numpy()
    if not flagged.any():
        return []
    counts: Counter[tuple[str, str]] = Counter()
    for reasons in ensemble.reasons(batch[flagged].reset_index(drop=True), top_k=4):
        counts.update((r.code, r.text) for r in reasons)
    return [{"code": c, "text": t, "count": n} for (c, t), n in counts.most_common(TOP_REASONS)]


def _truth(folder: Path) -> pd.DataFrame:
    path = folder / "applications.parquet"
    if not path.is_file():
        raise DataSourceError(f"{path}: ground truth not found (only synthetic universes have it)")
    frame: pd.DataFrame = pq.read_table(path, columns=["application_id", "defaulted", "is_fraud"]).to_pandas()
    return frame


def _labels(batch: pd.DataFrame, truth: pd.DataFrame) -> npt.NDArray[np.int64]:
    joined = batch[["application_id"]].merge(truth, on="application_id", how="left", validate="one_to_one")
    if joined["defaulted"].isna().any():
        raise DataSourceError("ground truth does not cover every decided application")
    labels: npt.NDArray[np.int64] = joined["defaulted"].to_numpy(dtype=np.int64)
    return labels


def _compare(
    batch: pd.DataFrame, baseline_pd: npt.NDArray[np.float64], subs: pd.DataFrame, truth: pd.DataFrame, seed: int
) -> dict[str, Any]:
    """AUC against ground truth of the ensemble, the baseline and each sub-model, on the decided batch."""
    y = _labels(batch, truth)
    figures = {"ensemble": batch["pd"].to_numpy(), "baseline (one LightGBM)": baseline_pd}
    out = {name: {"auc": auc(y, s), "ci95": list(bootstrap_auc(y, s, seed=seed))} for name, s in figures.items()}
    best = max(subs.columns, key=lambda c: auc(y, subs[c].to_numpy()))
    out[f"best sub-model ({best})"] = {
        "auc": auc(y, subs[best].to_numpy()),
        "ci95": list(bootstrap_auc(y, subs[best].to_numpy(), seed=seed)),
    }
    return out


def _summarise(batch: pd.DataFrame, decisions: pd.DataFrame, truth: pd.DataFrame, seed: int) -> dict[str, Any]:
    joined = batch[["application_id", "pd"]].merge(decisions, on="application_id").merge(truth, on="application_id")
    y = joined["defaulted"].astype(int).to_numpy()
    approved = joined["tier"].isin(["auto_approve", "suggest_approve"]).to_numpy()
    counts = Counter(joined["tier"])
    low, high = bootstrap_auc(y, joined["pd"], seed=seed)
    return {
        "decided": len(joined),
        "tiers": {t.value: int(counts.get(t.value, 0)) for t in TIER_ORDER},
        "approval_rate": float(approved.mean()),
        "straight_through_rate": float(joined["tier"].isin(["auto_approve", "auto_reject"]).mean()),
        "bad_rate_all": float(y.mean()),
        "bad_rate_approved": float(y[approved].mean()) if approved.any() else None,
        "fraud_approved": int((joined["is_fraud"].astype(bool).to_numpy() & approved).sum()),
        "auc_vs_truth": auc(y, joined["pd"]),
        "auc_ci95": [low, high],
        "ks_vs_truth": ks(y, joined["pd"]),
        "mean_pd": float(np.mean(joined["pd"])),
    }
