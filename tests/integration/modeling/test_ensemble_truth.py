"""On a generated universe, against ground truth: every sub-model carries signal, the fusion beats each one,
and the reasons of the riskiest applications point at genuinely adverse facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS
from riskloop.features.spine import application_spine
from riskloop.modeling.ensemble import CVResult, Ensemble, EnsembleConfig, cross_validate, fit_ensemble
from riskloop.modeling.metrics import auc
from riskloop.modeling.sources import default_sources
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

CONFIG = EnsembleConfig(folds=3, seed=0, direct_inputs=("app_bureau_score",))
Data = tuple[pd.DataFrame, np.ndarray]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    out: Path = tmp_path_factory.mktemp("universe")
    generate_universe(UniverseParams(enterprises=20_000, seed=11), out, workers=1)
    tables = out / "tables"
    frame = DuckDBFeatureEngine(tables, threads=2).compute(application_spine(tables), GROUPS).to_pandas()
    truth = pq.read_table(out / "truth" / "applications.parquet", columns=["application_id", "defaulted"])
    joined = frame.merge(truth.to_pandas(), on="application_id", validate="one_to_one")
    return joined, joined["defaulted"].astype(int).to_numpy()


@pytest.fixture(scope="module")
def cv(data: Data) -> CVResult:
    return cross_validate(data[0], data[1], default_sources(), CONFIG)


@pytest.fixture(scope="module")
def model(data: Data) -> Ensemble:
    return fit_ensemble(data[0], data[1], default_sources(), CONFIG)


def test_every_sub_model_carries_signal_out_of_fold(cv: CVResult, data: Data) -> None:
    y = data[1]
    aucs = {name: auc(y, cv.oof_sub[name]) for name in cv.oof_sub.columns}
    print({k: round(v, 3) for k, v in aucs.items()})
    assert len(aucs) == 2 * len(default_sources())
    assert all(v > 0.55 for v in aucs.values()), aucs


def test_fusion_beats_the_best_single_sub_model(cv: CVResult, data: Data) -> None:
    best = max(auc(data[1], cv.oof_sub[name]) for name in cv.oof_sub.columns)
    print(f"fused CV AUC {cv.auc:.3f} (folds {np.round(cv.fold_auc, 3)}), best single {best:.3f}")
    assert cv.auc > best + 0.01
    assert 0.0 < cv.ks < 1.0
    assert np.isfinite(cv.oof_pd).all()


def test_reasons_of_the_riskiest_are_adverse(model: Ensemble, data: Data) -> None:
    frame = data[0]
    pd_ = model.predict(frame).pd
    top = np.argsort(-pd_, kind="stable")[: len(frame) // 10]
    reasons = model.reasons(frame.iloc[top])
    assert all(1 <= len(rs) <= 4 for rs in reasons)
    known = {c["code"] for c in model.catalog.data["codes"]}
    assert all(r.code in known or r.code.startswith(("SRC_MISSING_", "APP_MISSING_")) for rs in reasons for r in rs)
    listed = frame["risk_dishonest_listed"].to_numpy()[top] == 1
    assert listed.any()
    got_risk = [any(r.source == "risk" for r in rs) for rs, flag in zip(reasons, listed, strict=True) if flag]
    assert np.mean(got_risk) >= 0.8
    # A bureau-score reason is only given to applicants below the average bureau score.
    mean_bureau = float(np.nanmean(frame["app_bureau_score"]))
    bureau = frame["app_bureau_score"].to_numpy()[top]
    for rs, score in zip(reasons, bureau, strict=True):
        if any(r.code == "APP_BUREAU_SCORE" for r in rs):
            assert score < mean_bureau
