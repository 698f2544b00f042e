"""A model source the decision path never supplies refers the decision instead of scoring it as missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskloop.domain.decision import Tier
from riskloop.errors import DataSourceError
from riskloop.modeling.ensemble import EnsembleConfig, fit_ensemble
from riskloop.modeling.sources import SourceSpec
from riskloop.service.scorer import EnsembleScorer
from riskloop.testing.decider import make_decider, request


@pytest.fixture(scope="module")
def scorer() -> EnsembleScorer:
    rng = np.random.default_rng(0)
    quality = rng.normal(size=1500)
    frame = pd.DataFrame(
        {
            "app_bureau_score": 600 + 40 * quality + 40 * rng.normal(size=1500),
            "graph_gang_size": rng.poisson(np.exp(-1.0 - quality)).astype(float),
        }
    )
    y = (rng.random(1500) < 1 / (1 + np.exp(2.0 + 1.2 * quality))).astype(int)
    sources = (SourceSpec("graph", ("graph_gang_size",), {"graph_gang_size": 1}),)
    model = fit_ensemble(
        frame, y, sources, EnsembleConfig(folds=2, kinds=("gbdt",), direct_inputs=("app_bureau_score",))
    )
    return EnsembleScorer(model, "toy:1")


def test_a_row_without_the_source_is_refused_and_one_with_it_scores(scorer: EnsembleScorer) -> None:
    with pytest.raises(DataSourceError, match="graph"):
        scorer.score({"app_bureau_score": 700.0})
    pd_, _ = scorer.score({"app_bureau_score": 700.0, "graph_gang_size": 0.0})
    assert 0 < pd_ < 1
    missing_for_this_firm, _ = scorer.score({"app_bureau_score": 700.0, "graph_gang_size": None})
    assert 0 < missing_for_this_firm < 1  # a known source with no value is the ordinary missing case


def test_the_decision_is_referred_with_the_model_unavailable(scorer: EnsembleScorer) -> None:
    decision = make_decider(scorer=scorer).decide(request()).decision
    assert decision.tier is Tier.MANUAL_REVIEW
    assert "DATA_UNAVAILABLE_MODEL" in [r.code for r in decision.reasons]
    assert "graph" in str(decision.trace[-1]["values"]["model"])
