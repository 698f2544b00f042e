"""Train the baseline model on matured loans and decide the later applications, scored against ground truth."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from riskloop.domain.decision import TIER_ORDER
from riskloop.errors import DataSourceError, ValidationError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS
from riskloop.features.engine import availability_column
from riskloop.features.labels import observed_outcomes
from riskloop.features.spine import application_spine
from riskloop.modeling.baseline import train_baseline
from riskloop.modeling.metrics import auc, bootstrap_auc, ks
from riskloop.service.baseline_decision import decide
from riskloop.service.ports import Progress, no_progress

FEATURES: tuple[str, ...] = tuple(name for g in GROUPS for name in g.feature_names)


@dataclass(frozen=True)
class RunInputs:
    """Where the data is and how to split it in time."""

    tables: Path  # warehouse or universe tables directory
    truth: Path  # ground-truth directory of a synthetic universe
    observed_on: dt.date  # the date outcomes are read on
    cutoff: dt.date  # applications before it train the model, from it on they are decided
    models: Path  # where the model bundle is written
    seed: int = 0


def run_baseline(inputs: RunInputs, progress: Progress = no_progress) -> dict[str, Any]:
    """Compute features, train, decide the batch after the cutoff and summarise against ground truth."""
    progress("features", 0, 4)
    spine = application_spine(inputs.tables)
    frame = DuckDBFeatureEngine(inputs.tables).compute(spine, GROUPS).to_pandas()
    frame["as_of"] = spine.column("as_of").to_pandas()
    progress("features", 1, 4)
    outcomes = observed_outcomes(inputs.tables, inputs.observed_on).to_pandas()
    train = frame.merge(outcomes[["application_id", "bad"]], on="application_id")
    train = train[train["as_of"] < inputs.cutoff]
    batch = frame[frame["as_of"] >= inputs.cutoff].reset_index(drop=True)
    if train.empty or batch.empty:
        raise ValidationError(
            "cutoff", f"{inputs.cutoff} leaves {len(train)} training loans and {len(batch)} to decide"
        )
    model = train_baseline(train, train["bad"], FEATURES, inputs.seed)
    progress("train", 2, 4)
    manifest = model.save(
        inputs.models,
        {
            "trained_on": len(train),
            "cutoff": inputs.cutoff.isoformat(),
            "observed_on": inputs.observed_on.isoformat(),
            "seed": inputs.seed,
        },
    )
    batch["pd"] = model.predict_pd(batch)
    decisions = _decide_batch(batch)
    progress("decide", 3, 4)
    summary = _summarise(batch, decisions, _truth(inputs.truth), seed=inputs.seed)
    summary.update(train_loans=len(train), train_bad_rate=float(train["bad"].mean()), model=str(manifest.parent))
    progress("done", 4, 4)
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


def _truth(folder: Path) -> pd.DataFrame:
    path = folder / "applications.parquet"
    if not path.is_file():
        raise DataSourceError(f"{path}: ground truth not found (only synthetic universes have it)")
    frame: pd.DataFrame = pq.read_table(path, columns=["application_id", "defaulted", "is_fraud"]).to_pandas()
    return frame


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
