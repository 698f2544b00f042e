"""The fusion's choice: the stack, or the best sub-model scoring alone while every sub-model still explains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ConfigError
from riskloop.modeling.ensemble import Ensemble, EnsembleConfig, fit_ensemble
from riskloop.modeling.metrics import auc
from riskloop.modeling.sources import SourceSpec
from riskloop.scoring.fusion import Fusion

Toy = tuple[pd.DataFrame, np.ndarray]


def _fit(toy: Toy, sources: tuple[SourceSpec, ...], mode: str) -> Ensemble:
    frame, y = toy
    return fit_ensemble(frame, y, sources, EnsembleConfig(folds=3, direct_inputs=("bureau",), fusion=mode))


def test_best_alone_ranks_exactly_as_that_sub_model(toy: Toy, sources: tuple[SourceSpec, ...]) -> None:
    model = _fit(toy, sources, "best")
    record = model.training["fusion"]
    assert record["chosen"] == "best"
    best = record["best_sub_model"]
    assert record["best_sub_auc"] == max(model.training["oof_auc"].values())
    scores = model.predict(toy[0])
    # The PD is a monotone map of the best sub-model's score: the same ranking, to the last row.
    assert auc(toy[1], scores.pd) == pytest.approx(auc(toy[1], scores.sub_scores[best]), abs=1e-12)
    fusion = model.serving.fusion
    assert [n for n, c in zip(fusion.inputs, fusion.coef, strict=True) if c != 0] == [best]
    assert fusion.reason_coef  # the stacker's weights, kept for the reasons
    explained = {r.source for rs in model.reasons(toy[0].head(300)) for r in rs}
    assert len(explained) > 1  # reasons still come from several sources, not from the scoring model alone


def test_stack_and_auto_record_what_was_measured(toy: Toy, sources: tuple[SourceSpec, ...]) -> None:
    stacked, auto = _fit(toy, sources, "stack"), _fit(toy, sources, "auto")
    assert stacked.training["fusion"]["chosen"] == "stack"
    assert not stacked.serving.fusion.reason_coef
    record = auto.training["fusion"]
    gain = record["gain"]
    assert gain["low"] <= gain["gain"] <= gain["high"]
    assert record["chosen"] == ("stack" if gain["gain"] > 0 else "best")
    assert record["stack_auc"] - record["best_sub_auc"] == pytest.approx(gain["gain"], abs=1e-9)


def test_reason_weights_survive_the_bundle(toy: Toy, sources: tuple[SourceSpec, ...], tmp_path: Path) -> None:
    model = _fit(toy, sources, "best")
    model.save(tmp_path / "b", {"name": "t"})
    loaded = Ensemble.load(tmp_path / "b")
    assert loaded.serving.fusion == model.serving.fusion
    head = toy[0].head(50)
    assert np.array_equal(loaded.predict(head).pd, model.predict(head).pd)
    assert [[r.code for r in rs] for rs in loaded.reasons(head)] == [[r.code for r in rs] for rs in model.reasons(head)]
    assert Fusion.from_json(model.serving.fusion.to_json()) == model.serving.fusion


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match="fusion: unknown 'vote'; valid: auto, stack, best"):
        EnsembleConfig(fusion="vote")
