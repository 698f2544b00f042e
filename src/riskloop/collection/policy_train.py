"""Train the collection policy from logged history: a Vowpal Wabbit contextual bandit with action-dependent features.

Each logged round is one ``--cb_adf`` example: the context (shared line), every arm (its own line) and, on the
logged arm, the label ``cost:propensity`` where the cost is minus the round's recovery net of the arm's cost over
the round's reward scale (``policy.reward_scale``). The bandit reduction (``cb_type``: ``mtr`` by default,
importance-weighted regression of the logged arm) corrects for the historical policy's preferences with the
logged propensities. Hyper-parameters are fixed; the seed comes from the caller's generator.

Retraining trains anew on every logged round, old and new: the bin edges are refit on the whole history and a
model never carries the state of an earlier one; it takes seconds, so warm starts buy nothing worth their drift.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from vowpalwabbit import pyvw

from riskloop.collection.ope import check_propensities
from riskloop.collection.policy import (
    MODEL_FILE,
    POLICY_FILE,
    check_epsilon,
    file_sha256,
    reward_scale,
)
from riskloop.collection.vw_format import INTERACTIONS, FeatureSpec, example, fit_spec, shared_lines
from riskloop.domain.collection import ARM_KEYS, COST_CENTS
from riskloop.errors import ValidationError

# The logged columns training reads beside the context.
LOGGED_COLUMNS = ("action", "time_window", "propensity", "amount_paid_cents")


@dataclass(frozen=True)
class TrainConfig:
    """Fixed hyper-parameters of the policy's bandit."""

    epsilon: float = 0.05
    cb_type: str = "mtr"
    passes: int = 3
    bins: int = 5
    learning_rate: float = 0.1
    l2: float = 1e-7
    bit_precision: int = 20
    clip_p: float = 1.0
    scale_floor_cents: float = 10_000.0
    interactions: tuple[str, ...] = field(default=INTERACTIONS)

    def vw_args(self, seed: int) -> str:
        """The VW command line of a training run."""
        inter = " ".join(f"--interactions {i}" for i in self.interactions)
        return (
            f"--cb_adf --cb_type {self.cb_type} {inter} -b {self.bit_precision} -l {self.learning_rate} "
            f"--l2 {self.l2} --clip_p {self.clip_p} --random_seed {seed} --quiet"
        )


def arm_index(logged: pd.DataFrame) -> np.ndarray:
    """The index in ``ARM_KEYS`` of every logged round's arm; an unknown arm is a ValidationError naming its row."""
    keys = (logged["action"].astype(str) + "@" + logged["time_window"].astype(str)).to_numpy()
    lookup = {k: i for i, k in enumerate(ARM_KEYS)}
    out = np.array([lookup.get(k, -1) for k in keys])
    bad = np.flatnonzero(out < 0)
    if bad.size:
        raise ValidationError("action", f"row {int(bad[0])}: unknown arm {keys[bad[0]]!r}")
    return out


def net_reward_cents(logged: pd.DataFrame) -> np.ndarray:
    """Each logged round's amount paid net of its action's cost, cents."""
    cost = logged["action"].astype(str).map(COST_CENTS).to_numpy(dtype="float64")
    return logged["amount_paid_cents"].to_numpy(dtype="float64") - cost


def fit_vw(
    shared: list[str], arms: np.ndarray, cost: np.ndarray, propensity: np.ndarray, *, args: str, passes: int, seed: int
) -> pyvw.Workspace:
    """A VW ``cb_adf`` learner fitted on the rounds, ``passes`` times in a seeded shuffled order."""
    vw = pyvw.Workspace(args)
    order_rng = np.random.default_rng(seed)
    for _ in range(passes):
        for i in order_rng.permutation(len(shared)):
            vw.learn(example(shared[i], int(arms[i]), float(cost[i]), float(propensity[i])))
    return vw


