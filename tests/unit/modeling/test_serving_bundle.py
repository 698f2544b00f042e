"""The serving loader (``scoring.bundle`` behind ``EnsembleScorer``) scores and explains a trained bundle exactly as
the trained ensemble does, and the gradient-boosted parts agree with the lightgbm package itself."""

from __future__ import annotations

import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from riskloop.domain.decision import DecisionReason
from riskloop.errors import DataSourceError
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.sources import SourceSpec
from riskloop.scoring.bundle import load_serving, read_bundle
from riskloop.scoring.model import GBDT
from riskloop.service.scorer import EnsembleScorer

Toy = tuple[pd.DataFrame, np.ndarray]


@pytest.fixture(scope="module")
def trained(
    toy: Toy, sources: tuple[SourceSpec, ...], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Ensemble, Path]:
    frame, y = toy
    model = fit_ensemble(frame, y, sources, EnsembleConfig(folds=3, direct_inputs=("bureau",)))
    return model, model.save(tmp_path_factory.mktemp("bundle") / "ensemble", {"training_window": {}}).parent


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the toy table with values and whole sources knocked out, and a source flagged unavailable."""
    rng = np.random.default_rng(3)
    rows = frame.head(600).copy()
    values = rows.drop(columns="avail_b").to_numpy(copy=True)
    values[rng.random(values.shape) < 0.15] = np.nan
    rows.loc[:, [c for c in rows.columns if c != "avail_b"]] = values
    rows.loc[rows.index[:60], ["a_age", "a_size"]] = np.nan
    rows.loc[rows.index[60:120], "avail_b"] = 0
    return rows


def test_the_serving_loader_scores_and_explains_bit_for_bit_as_training(
    trained: tuple[Ensemble, Path], toy: Toy
) -> None:
    model, folder = trained
    scorer = EnsembleScorer.load(folder)
    frame = _rows(toy[0])
    # One row takes the compiled forest, the batch LightGBM's library: the same scores to the bit either way.
    assert 1 < load_serving(folder).serving.native_from < len(frame)
    batch = model.predict(frame)
    batch_reasons = model.reasons(frame, top_k=4)
    for i, row in enumerate(frame.to_dict("records")):
        values = {k: None if np.isnan(v) else float(v) for k, v in row.items()}
        pd_, points = scorer.score(values)
        assert (pd_, points) == model.score_row(values)
        assert (pd_, points) == (batch.pd[i], batch.points[i])
        expected = [DecisionReason(r.code, "model", r.text, r.text_zh) for r in batch_reasons[i]]
        assert scorer.reasons(values, 4) == expected
    assert scorer.version == f"ensemble:{read_bundle(folder).manifest_sha256[:16]}"
    assert scorer.inputs == model.features


def test_boosted_sub_models_agree_with_the_lightgbm_package(trained: tuple[Ensemble, Path], toy: Toy) -> None:
    _, folder = trained
    serving = load_serving(folder).serving
    frame = _rows(toy[0])
    x, has = serving.matrix(frame)
    sub = serving.score(frame).sub_scores
    gbdts = [(j, m) for j, m in enumerate(serving.sub_models) if m.kind == GBDT]
    assert gbdts
    for j, m in gbdts:
        package = lgb.Booster(model_str=(folder / f"gbdt-{m.source}.txt").read_text())
        cols = x[:, [serving.columns.index(f) for f in serving.sources[m.source]]]
        present = has[:, list(serving.sources).index(m.source)] > 0
        assert np.abs(sub[present, j] - package.predict(cols[present], raw_score=True)).max() <= 1e-12
        assert np.array_equal(serving.booster(m.name).contributions(cols), package.predict(cols, pred_contrib=True))


def test_the_loader_verifies_the_manifest_and_every_file(trained: tuple[Ensemble, Path], tmp_path: Path) -> None:
    model, _ = trained
    folder = model.save(tmp_path / "m", {}).parent
    digest = read_bundle(folder).manifest_sha256
    assert EnsembleScorer.load(folder, digest).version.endswith(digest[:16])
    with pytest.raises(DataSourceError, match="registered"):
        EnsembleScorer.load(folder, "0" * 64)
    booster = next(folder.glob("gbdt-*.txt"))
    booster.write_text(booster.read_text().replace("leaf_value=", "leaf_value=1", 1))
    with pytest.raises(DataSourceError, match="sha256 does not match the manifest"):
        EnsembleScorer.load(folder)
    booster.unlink()
    with pytest.raises(DataSourceError, match="listed in the manifest but unreadable"):
        load_serving(folder)
    (folder / "manifest.json").unlink()
    with pytest.raises(DataSourceError, match="not a model bundle"):
        load_serving(folder)


def test_a_bundle_of_another_kind_is_refused(trained: tuple[Ensemble, Path], tmp_path: Path) -> None:
    model, _ = trained
    folder = model.save(tmp_path / "m", {}).parent
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "kind": "baseline-lightgbm"}))
    with pytest.raises(Exception, match="not a fused-ensemble bundle"):
        load_serving(folder)
