"""Reject inference in workspace training: which applications count as unknown, and the refit's figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ValidationError
from riskloop.modeling.ensemble import EnsembleConfig, fit_ensemble
from riskloop.modeling.sources import SourceSpec
from riskloop.service.train import unknown_applications, with_reject_inference

SOURCES = (SourceSpec("a", ("a_x",), {"a_x": 1}),)


def test_unknown_are_the_window_applications_without_a_loan() -> None:
    frame = pd.DataFrame(
        {
            "application_id": ["A1", "A2", "A3", "A4", "A5"],
            "as_of": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-06-01", "2024-12-01"]),
        }
    )
    # A1 funded; A4 after the cut; A5 before the training window: only A2 and A3 are unknown.
    out = unknown_applications(frame, {"A1"}, pd.Timestamp("2025-01-01"), "2025-05-01")
    assert out["application_id"].tolist() == ["A2", "A3"]


def _toy(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    y = (rng.random(rows) < 1 / (1 + np.exp(2.0 - 1.5 * x))).astype(int)
    return pd.DataFrame({"a_x": x}), y


@pytest.mark.parametrize("method", ["fuzzy", "parcel"])
def test_refit_reports_the_method_and_the_augmented_sample(method: str) -> None:
    train, y = _toy(1500, 0)
    unknown, _ = _toy(500, 1)
    config = EnsembleConfig(folds=3, kinds=("scorecard",), calibration="platt")
    known = fit_ensemble(train, y, SOURCES, config)
    model, meta = with_reject_inference(method, train, y, unknown, known, sources=SOURCES, config=config)
    p = known.predict(unknown).pd
    assert meta["method"] == method
    assert (meta["known_applications"], meta["unknown_applications"]) == (1500, 500)
    assert meta["unknown_mean_pd"] == pytest.approx(float(p.mean()))
    rows = 1500 + (2 if method == "fuzzy" else 1) * 500
    assert model.training["rows"] == rows
    if method == "fuzzy":  # the weighted bad rate is exactly known bads plus the unknowns' expected bads
        assert meta["augmented_bad_rate"] == pytest.approx((y.sum() + p.sum()) / 2000)


def test_no_unknown_application_is_an_error() -> None:
    train, y = _toy(300, 0)
    config = EnsembleConfig(folds=3, kinds=("scorecard",), calibration="platt")
    known = fit_ensemble(train, y, SOURCES, config)
    with pytest.raises(ValidationError, match="reject_inference"):
        with_reject_inference("fuzzy", train, y, train.iloc[:0], known, sources=SOURCES, config=config)