def train_policy(
    logged: pd.DataFrame,
    out_dir: Path,
    rng: np.random.Generator,
    config: TrainConfig | None = None,
    version: str = "1",
) -> Path:
    """Train a policy on logged rounds and write its artifact directory.

    Parameters
    ----------
    logged
        One row per logged round: the context columns (``context.case_context``) and ``LOGGED_COLUMNS``.
    out_dir
        The artifact directory to write (created; existing files are replaced).
    rng
        The source of the learner's seed (shuffling and VW's own).
    config
        Hyper-parameters; ``TrainConfig()`` when omitted.
    version
        The policy's version string.

    Returns
    -------
    pathlib.Path
        ``out_dir``, holding ``model.vw`` and ``policy.json``; ``policy.load_policy`` reads it.

    """
    cfg = config or TrainConfig()
    check_epsilon(cfg.epsilon)
    missing = [c for c in LOGGED_COLUMNS if c not in logged.columns]
    if missing:
        raise ValidationError("logged", f"missing columns {', '.join(missing)}")
    if logged.empty:
        raise ValidationError("logged", "no logged rounds to train on")
    propensity = check_propensities(logged["propensity"].to_numpy())
    arms = arm_index(logged)
    net = net_reward_cents(logged)
    scale = reward_scale(logged["remaining_cents"].to_numpy(dtype="float64"), cfg.scale_floor_cents)
    spec = fit_spec(logged, cfg.bins)
    shared = shared_lines(logged, spec)
    seed = int(rng.integers(0, 2**31 - 1))
    vw = fit_vw(shared, arms, -net / scale, propensity, args=cfg.vw_args(seed), passes=cfg.passes, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = out_dir / MODEL_FILE
    vw.save(str(model))
    vw.finish()
    figures = training_figures(logged, net, propensity)
    write_policy_json(
        out_dir, version=version, cfg=cfg, spec=spec, seed=seed, figures=figures, model_sha256=file_sha256(model)
    )
    return out_dir


def training_figures(logged: pd.DataFrame, net: np.ndarray, propensity: np.ndarray) -> dict[str, Any]:
    """What the policy was trained on: rows, cases, the period and the logged policy's mean net per round."""
    acted = pd.to_datetime(logged["acted_at"]) if "acted_at" in logged.columns else None
    return {
        "rounds": len(logged),
        "cases": int(logged["case_id"].nunique()),
        "first_acted_at": None if acted is None else str(acted.min()),
        "last_acted_at": None if acted is None else str(acted.max()),
        "logged_mean_net_cents": float(net.mean()),
        "min_propensity": float(propensity.min()),
    }


def write_policy_json(
    out_dir: Path,
    *,
    version: str,
    cfg: TrainConfig,
    spec: FeatureSpec,
    seed: int,
    figures: dict[str, Any],
    model_sha256: str,
) -> None:
    """Write ``policy.json``: everything serving needs besides the model, and the model's sha256."""
    meta = {
        "version": version,
        "arms": list(ARM_KEYS),
        "epsilon": cfg.epsilon,
        "reward": "(amount_paid_cents - cost_cents) / max(remaining_cents, scale_floor_cents)",
        "scale_floor_cents": cfg.scale_floor_cents,
        "feature_spec": spec.to_json(),
        "hyper_parameters": {**asdict(cfg), "seed": seed, "interactions": list(cfg.interactions)},
        "training": figures,
        "sha256": {MODEL_FILE: model_sha256},
    }
    (out_dir / POLICY_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")


def select_config(
    logged: pd.DataFrame, candidates: list[TrainConfig], rng: np.random.Generator, validation_share: float = 0.25
) -> tuple[TrainConfig, list[dict[str, Any]]]:
    """The candidate whose greedy policy has the best doubly robust value on a later validation fold.

    Cases are ordered by their first round; the last ``validation_share`` of them is the validation fold. Every
    candidate trains on the earlier cases; its greedy policy is evaluated off-policy (DR, with a reward model
    cross-fitted on the validation fold) on the validation rounds. Only logged data is read, never truth.

    Returns
    -------
    tuple
        The chosen config and, per candidate, its DR value per round (cents) with its standard error.

    """
    from riskloop.collection.ope import Logged, evaluate
    from riskloop.collection.ope_model import crossfit_q
    from riskloop.collection.policy import greedy_pmf, load_policy

    first = logged.groupby("case_id")["acted_at"].min().sort_values()
    late = set(first.index[int(len(first) * (1 - validation_share)) :])
    is_val = logged["case_id"].isin(late).to_numpy()
    fit, val = logged[~is_val].reset_index(drop=True), logged[is_val].reset_index(drop=True)
    q = crossfit_q(val, rng, folds=2, config=TrainConfig(clip_p=1.0))
    lg = Logged(arm_index(val), check_propensities(val["propensity"].to_numpy()), net_reward_cents(val), q)
    scores: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, cfg in enumerate(candidates):
            policy = load_policy(train_policy(fit, Path(tmp) / str(i), rng, cfg))
            dr = evaluate(greedy_pmf(policy.expected_net(val), 0.0), lg).dr
            assert dr is not None  # q was given
            scores.append({"config": asdict(cfg), "dr_value": dr.value, "dr_se": dr.se})
    best = int(np.argmax([s["dr_value"] for s in scores]))
    return candidates[best], scores
