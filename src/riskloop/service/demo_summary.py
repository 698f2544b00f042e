"""The demo's judgement: the held-out decisions and the models against the universe's ground truth.

Ground truth (who defaults, who belongs to a fraud ring) is known for every application, funded or not; it is
read here only, after every decision was made. The figures: tiers, approval and straight-through rates, bad
rates, fraud-ring applications approved (goal 0) next to the honest ones the graph rules held back (referred or
sent to reject), the limits and rates the strategy assigned, AUC with its
95% CI of the decided PD, of the baseline and of the best sub-model, and the most frequent reasons. The
headlines of model monitoring and effect tracking on the recorded decisions are picked here too.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.parquet as pq

from riskloop.domain.decision import TIER_ORDER, Decision, Tier
from riskloop.errors import DataSourceError
from riskloop.modeling.metrics import auc, bootstrap_auc, ks
from riskloop.rules.reasons import RuleReasonCatalog
from riskloop.service.demo_models import DemoModels
from riskloop.service.rule_effects import held_by

TOP_REASONS = 5
TOP_INPUTS_PSI = 3  # model inputs shown with their PSI, most shifted first


def read_truth(folder: Path) -> pd.DataFrame:
    """Ground truth of every application: ``application_id``, ``defaulted``, ``is_fraud``."""
    path = folder / "applications.parquet"
    if not path.is_file():
        raise DataSourceError(f"{path}: ground truth not found (only synthetic universes have it)")
    frame: pd.DataFrame = pq.read_table(path, columns=["application_id", "defaulted", "is_fraud"]).to_pandas()
    return frame


def summarise(decisions: Sequence[Decision], models: DemoModels, truth: pd.DataFrame, seed: int) -> dict[str, Any]:
    """Every figure of the held-out decisions and of the models, against ``truth``."""
    joined = _decided(decisions).merge(truth, on="application_id", how="left", validate="one_to_one")
    if joined["defaulted"].isna().any():
        raise DataSourceError("ground truth does not cover every decided application")
    y = joined["defaulted"].astype(np.int64).to_numpy()
    approved = joined["approves"].to_numpy(dtype=bool)
    fraud = joined["is_fraud"].astype(bool).to_numpy()
    counts = Counter(joined["tier"])
    scored = joined["pd"].notna().to_numpy()
    pd_ = joined["pd"].to_numpy(dtype=np.float64)
    low, high = bootstrap_auc(y[scored], pd_[scored], seed=seed)
    return {
        "decided": len(joined),
        "tiers": {t.value: int(counts.get(t.value, 0)) for t in TIER_ORDER},
        "approval_rate": float(approved.mean()),
        "straight_through_rate": float((~joined["needs_human"].to_numpy(dtype=bool)).mean()),
        "bad_rate_all": float(y.mean()),
        "bad_rate_approved": float(y[approved].mean()) if approved.any() else None,
        "fraud_applications": int(fraud.sum()),
        "fraud_approved": int((fraud & approved).sum()),
        "honest_held_by_graph": _held_by_graph(decisions, set(joined.loc[~fraud, "application_id"])),
        "unscored": int((~scored).sum()),
        "auc_vs_truth": auc(y[scored], pd_[scored]),
        "auc_ci95": [low, high],
        "ks_vs_truth": ks(y[scored], pd_[scored]),
        "mean_pd": float(np.mean(pd_[scored])),
        "approved_terms": _terms(joined[approved]),
        "models_vs_truth": _compare(models, truth, seed),
        "top_decline_reasons": _reasons(decisions),
        "train_loans": models.train_loans,
        "train_bad_rate": models.train_bad_rate,
    }


def _held_by_graph(decisions: Sequence[Decision], honest: set[str]) -> dict[str, int]:
    """Honest applications the graph rules sent to review or to reject (the other side of catching rings)."""
    graph = RuleReasonCatalog.default().group("graph")
    held = [d for d in decisions if d.application_id in honest and held_by(d, graph)]
    rejected = sum(d.tier in (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT) for d in held)
    return {"honest": len(honest), "referred": len(held) - rejected, "rejected": rejected}


def _decided(decisions: Sequence[Decision]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "application_id": [d.application_id for d in decisions],
            "tier": [d.tier.value for d in decisions],
            "approves": [d.tier.approves for d in decisions],
            "needs_human": [d.tier.needs_human for d in decisions],
            "pd": [np.nan if d.pd is None else d.pd for d in decisions],
            "limit_cents": [d.limit_cents for d in decisions],
            "rate_bp": [d.rate_bp for d in decisions],
        }
    )


def _terms(approved: pd.DataFrame) -> dict[str, Any]:
    """What the strategy granted the approved applications: limits in yuan, annual rates in percent."""
    if approved.empty:
        return {"applications": 0, "median_limit_yuan": None, "total_limit_yuan": 0, "median_rate_percent": None}
    return {
        "applications": len(approved),
        "median_limit_yuan": statistics.median(approved["limit_cents"].tolist()) / 100,
        "total_limit_yuan": int(approved["limit_cents"].sum()) // 100,
        "median_rate_percent": statistics.median(approved["rate_bp"].tolist()) / 100,
    }


def _labels(frame: pd.DataFrame, truth: pd.DataFrame) -> npt.NDArray[np.int64]:
    joined = frame[["application_id"]].merge(truth, on="application_id", how="left", validate="one_to_one")
    if joined["defaulted"].isna().any():
        raise DataSourceError("ground truth does not cover every held-out application")
    labels: npt.NDArray[np.int64] = joined["defaulted"].to_numpy(dtype=np.int64)
    return labels


def _compare(models: DemoModels, truth: pd.DataFrame, seed: int) -> dict[str, Any]:
    """AUC against ground truth of the ensemble, the baseline and the best sub-model, on the held-out batch."""
    batch = models.held_out
    y = _labels(batch, truth)
    scores = models.ensemble.predict(batch)
    subs = scores.sub_scores
    best = max(subs.columns, key=lambda c: auc(y, subs[c].to_numpy()))
    figures = {
        "ensemble": np.asarray(scores.pd, dtype=np.float64),
        "baseline (one LightGBM)": models.baseline.predict_pd(batch),
        f"best sub-model ({best})": subs[best].to_numpy(),
    }
    return {name: {"auc": auc(y, s), "ci95": list(bootstrap_auc(y, s, seed=seed))} for name, s in figures.items()}


def _reasons(decisions: Sequence[Decision]) -> list[dict[str, Any]]:
    """Most frequent reasons given on referrals and declines (what the API returned for them)."""
    counts: Counter[tuple[str, str]] = Counter()
    for d in decisions:
        if not d.tier.approves:
            counts.update((r.code, r.text) for r in d.reasons)
    return [{"code": c, "text": t, "count": n} for (c, t), n in counts.most_common(TOP_REASONS)]


def model_monitoring_headline(report: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of a model-monitoring report (``service.model_monitoring``) the demo summary shows."""
    stability, recent = report["stability"], report["performance"]["recent"]
    inputs: dict[str, float] = stability["inputs"]
    alerts = report["alerts"]
    return {
        "as_of": report["as_of"],
        "model": report["model"],
        "policy": report["policy"],
        "window": report["window"],
        "decisions": stability["decisions"],
        "score_psi": None if stability["score"] is None else stability["score"]["psi"],
        "top_input_psi": [{"input": k, "psi": v} for k, v in list(inputs.items())[:TOP_INPUTS_PSI]],
        "matured_loans": recent["rows"],
        "auc_recent": recent["auc"],
        "metrics": report["metrics"],
        "crossed": [{k: c[k] for k in ("metric", "value", "level")} for c in alerts["crossed"]],
        "alerts_raised": alerts.get("raised", 0),
    }


def effect_headline(report: Mapping[str, Any]) -> dict[str, Any]:
    """The funnel and the loss of an effect report (``service.effect``) the demo summary shows."""
    loss = report["loss"]["overall"] or {}
    return {
        "as_of": report["as_of"],
        "loans": report["loans"],
        "loans_without_decision": report["loans_without_decision"],
        "funnel": report["funnel"]["overall"],
        "expected_loss_cents": loss.get("expected_loss_cents"),
        "realised_loss_cents": loss.get("realised_loss_cents"),
    }
