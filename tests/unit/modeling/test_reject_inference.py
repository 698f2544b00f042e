"""Reject inference: fuzzy augmentation and parcelling on hand cases, weighted fits, grouped folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ValidationError
from riskloop.modeling.ensemble import EnsembleConfig, _folds, fit_ensemble
from riskloop.modeling.fusion import fit_logistic
from riskloop.modeling.reject_inference import fuzzy_augment, parcel
from riskloop.modeling.sources import SourceSpec

Toy = tuple[pd.DataFrame, np.ndarray]


def test_fuzzy_augment_hand_case() -> None:
    a = fuzzy_augment([1, 0, 0], [0.2, 0.9])
    assert a.row.tolist() == [0, 1, 2, 3, 3, 4, 4]
    assert a.y.tolist() == [1, 0, 0, 1, 0, 1, 0]
    assert a.weight.tolist() == pytest.approx([1, 1, 1, 0.2, 0.8, 0.9, 0.1])
    assert a.group.tolist() == a.row.tolist()
    assert a.weight.sum() == pytest.approx(5.0)  # every application counts once
    # The unknowns' weighted bad count is the sum of their PDs: the known model's expected bads.
    unknown = a.row >= 3
    assert float(a.weight[unknown] @ a.y[unknown]) == pytest.approx(1.1)


def test_fuzzy_augment_scales_unknown_weight_and_refuses_bad_input() -> None:
    assert fuzzy_augment([0, 1], [0.5], unknown_weight=0.5).weight.sum() == pytest.approx(2.5)
    with pytest.raises(ValidationError, match="p_unknown"):
        fuzzy_augment([0, 1], [1.5])
    with pytest.raises(ValidationError, match="y_known"):
        fuzzy_augment([0, 2], [0.5])


def test_parcel_draws_at_the_band_bad_rate() -> None:
    p_known = np.linspace(0.0, 1.0, 2000)  # median 0.5 falls between two rows
    y_known = (p_known > 0.5).astype(int)  # band bad rate: 0 below the median, 1 above
    a = parcel(p_known, y_known, np.array([0.1] * 500 + [0.9] * 500), bands=2, seed=1)
    drawn = a.y[2000:]
    assert drawn[:500].sum() == 0
    assert drawn[500:].sum() == 500
    half = parcel(p_known, y_known, np.full(4000, 0.9), bands=2, factor=0.5, seed=1).y[2000:]
    assert abs(half.mean() - 0.5) < 0.03  # seeded draw at 1 x 0.5
    assert (parcel(p_known, y_known, np.full(10, 0.9), bands=2, factor=0.5, seed=3).y
            == parcel(p_known, y_known, np.full(10, 0.9), bands=2, factor=0.5, seed=3).y).all()  # fmt: skip


def test_weighted_logistic_equals_duplicated_rows() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 2))
    y = (rng.random(200) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    w = rng.integers(1, 4, 200).astype(float)
    b1, c1 = fit_logistic(x, y, 1.0, [None, None], w)
    rows = np.repeat(np.arange(200), w.astype(int))
    b2, c2 = fit_logistic(x[rows], y[rows], 1.0, [None, None])
    assert b1 == pytest.approx(b2, abs=1e-4)
    assert c1 == pytest.approx(c2, abs=1e-4)


def test_grouped_folds_keep_both_copies_together() -> None:
    a = fuzzy_augment(np.tile([0, 1], 50), np.linspace(0.05, 0.95, 40))
    folds = _folds(a.y.astype(np.float64), EnsembleConfig(folds=4), a.group)
    tested = np.concatenate([test for _, test in folds])
    assert np.sort(tested).tolist() == list(range(a.y.size))  # every row held out exactly once
    for train, test in folds:
        assert not set(a.group[train]) & set(a.group[test])


def test_fuzzy_training_uses_the_known_model_pd(toy: Toy, sources: tuple[SourceSpec, ...]) -> None:
    frame, y = toy
    config = EnsembleConfig(folds=3, kinds=("scorecard",), calibration="platt")
    known, unknown = frame.iloc[:2000].reset_index(drop=True), frame.iloc[2000:].reset_index(drop=True)
    model = fit_ensemble(known, y[:2000], sources, config)
    p = model.predict(unknown).pd
    a = fuzzy_augment(y[:2000], p)
    both = pd.concat([known, unknown], ignore_index=True).iloc[a.row].reset_index(drop=True)
    fuzzy = fit_ensemble(both, a.y, sources, config, weight=a.weight, groups=a.group)
    # The augmented sample's weighted bad rate is the known bads plus the known model's expected bads.
    assert fuzzy.training["rows"] == 2000 + 2 * len(unknown)
    assert float(a.weight @ a.y) == pytest.approx(y[:2000].sum() + p.sum())
    assert np.corrcoef(fuzzy.predict(unknown).pd, p)[0, 1] > 0.9  # same signal, refitted with the unknowns


def test_all_ones_weight_matches_the_unweighted_fit(toy: Toy, sources: tuple[SourceSpec, ...]) -> None:
    frame, y = toy
    config = EnsembleConfig(folds=3, gbdt_rounds=40, gbdt_early_stopping=0, calibration="platt")
    plain = fit_ensemble(frame, y, sources, config).predict(frame).pd
    ones = fit_ensemble(frame, y, sources, config, weight=np.ones(len(y))).predict(frame).pd
    assert ones == pytest.approx(plain, abs=1e-9)


def test_weight_must_be_non_negative(toy: Toy, sources: tuple[SourceSpec, ...]) -> None:
    frame, y = toy
    with pytest.raises(ValidationError, match="weight"):
        fit_ensemble(frame, y, sources, EnsembleConfig(), weight=-np.ones(len(y)))
