"""The collection policy: training finds each segment's best arm; choices carry propensities; artifacts are checked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from collection_logs import COMPANY_BEST, INDIVIDUAL_BEST, random_contexts, true_paid_share

from riskloop.collection.learner_train import select_learner
from riskloop.collection.policy import MAX_EPSILON, MODEL_FILE, POLICY_FILE, load_policy
from riskloop.collection.policy_gbdt_train import GbdtConfig
from riskloop.collection.policy_train import TrainConfig, train_policy
from riskloop.domain.collection import ARM_KEYS
from riskloop.errors import ConfigError, ValidationError

# DR's reward models in the selection tests: both learners, the LightGBM one small to keep the tests fast.
Q_SMALL = (TrainConfig(clip_p=1.0), GbdtConfig(rounds=40))


@pytest.fixture(scope="module")
def artifact(segment_log: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("policy")
    return train_policy(segment_log, out, np.random.default_rng(3), TrainConfig(epsilon=0.1))


def test_greedy_policy_picks_each_segments_best_arm(artifact: Path) -> None:
    policy = load_policy(artifact)
    ctx = random_contexts(400, np.random.default_rng(99))
    chosen = np.array(ARM_KEYS)[np.argmax(policy.expected_net(ctx), axis=1)]
    company = (ctx["kind"] == "company").to_numpy()
    assert (chosen[company] == COMPANY_BEST).mean() > 0.85
    assert (chosen[~company] == INDIVIDUAL_BEST).mean() > 0.85
    share = true_paid_share(ctx)
    picked = share[np.arange(len(ctx)), [ARM_KEYS.index(a) for a in chosen]]
    assert picked.mean() > 0.9 * share.max(axis=1).mean()  # within 10 % of the oracle (uniform: ~25 %)


def test_choices_log_propensity_and_full_pmf(artifact: Path) -> None:
    policy = load_policy(artifact)
    ctx = random_contexts(50, np.random.default_rng(5))
    out = policy.choose(ctx, np.random.default_rng(1))
    pmf = np.array(out["pmf"].tolist())
    assert np.allclose(pmf.sum(axis=1), 1.0)
    k = len(ARM_KEYS)
    picked = pmf[np.arange(len(out)), [ARM_KEYS.index(a) for a in out["arm"]]]
    assert np.allclose(out["propensity"], picked)
    assert np.isclose(pmf.min(), 0.1 / k)  # every arm keeps epsilon/K
    assert np.isclose(pmf.max(), 1 - 0.1 + 0.1 / k)
    assert all(
        r[0].startswith(ARM_KEYS[int(np.argmax(n))])
        for r, n in zip(out["reasons"], out["expected_net_cents"], strict=True)
    )
    again = policy.choose(ctx, np.random.default_rng(1))
    assert out["arm"].tolist() == again["arm"].tolist()


def test_exploration_draws_arms_at_their_propensity(artifact: Path) -> None:
    policy = load_policy(artifact)
    ctx = random_contexts(1, np.random.default_rng(5))
    many = pd.concat([ctx] * 4000, ignore_index=True)
    out = policy.choose(many, np.random.default_rng(2), epsilon=0.2, reasons=False)
    greedy_share = (out["arm"] == ARM_KEYS[int(np.argmax(out["expected_net_cents"][0]))]).mean()
    expected = 1 - 0.2 + 0.2 / len(ARM_KEYS)
    assert abs(greedy_share - expected) < 4 * np.sqrt(expected * (1 - expected) / 4000)


def test_epsilon_is_bounded(artifact: Path, segment_log: pd.DataFrame, tmp_path: Path) -> None:
    policy = load_policy(artifact)
    ctx = random_contexts(3, np.random.default_rng(5))
    with pytest.raises(ValidationError, match="epsilon"):
        policy.choose(ctx, np.random.default_rng(1), epsilon=MAX_EPSILON + 0.01)
    with pytest.raises(ValidationError, match="epsilon"):
        train_policy(segment_log.head(50), tmp_path / "p", np.random.default_rng(1), TrainConfig(epsilon=0.5))
    meta = json.loads((artifact / POLICY_FILE).read_text())
    meta["epsilon"] = 0.3
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / MODEL_FILE).write_bytes((artifact / MODEL_FILE).read_bytes())
    (copy / POLICY_FILE).write_text(json.dumps(meta))
    with pytest.raises(ConfigError, match="epsilon"):
        load_policy(copy)


def test_a_changed_model_file_is_refused(artifact: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / POLICY_FILE).write_bytes((artifact / POLICY_FILE).read_bytes())
    (copy / MODEL_FILE).write_bytes((artifact / MODEL_FILE).read_bytes() + b"\0")
    with pytest.raises(ConfigError, match=r"model\.vw: sha256"):
        load_policy(copy)


def test_a_logged_propensity_outside_the_unit_interval_is_refused(segment_log: pd.DataFrame, tmp_path: Path) -> None:
    bad = segment_log.head(20).copy()
    bad.loc[bad.index[7], "propensity"] = 0.0
    with pytest.raises(ValidationError, match="row 7"):
        train_policy(bad, tmp_path, np.random.default_rng(1))


def test_selection_by_validation_dr_prefers_the_contextual_learner(segment_log: pd.DataFrame) -> None:
    blind = TrainConfig(interactions=())  # no context x arm interactions: one arm for every case
    log, rng = segment_log.head(3_000), np.random.default_rng(4)
    chosen, scores = select_learner(log, [blind, TrainConfig()], rng, q_config=Q_SMALL)
    assert chosen == TrainConfig()
    assert [s["config"]["interactions"] for s in scores] == [(), ("ka", "na")]
    assert scores[1]["dr_value"] > 1.2 * scores[0]["dr_value"]  # true shares: ~0.2 vs ~0.33 of the debt
