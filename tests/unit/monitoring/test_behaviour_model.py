"""The behaviour score's bundle, its serving parity with training, its four eyes and its place in a monitoring run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pyarrow as pa
import pytest
from test_monitor_run import ANN, BOB, DAY, Setup

from riskloop.errors import DataSourceError, ForbiddenError
from riskloop.modeling.behaviour import TrainedBehaviour, fit_behaviour, loan_folds, save_behaviour
from riskloop.monitoring.behaviour import FEATURES, REASONS, SCORE
from riskloop.monitoring.policy import POLICY_NAME, build_policy, reviewed_rules
from riskloop.scoring.behaviour import BOOSTER, KIND, BehaviourModel, feature_matrix
from riskloop.scoring.registry import manifest_digest
from riskloop.service.models import ModelLifecycle
from riskloop.service.monitor import NO_BEHAVIOUR
from riskloop.testing.fake_registry import InMemoryModelRegistry


def _rows(n: int = 3000, seed: int = 3) -> pa.Table:
    """Loan-months whose badness rises with days past due and inflow drop (the rest is noise)."""
    rng = np.random.default_rng(seed)
    cols = {f: rng.normal(size=n) for f in FEATURES}
    cols["days_past_due"] = rng.integers(0, 40, size=n).astype(float)
    cols["inflow_drop"] = np.where(rng.random(n) < 0.1, np.nan, rng.random(n))
    logit = -4 + 0.08 * cols["days_past_due"] + 2 * np.nan_to_num(cols["inflow_drop"])
    bad = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pa.table({"loan_id": [f"L{i % 700}" for i in range(n)], **cols, "bad": bad})


@pytest.fixture(scope="module")
def trained() -> TrainedBehaviour:
    return fit_behaviour(_rows(), FEATURES, seed=5)


@pytest.fixture
def bundle(trained: TrainedBehaviour, tmp_path: Path) -> Path:
    save_behaviour(trained, tmp_path / "behaviour-v1", {"observed_on": "2026-01-01", "horizon_months": 6})
    return tmp_path / "behaviour-v1"


def test_folds_keep_each_loans_months_together() -> None:
    loans = [f"L{i % 13}" for i in range(100)]
    for train, test in loan_folds(loans, 4, seed=1):
        assert not {loans[i] for i in train} & {loans[i] for i in test}


def test_training_is_seeded_and_learns_the_planted_signal(trained: TrainedBehaviour) -> None:
    again = fit_behaviour(_rows(), FEATURES, seed=5)
    assert again.text == trained.text
    assert trained.cv_auc > 0.7


def test_served_scores_match_the_training_booster_and_explain_it(trained: TrainedBehaviour, bundle: Path) -> None:
    rows = _rows(200, seed=9)
    model = BehaviourModel.load(bundle, manifest_digest(bundle))
    booster = lgb.Booster(model_str=trained.text)
    expected = booster.predict(feature_matrix(rows, FEATURES))
    scores = model.score(rows)
    np.testing.assert_allclose(scores.pd, expected, rtol=1e-9, atol=1e-12)
    risky = int(np.argmax(scores.pd))
    assert scores.reasons[risky][0].feature in {"days_past_due", "inflow_drop"}
    assert all(r.contribution > 0 for rs in scores.reasons for r in rs)


def test_a_tampered_bundle_or_another_manifest_is_refused(bundle: Path) -> None:
    digest = manifest_digest(bundle)
    text = (bundle / BOOSTER).read_text()
    (bundle / BOOSTER).write_text(text.replace("learning_rate: 0.05", "learning_rate: 0.5"))
    with pytest.raises(DataSourceError, match="sha256 does not match the manifest"):
        BehaviourModel.load(bundle)
    (bundle / BOOSTER).write_text(text)
    with pytest.raises(DataSourceError, match="registered"):
        BehaviourModel.load(bundle, "0" * 64)
    assert BehaviourModel.load(bundle, digest).features == FEATURES


def test_a_behaviour_model_activated_by_its_author_alone_is_refused(bundle: Path) -> None:
    registry = InMemoryModelRegistry()
    mid = registry.register(bundle, "behaviour", KIND, {}, {}, FEATURES, registered_by="ann")
    lifecycle = ModelLifecycle(registry)
    with pytest.raises(ForbiddenError):
        lifecycle.approve(mid, "ann")
    lifecycle.approve(mid, "bob")
    with pytest.raises(ForbiddenError):
        lifecycle.activate(mid, "ann")
    assert lifecycle.activate(mid, "bob").status == "active"


def _activate_v2(setup: Setup, cutoffs: dict[str, float]) -> None:
    content = build_policy(rules=reviewed_rules(cutoffs))
    v = setup.lifecycle.create(ANN, POLICY_NAME, content)
    setup.lifecycle.submit(ANN, POLICY_NAME, v.version)
    setup.lifecycle.approve(BOB, POLICY_NAME, v.version)
    setup.lifecycle.approve_activation(BOB, setup.lifecycle.request_activation(ANN, POLICY_NAME, v.version))


def test_without_an_active_model_the_run_says_so_and_no_behaviour_rule_fires(
    monitor_universe: Path, tmp_path: Path
) -> None:
    setup = Setup(monitor_universe, tmp_path)
    _activate_v2(setup, {"warning": 0.0, "attention": 0.0, "notice": 0.0})  # would fire on any score
    monitor = setup.monitor()
    monitor.behaviour = lambda: None
    result = monitor.run(DAY)
    assert result.loans > 0
    assert result.behaviour == NO_BEHAVIOUR
    assert result.to_dict()["behaviour"] == NO_BEHAVIOUR
    assert not [a for a in result.direct_alerts if a.signal == SCORE]


def test_with_an_active_model_every_loan_is_scored_and_alerts_carry_its_reasons(
    monitor_universe: Path, tmp_path: Path, bundle: Path
) -> None:
    setup = Setup(monitor_universe, tmp_path)
    _activate_v2(setup, {"warning": 0.999999, "attention": 0.0})  # every scored loan: attention on the score
    model = BehaviourModel.load(bundle)
    monitor = setup.monitor()
    monitor.behaviour = lambda: model
    result = monitor.run(DAY)
    assert result.behaviour == f"{model.version}: {result.loans:,} loans scored"
    on_score = [a for a in result.direct_alerts if a.signal == SCORE]
    assert {a.loan_id for a in on_score}
    assert all(a.level == "attention" for a in on_score)
    assert len({a.credit_code for a in on_score}) == len({a.credit_code for a in result.direct_alerts if a.loan_id})
    evidence = on_score[0].evidence.signals
    assert evidence[0].name == SCORE
    assert 0.0 < float(evidence[0].value or 0) < 1.0
    assert any(s.name.startswith(f"{REASONS}.") for s in evidence)


def test_scoring_adds_nothing_to_the_signals_file(monitor_universe: Path, tmp_path: Path, bundle: Path) -> None:
    setup = Setup(monitor_universe, tmp_path)
    _activate_v2(setup, {})
    model = BehaviourModel.load(bundle)
    monitor = setup.monitor()
    monitor.behaviour = lambda: model
    result = monitor.run(dt.date(2026, 2, 28))
    assert SCORE not in monitor.signals.read(result.as_of).column_names  # type: ignore[union-attr]
