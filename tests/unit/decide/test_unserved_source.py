"""A model source the decision path never supplies refers the decision instead of scoring it as missing.

The graph source is supplied by the graph checks (``GraphSignals.features``); when they fail, the source is
flagged missing, the model scores without it and the fail-safe refers what it would approve.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import GraphSignals
from riskloop.errors import DataSourceError, ValidationError
from riskloop.modeling.ensemble import EnsembleConfig, fit_ensemble
from riskloop.modeling.sources import SourceSpec
from riskloop.service.decide import DecisionInputs, model_inputs
from riskloop.service.scorer import EnsembleScorer
from riskloop.testing.decider import make_decider, request
from riskloop.testing.fake_decision_ports import KilledSource, MemoryGraphChecks


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
    return EnsembleScorer(model.serving, model.catalog, "toy:1")


def test_a_row_without_the_source_is_refused_and_one_with_it_scores(scorer: EnsembleScorer) -> None:
    with pytest.raises(DataSourceError, match="graph"):
        scorer.score({"app_bureau_score": 700.0})
    pd_, _ = scorer.score({"app_bureau_score": 700.0, "graph_gang_size": 0.0})
    assert 0 < pd_ < 1
    missing_for_this_firm, _ = scorer.score({"app_bureau_score": 700.0, "graph_gang_size": None})
    assert 0 < missing_for_this_firm < 1  # a known source with no value is the ordinary missing case


def test_graph_checks_without_features_leave_the_model_unavailable(scorer: EnsembleScorer) -> None:
    decision = make_decider(scorer=scorer).decide(request()).decision  # a stand-in graph: signals, no features
    assert decision.tier is Tier.MANUAL_REVIEW
    assert "DATA_UNAVAILABLE_MODEL" in [r.code for r in decision.reasons]
    assert "graph" in str(decision.trace[-1]["values"]["model"])


def graph_with(**features: float) -> MemoryGraphChecks:
    return MemoryGraphChecks(by_application={"APP-1": GraphSignals(features=features)})


def test_graph_features_from_the_checks_are_scored_and_replay_identically(scorer: EnsembleScorer) -> None:
    decider = make_decider(scorer=scorer, graph=graph_with(graph_gang_size=0.0))
    first = decider.decide(request())
    assert first.decision.pd is not None
    assert "DATA_UNAVAILABLE_MODEL" not in [r.code for r in first.decision.reasons]
    risky = make_decider(scorer=scorer, graph=graph_with(graph_gang_size=6.0)).decide(request()).decision
    assert risky.pd is not None
    assert risky.pd > first.decision.pd  # the model reads the value, not only its presence
    stored = json.loads(json.dumps(first.inputs.to_dict()))
    assert stored["graph"]["features"] == {"graph_gang_size": 0.0}
    again = decider.decide_inputs(DecisionInputs.from_dict(stored), first.decision.decided_at).decision
    assert json.dumps(again.to_dict()) == json.dumps(first.decision.to_dict())


def test_a_killed_graph_source_scores_without_the_graph_and_never_approves(scorer: EnsembleScorer) -> None:
    outcome = make_decider(scorer=scorer, graph=KilledSource("graph")).decide(request())
    assert outcome.inputs.graph is None
    assert model_inputs(outcome.inputs.request, outcome.inputs.features, None)["avail_graph"] == 0.0
    decision = outcome.decision
    assert decision.pd is not None  # the graph source is missing, not unsupplied
    assert not decision.tier.approves
    assert "DATA_UNAVAILABLE_GRAPH" in [r.code for r in decision.reasons]


def test_stored_graph_signals_without_features_still_load() -> None:
    old = GraphSignals(gang_size=2).to_dict()
    del old["features"]
    assert GraphSignals.from_dict(old) == GraphSignals(gang_size=2)
    with pytest.raises(ValidationError, match="graph_gang_size"):
        GraphSignals(features={"graph_gang_size": float("nan")})
