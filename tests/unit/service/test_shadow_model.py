"""A challenger model in shadow: who may be one, and a failing one is counted and logged once, never raised."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

import pytest

from riskloop.domain.decision import Tier
from riskloop.errors import ValidationError
from riskloop.rules.engine import RuleOutcome
from riskloop.scoring.behaviour import KIND as BEHAVIOUR_KIND
from riskloop.scoring.registry import ACTIVE, APPROVED, REGISTERED, RETIRED, RegisteredModel
from riskloop.service.shadow_model import ShadowModel, check_shadow_model
from riskloop.testing.decider import NOW, make_decider, request
from riskloop.testing.fake_decision_ports import FixedScorer, KilledSource

MODEL = RegisteredModel("sme-v2", "sme", 2, "fused-ensemble", NOW, "/m/sme-v2", "ab" * 32, {}, (), {})


class BrokenRules:
    """A rule engine that raises (a bug, not a rule failure): the shadow catches it."""

    def evaluate(self, key: str, context: Any) -> RuleOutcome:
        raise RuntimeError("engine crashed")


@pytest.mark.parametrize("status", [REGISTERED, APPROVED, RETIRED])
def test_candidates_approved_and_retired_models_may_run_in_shadow(status: str) -> None:
    model = dataclasses.replace(MODEL, status=status)
    assert check_shadow_model(model, champion="sme-v1") is model


def test_the_model_serving_and_behaviour_models_may_not() -> None:
    with pytest.raises(ValidationError, match=r"shadow_model.*serving"):
        check_shadow_model(dataclasses.replace(MODEL, status=ACTIVE))
    with pytest.raises(ValidationError, match="serving"):
        check_shadow_model(MODEL, champion="sme-v2")  # pinned with serve --model
    with pytest.raises(ValidationError, match="behaviour"):
        check_shadow_model(dataclasses.replace(MODEL, kind=BEHAVIOUR_KIND))


def test_a_shadow_decision_is_the_same_pipeline_with_another_model() -> None:
    champion = make_decider()
    shadow = ShadowModel("sme-v2", make_decider(scorer=FixedScorer(base=540.0, version="sme-v2:ab")))
    inputs = champion.gather(request())
    at = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    mine = champion.decide_inputs(inputs, at, "reference@1").decision
    theirs = shadow.decide(inputs, at, "reference@1")
    assert theirs is not None
    assert (theirs.versions.model, mine.versions.model) == ("sme-v2:ab", "fixed-scorer:1")
    assert theirs.versions.strategy == mine.versions.strategy
    assert theirs.pd is not None
    assert mine.pd is not None
    assert theirs.pd > mine.pd  # 60 points fewer
    assert (shadow.decided, shadow.failures) == (1, 0)
    assert shadow.state() == "sme-v2 loaded (sme-v2:ab): 1 decided, 0 failed"


def test_failures_are_counted_and_logged_once_per_kind(caplog: pytest.LogCaptureFixture) -> None:
    inputs = make_decider().gather(request())
    unscored = ShadowModel("sme-v2", make_decider(scorer=KilledSource("model")))
    crashing = ShadowModel("sme-v3", make_decider(rules=BrokenRules()))
    with caplog.at_level(logging.WARNING, logger="riskloop.service.shadow_model"):
        for _ in range(3):
            assert unscored.decide(inputs, NOW, "reference@1") is None
            assert crashing.decide(inputs, NOW, "reference@1") is None
    assert (unscored.decided, unscored.failures, crashing.failures) == (0, 3, 3)
    assert len(caplog.records) == 2  # one line per model and kind of failure, not per application
    assert "no score: DataSourceError: model is unavailable" in caplog.text
    assert "RuntimeError: engine crashed" in caplog.text
    assert "3 failed (last: RuntimeError: engine crashed)" in crashing.state()


def test_a_shadow_never_changes_the_champions_decision() -> None:
    champion = make_decider()
    inputs = champion.gather(request())
    before = champion.decide_inputs(inputs, NOW, "reference@1").decision
    ShadowModel("sme-v2", make_decider(scorer=KilledSource("model"))).decide(inputs, NOW, "reference@1")
    after = champion.decide_inputs(inputs, NOW, "reference@1").decision
    assert after == before
    assert after.tier is Tier.AUTO_APPROVE


def test_state_names_the_model_even_without_a_scorer() -> None:
    shadow = ShadowModel("sme-v2", make_decider(scorer=None))
    assert shadow.version == "none"
    assert shadow.decide(make_decider().gather(request()), NOW, "reference@1") is None  # no model, no score
    assert shadow.failures == 1
