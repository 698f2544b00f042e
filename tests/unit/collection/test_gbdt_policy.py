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
from riskloop.collection.gbdt_format import context_block, every_arm
from riskloop.collection.learner_train import select_learner, split_validation, train_learner
from riskloop.collection.policy import POLICY_FILE, Policy, load_policy
from riskloop.collection.policy_gbdt_train import GbdtConfig, train_gbdt_policy
from riskloop.collection.policy_train import TrainConfig
from riskloop.domain.collection import ARM_KEYS
from riskloop.errors import ConfigError

SMALL = GbdtConfig(rounds=40, epsilon=0.1)


@pytest.fixture(scope="module")
def gbdt(segment_log: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_gbdt_policy(segment_log.head(3_000), tmp_path_factory.mktemp("gbdt"), np.random.default_rng(3), SMALL)


def test_native_predictions_equal_the_lightgbm_package(gbdt: Path) -> None:
    policy = load_policy(gbdt)
    assert policy.learner == GBDT_LEARNER
    ctx = random_contexts(300, np.random.default_rng(8))
    ctx.loc[ctx.index[:20], "province"] = pd.NA  # missing and unseen categories take LightGBM's missing branch
    ctx.loc[ctx.index[20:40], "industry"] = "never-seen"
    ctx.loc[ctx.index[40:60], "dpd"] = np.nan
    meta = json.loads((gbdt / POLICY_FILE).read_text())
    from riskloop.collection.gbdt_format import GbdtSpec

    rows = every_arm(context_block(ctx, GbdtSpec.from_json(meta["gbdt_spec"])))
    reference = lgb.Booster(model_file=str(gbdt / "model.lgb.txt")).predict(rows, raw_score=True)
    scale = np.maximum(ctx["remaining_cents"].to_numpy(), policy.scale_floor_cents)
    np.testing.assert_allclose(policy.expected_net(ctx), reference.reshape(len(ctx), -1) * scale[:, None], rtol=1e-9)


def test_per_arm_models_equal_the_package_too(segment_log: pd.DataFrame, tmp_path: Path) -> None:
    cfg = GbdtConfig(rounds=20, per_arm=True, min_data_in_leaf=20)
    policy = load_policy(train_gbdt_policy(segment_log.head(3_000), tmp_path, np.random.default_rng(1), cfg))
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


def _true_value(policy: Policy, contexts: pd.DataFrame) -> float:
    picked = np.argmax(policy.expected_net(contexts), axis=1)
    return float(true_paid_share(contexts)[np.arange(len(contexts)), picked].mean())


def test_selection_follows_the_dr_estimate_and_agrees_with_the_truth(segment_log: pd.DataFrame, tmp_path: Path) -> None:
    log = segment_log.head(4_000)
    options = [TrainConfig(), GbdtConfig(rounds=100)]
    chosen, scores = select_learner(log, options, np.random.default_rng(4))
    assert [s["learner"] for s in scores] == [VW_LEARNER, GBDT_LEARNER]
    best = int(np.argmax([s["dr_value"] for s in scores]))
    assert chosen == options[best]
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
