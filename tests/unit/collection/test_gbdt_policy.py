"""The LightGBM direct-method policy: served natively with the package's values, checked, chosen by DR only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from collection_logs import random_contexts, true_paid_share

from riskloop.collection.arm_models import GBDT_LEARNER, VW_LEARNER, arm_model_file
from riskloop.collection.facts import CATEGORICAL
from riskloop.collection.gbdt_format import context_block, every_arm, fit_gbdt_spec
from riskloop.collection.learner_train import select_learner, split_validation, train_learner
from riskloop.collection.ope_model import crossfit_q
from riskloop.collection.policy import POLICY_FILE, Policy, load_policy
from riskloop.collection.policy_gbdt_train import GbdtConfig, train_gbdt_policy
from riskloop.collection.policy_train import TrainConfig
from riskloop.domain.collection import ARM_KEYS
from riskloop.errors import ConfigError

SMALL = GbdtConfig(rounds=40, epsilon=0.1)
Q_SMALL = (TrainConfig(clip_p=1.0), GbdtConfig(rounds=40))  # DR's reward models, small: the tests stay fast


@pytest.fixture(scope="module")
def gbdt(segment_log: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_gbdt_policy(segment_log.head(2_000), tmp_path_factory.mktemp("gbdt"), np.random.default_rng(3), SMALL)


def test_native_predictions_equal_the_lightgbm_package(gbdt: Path, segment_log: pd.DataFrame) -> None:
    policy = load_policy(gbdt)
    assert policy.learner == GBDT_LEARNER
    ctx = random_contexts(300, np.random.default_rng(8))
    ctx.loc[ctx.index[:20], "province"] = pd.NA  # missing and unseen categories take LightGBM's missing branch
    ctx.loc[ctx.index[20:40], "industry"] = "never-seen"
    ctx.loc[ctx.index[40:60], "dpd"] = np.nan
    # The rows as training built them (not from policy.json): serving must lay the columns out the same way.
    rows = every_arm(context_block(ctx, fit_gbdt_spec(segment_log.head(2_000))))
    reference = lgb.Booster(model_file=str(gbdt / "model.lgb.txt")).predict(rows, raw_score=True)
    scale = np.maximum(ctx["remaining_cents"].to_numpy(), policy.scale_floor_cents)
    np.testing.assert_allclose(policy.expected_net(ctx), reference.reshape(len(ctx), -1) * scale[:, None], rtol=1e-9)


def test_per_arm_models_equal_the_package_too(segment_log: pd.DataFrame, tmp_path: Path) -> None:
    cfg = GbdtConfig(rounds=20, per_arm=True, min_data_in_leaf=20)
    policy = load_policy(train_gbdt_policy(segment_log.head(1_500), tmp_path, np.random.default_rng(1), cfg))
    ctx = random_contexts(50, np.random.default_rng(2))
    block = context_block(ctx, policy._model.spec)  # type: ignore[attr-defined]
    for k in (0, len(ARM_KEYS) - 1):
        ref = lgb.Booster(model_file=str(tmp_path / arm_model_file(k))).predict(block, raw_score=True)
        np.testing.assert_allclose(policy._model.rewards(ctx)[:, k], ref, rtol=1e-9)


def test_choices_keep_the_policy_interface(gbdt: Path) -> None:
    policy = load_policy(gbdt)
    ctx = random_contexts(30, np.random.default_rng(5))
    out = policy.choose(ctx, np.random.default_rng(1))
    pmf = np.array(out["pmf"].tolist())
    assert np.allclose(pmf.sum(axis=1), 1.0)
    assert np.isclose(pmf.min(), 0.1 / len(ARM_KEYS))
    assert np.allclose(out["propensity"], pmf[np.arange(len(out)), [ARM_KEYS.index(a) for a in out["arm"]]])
    assert all(r[3].startswith("favoured by") for r in out["reasons"])


def test_a_changed_or_missing_model_file_is_refused(gbdt: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / POLICY_FILE).write_bytes((gbdt / POLICY_FILE).read_bytes())
    with pytest.raises(ConfigError, match=r"model\.lgb\.txt: sha256"):
        load_policy(copy)
    (copy / "model.lgb.txt").write_text((gbdt / "model.lgb.txt").read_text().replace("leaf_value=", "leaf_value=1", 1))
    with pytest.raises(ConfigError, match=r"model\.lgb\.txt: sha256"):
        load_policy(copy)
    meta = json.loads((gbdt / POLICY_FILE).read_text())
    (copy / POLICY_FILE).write_text(json.dumps({**meta, "learner": "xgboost"}))
    with pytest.raises(ConfigError, match="learner: unknown 'xgboost'"):
        load_policy(copy)


def test_a_spec_whose_columns_differ_from_the_models_is_refused(gbdt: Path, tmp_path: Path) -> None:
    meta = json.loads((gbdt / POLICY_FILE).read_text())
    cats = meta["gbdt_spec"]["categories"]
    assert [c for c, _ in cats] == list(CATEGORICAL)  # kept in the model's order, not sorted
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "model.lgb.txt").write_bytes((gbdt / "model.lgb.txt").read_bytes())
    spec = {**meta["gbdt_spec"], "categories": dict(sorted(cats))}  # an older artifact: a sorted JSON object
    (copy / POLICY_FILE).write_text(json.dumps({**meta, "gbdt_spec": spec}))
    with pytest.raises(ConfigError, match=r"gbdt_spec: features .* but the model reads"):
        load_policy(copy)


def _true_value(policy: Policy, contexts: pd.DataFrame) -> float:
    picked = np.argmax(policy.expected_net(contexts), axis=1)
    return float(true_paid_share(contexts)[np.arange(len(contexts)), picked].mean())


def test_selection_follows_the_dr_lower_bound_and_agrees_with_the_truth(
    segment_log: pd.DataFrame, tmp_path: Path
) -> None:
    log = segment_log.head(3_000)
    options = [TrainConfig(), GbdtConfig(rounds=60)]
    chosen, scores = select_learner(log, options, np.random.default_rng(4), q_config=Q_SMALL)
    assert [s["learner"] for s in scores] == [VW_LEARNER, GBDT_LEARNER]
    best = int(np.argmax([s["dr_value"] - s["dr_se"] for s in scores]))  # pessimistic: value less one error
    assert chosen == options[best]
    assert all(s["dr_lower"] == pytest.approx(s["dr_value"] - s["dr_se"]) for s in scores)
    # The truth, read here only: each candidate trained on the same fitting fold, valued on the validation cases.
    fit, val = split_validation(log, 0.25)
    truth = [_true_value(load_policy(train_learner(fit, tmp_path / str(i), np.random.default_rng(4), o)), val)
             for i, o in enumerate(options)]  # fmt: skip
    assert abs(truth[0] - truth[1]) > 0.03  # one learner is clearly better on this log
    assert best == int(np.argmax(truth))
    folder = train_learner(log, tmp_path / "chosen", np.random.default_rng(5), chosen, selection=scores)
    meta = json.loads((folder / POLICY_FILE).read_text())
    assert meta["learner"] == chosen.learner
    assert [s["dr_value"] for s in meta["selection"]] == [s["dr_value"] for s in scores]


def test_serving_a_gbdt_policy_never_imports_the_lightgbm_package(gbdt: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from riskloop.collection.policy import load_policy; "
        f"load_policy(Path({str(gbdt)!r})); "
        "print(sorted(m for m in ('lightgbm', 'sklearn', 'riskloop.collection.policy_gbdt_train') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_lightgbm_reward_model_of_dr_finds_each_segments_best_arm(segment_log: pd.DataFrame) -> None:
    log = segment_log.head(3_000)
    q = crossfit_q(log, np.random.default_rng(6), folds=2, config=GbdtConfig(rounds=60))
    assert q.shape == (len(log), len(ARM_KEYS))
    best = np.argmax(true_paid_share(log), axis=1)
    assert (np.argmax(q, axis=1) == best).mean() > 0.8  # each round's q blind to its case, yet right per segment
