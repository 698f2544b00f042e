"""The CatBoost sub-model: served through its LightGBM text, cross-fitted like the GBDT, inside the ensemble."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier

from riskloop.errors import ConfigError, ValidationError
from riskloop.modeling.catboost_model import CatBoostSubModel
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.metrics import auc
from riskloop.modeling.sources import SourceSpec
from riskloop.scoring.bundle import load_serving

FEATURES = ("f0", "f1", "f2")


def _data(rows: int = 1200, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels drawn from a known PD, and that PD's log-odds (the ground truth of the ranking)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    x[rng.random(rows) < 0.1, 1] = np.nan
    logit = -1.5 + 1.4 * x[:, 0] - 0.8 * np.nan_to_num(x[:, 1]) + 0.4 * (x[:, 2] > 0.5)
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    return x, y, logit


def test_served_text_scores_as_catboost_does() -> None:
    x, y, _ = _data()
    model = CatBoostSubModel(FEATURES, rounds=80, depth=4).fit(x, y)
    reference = CatBoostClassifier(
        iterations=80, depth=4, nan_mode="Min", random_seed=0, thread_count=1, verbose=False, allow_writing_files=False
    ).fit(x, y)
    expected = reference.predict(x, prediction_type="RawFormulaVal")
    assert np.allclose(model.decision_function(x), expected, atol=1e-9)  # raw double inputs, NaN included
    assert model.text_.startswith("tree\n")


def test_training_is_deterministic_and_seeded() -> None:
    x, y, _ = _data()
    first = CatBoostSubModel(FEATURES, rounds=40, seed=3).fit(x, y).text_
    assert CatBoostSubModel(FEATURES, rounds=40, seed=3).fit(x, y).text_ == first
    assert CatBoostSubModel(FEATURES, rounds=40, seed=4).fit(x, y).text_ != first
    # The ensemble gives CatBoost its n_jobs threads: that must not change the model.
    assert CatBoostSubModel(FEATURES, rounds=40, seed=3, threads=2).fit(x, y).text_ == first


def test_cross_fit_scores_every_row_out_of_fold() -> None:
    x, y, truth = _data()
    folds = [(np.flatnonzero(np.arange(len(y)) % 3 != k), np.flatnonzero(np.arange(len(y)) % 3 == k)) for k in range(3)]
    fixed, rounds = CatBoostSubModel(FEATURES, rounds=60).cross_fit(x, y, folds, patience=0)
    assert rounds == 60  # no patience: every fold boosts the cap
    assert auc(y, fixed) > 0.7
    assert np.corrcoef(fixed, truth)[0, 1] > 0.8  # it ranks by the true risk, out of fold
    stopped, chosen = CatBoostSubModel(FEATURES, rounds=400, learning_rate=0.3).cross_fit(x, y, folds, patience=10)
    assert 1 <= chosen < 400
    assert stopped.shape == y.shape


def test_several_seeds_serve_as_one_model_scoring_their_mean() -> None:
    x, y, _ = _data()
    single = [CatBoostSubModel(FEATURES, rounds=40, depth=4, seed=5 + i).fit(x, y) for i in range(3)]
    bagged = CatBoostSubModel(FEATURES, rounds=40, depth=4, seed=5, seeds=3).fit(x, y)
    mean = np.mean([m.decision_function(x) for m in single], axis=0)
    assert np.allclose(bagged.decision_function(x), mean, atol=1e-9)  # one text model, the seeds' mean log-odds
    assert bagged.text_.count("\nTree=") == 3 * single[0].text_.count("\nTree=")
    folds = [(np.flatnonzero(np.arange(len(y)) % 2 != k), np.flatnonzero(np.arange(len(y)) % 2 == k)) for k in range(2)]
    oof, _ = CatBoostSubModel(FEATURES, rounds=40, depth=4, seed=5, seeds=3).cross_fit(x, y, folds, patience=0)
    each = [CatBoostSubModel(FEATURES, rounds=40, depth=4, seed=5 + i).cross_fit(x, y, folds, 0)[0] for i in range(3)]
    assert np.allclose(oof, np.mean(each, axis=0), atol=1e-9)


def test_no_seed_is_refused() -> None:
    x, y, _ = _data(200)
    with pytest.raises(ValidationError, match="at least one seed"):
        CatBoostSubModel(FEATURES, rounds=5, seeds=0).fit(x, y)
    with pytest.raises(ConfigError, match="catboost_seeds: needs at least 1"):
        EnsembleConfig(catboost_seeds=0)


def test_depth_beyond_the_compiled_scorer_is_refused() -> None:
    x, y, _ = _data(200)
    with pytest.raises(ValidationError, match="depth must be 1 to 6"):
        CatBoostSubModel(FEATURES, depth=7).fit(x, y)
    with pytest.raises(ConfigError, match="catboost_depth: 1 to 6"):
        EnsembleConfig(catboost_depth=8)


def test_ensemble_with_catboost_round_trips_through_its_bundle(tmp_path: Path) -> None:
    x, y, truth = _data(1500)
    frame = pd.DataFrame(x, columns=list(FEATURES))
    config = EnsembleConfig(folds=3, kinds=("scorecard", "gbdt", "catboost"), catboost_rounds=60)
    ensemble = fit_ensemble(frame, y, (SourceSpec("all", FEATURES),), config)
    assert ensemble.sub_model_names == ("all:scorecard", "all:gbdt", "all:catboost")
    scores = ensemble.predict(frame)
    assert auc((truth > np.median(truth)).astype(int), scores.pd) > 0.85
    ensemble.save(tmp_path / "b", {"name": "t"})
    assert (tmp_path / "b" / "catboost-all.txt").is_file()
    loaded = Ensemble.load(tmp_path / "b")
    assert np.array_equal(loaded.predict(frame).pd, scores.pd)
    serving = load_serving(tmp_path / "b").serving
    row = frame.iloc[7].to_dict()
    assert serving.score_row(row)[0] == float(scores.pd[7])
    # A thousand-odd splits per row: LightGBM's library scores even one row. The toy workspace's small trees stay
    # on the compiled forest for a decision (tests/unit/modeling/test_serving_bundle.py checks the two agree).
    assert serving.native_from == 1
    reasons = ensemble.reasons(frame.head(5))
    assert all(len(r) > 0 for r in reasons)
