"""The ensemble on a small synthetic table: missing sources, new sources, bundles, determinism."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ConfigError, DataSourceError
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.gbdt import GBDTSettings, auto_settings
from riskloop.modeling.sources import SourceRegistry, SourceSpec, cross_source

CONFIG = EnsembleConfig(folds=3, direct_inputs=("bureau",))
Toy = tuple[pd.DataFrame, np.ndarray]


@pytest.fixture(scope="module")
def fitted(toy: Toy, sources: tuple[SourceSpec, ...]) -> Ensemble:
    frame, y = toy
    return fit_ensemble(frame, y, sources, CONFIG)


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"valid: scorecard, gbdt"):
        EnsembleConfig(kinds=("scorecard", "neural"))
    with pytest.raises(ConfigError, match=r"valid: isotonic, platt"):
        EnsembleConfig(calibration="beta")


def test_scores_are_probabilities_and_points_fall_with_pd(fitted: Ensemble, toy: Toy) -> None:
    scores = fitted.predict(toy[0])
    assert ((scores.pd >= 0) & (scores.pd <= 1)).all()
    assert list(scores.sub_scores.columns) == list(fitted.sub_model_names)
    order = np.argsort(scores.pd)
    assert (np.diff(scores.points[order]) <= 1e-9).all()


def test_missing_source_still_scores_and_the_flag_counts(fitted: Ensemble, toy: Toy) -> None:
    frame = toy[0].head(200).copy()
    no_b = frame.assign(b_debt=np.nan, b_margin=np.nan)
    unavailable = frame.assign(avail_b=0)
    a, b, c = (fitted.predict(f) for f in (frame, no_b, unavailable))
    assert np.isfinite(b.pd).all()
    b_subs = [n for n in fitted.sub_model_names if n.startswith("b:")]
    neutral = [fitted.serving.fusion.neutral[fitted.sub_model_names.index(n)] for n in b_subs]
    assert np.allclose(b.sub_scores[b_subs].to_numpy(), neutral)
    # A run without the source is the same as rows without its data: neutral scores, has-flag 0.
    assert np.array_equal(b.pd, c.pd)
    assert not np.array_equal(a.pd, b.pd)
    reasons = fitted.reasons(no_b.head(50), top_k=4)
    coef_has_b = dict(zip(fitted.serving.fusion.inputs, fitted.serving.fusion.coef, strict=True))["has:b"]
    if coef_has_b < 0:  # missing statements are adverse in this data: the reason says so
        assert any(r.code == "SRC_MISSING_B" for rs in reasons for r in rs)


def test_adding_a_source_is_one_registration(toy: Toy, sources: tuple[SourceSpec, ...]) -> None:
    frame, y = toy
    frame = frame.assign(graph_risky=frame["c_cases"] + np.random.default_rng(1).normal(size=len(frame)))
    registry = SourceRegistry(sources)
    registry.register(SourceSpec("graph", ("graph_risky",), {"graph_risky": 1}))
    model = fit_ensemble(frame, y, registry.specs(), EnsembleConfig(folds=2, kinds=("gbdt",)))
    assert "graph:gbdt" in model.sub_model_names
    assert "has:graph" in model.serving.fusion.inputs
    reasons = model.reasons(frame.head(20))
    assert all(1 <= len(rs) <= 4 for rs in reasons)
    with pytest.raises(ConfigError, match="already registered"):
        registry.register(SourceSpec("graph", ("graph_risky",)))


def test_bundle_reproduces_scores_bit_for_bit(fitted: Ensemble, toy: Toy, tmp_path: Path) -> None:
    manifest = fitted.save(tmp_path / "m", {"training_window": {"rows": 3000}})
    loaded = Ensemble.load(manifest.parent)
    before, after = fitted.predict(toy[0]), loaded.predict(toy[0])
    assert np.array_equal(before.pd, after.pd)
    assert np.array_equal(before.points, after.points)
    assert before.sub_scores.equals(after.sub_scores)
    assert not list(tmp_path.rglob("*.pkl"))
    assert not list(tmp_path.rglob("*.pickle"))


def test_single_row_path_equals_the_batch(fitted: Ensemble, toy: Toy) -> None:
    frame = toy[0].head(300)
    batch = fitted.predict(frame)
    rows = frame.to_dict("records")
    single = np.array([fitted.score_row(r) for r in rows])
    assert np.array_equal(single[:, 0], batch.pd)
    assert np.array_equal(single[:, 1], batch.points)


def test_tampered_artifact_is_refused(fitted: Ensemble, tmp_path: Path) -> None:
    folder = fitted.save(tmp_path / "m", {}).parent
    target = folder / "fusion.json"
    target.write_text(target.read_text().replace('"intercept": ', '"intercept": 1', 1))
    with pytest.raises(DataSourceError, match="sha256"):
        Ensemble.load(folder)


def test_same_data_and_seed_give_identical_bundles(toy: Toy, sources: tuple[SourceSpec, ...], tmp_path: Path) -> None:
    frame, y = toy
    digests = []
    for run in ("one", "two"):
        model = fit_ensemble(frame, y, sources, CONFIG)
        manifest = model.save(tmp_path / run, {"seed": 0})
        digests.append(hashlib.sha256(manifest.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_reasons_have_catalogue_codes(fitted: Ensemble, toy: Toy) -> None:
    frame = toy[0].head(300)
    reasons = fitted.reasons(frame, top_k=3)
    assert all(1 <= len(rs) <= 3 for rs in reasons)
    assert all(r.code and r.text and r.text_zh for rs in reasons for r in rs)
    worst = int(np.argmax(frame["c_cases"].to_numpy()))
    assert any(r.feature == "c_cases" for r in fitted.reasons(frame.iloc[[worst]])[0])


def test_data_size_rule_and_auto_calibration() -> None:
    assert auto_settings(800, 240) == GBDTSettings(num_leaves=7, min_data_in_leaf=20)  # German-sized
    assert auto_settings(5_600, 216).min_data_in_leaf == 52  # two bads per leaf at a 3.9 % bad rate
    assert auto_settings(120_000, 8_000) == GBDTSettings(num_leaves=15, min_data_in_leaf=30)
    assert auto_settings(10_000, 10).min_data_in_leaf == 100
    assert EnsembleConfig().calibration_for(9_999) == "platt"
    assert EnsembleConfig().calibration_for(10_000) == "isotonic"
    assert EnsembleConfig(calibration="isotonic").calibration_for(5) == "isotonic"
    with pytest.raises(ConfigError, match="gbdt_feature_fraction"):
        EnsembleConfig(gbdt_feature_fraction=0.0)


def test_stacker_weights_of_sub_models_are_not_negative(fitted: Ensemble) -> None:
    assert all(fitted.serving.fusion.weight(m) >= 0 for m in fitted.sub_model_names)
    assert all(1 <= r <= 2000 for r in fitted.training["gbdt_rounds"].values())  # chosen by early stopping


def test_cross_source_gbdt_only_and_survives_the_bundle(
    toy: Toy, sources: tuple[SourceSpec, ...], tmp_path: Path
) -> None:
    frame, y = toy
    model = fit_ensemble(frame, y, (*sources, cross_source(sources)), EnsembleConfig(folds=2, kinds=("gbdt",)))
    assert "all:gbdt" in model.sub_model_names
    assert "all:scorecard" not in model.sub_model_names
    loaded = Ensemble.load(model.save(tmp_path / "m", {}).parent)
    assert loaded.sources[-1].kinds == ("gbdt",)
    assert np.array_equal(model.predict(frame).pd, loaded.predict(frame).pd)
