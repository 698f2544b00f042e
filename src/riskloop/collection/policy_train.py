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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from vowpalwabbit import pyvw

from riskloop.collection.arm_models import VW_LEARNER
from riskloop.collection.ope import check_propensities
from riskloop.collection.policy import (
    MODEL_FILE,
    POLICY_FILE,
    check_epsilon,
    file_sha256,
    reward_scale,
)
from riskloop.collection.vw_format import INTERACTIONS, example, fit_spec, shared_lines
from riskloop.domain.collection import ARM_KEYS, COST_CENTS
from riskloop.errors import ValidationError

# The logged columns training reads beside the context.
LOGGED_COLUMNS = ("action", "time_window", "propensity", "amount_paid_cents")


@dataclass(frozen=True)
class TrainConfig:
    """Fixed hyper-parameters of the policy's bandit."""

    learner: ClassVar[str] = VW_LEARNER
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
    *,
    version: str = "1",
    selection: list[dict[str, Any]] | None = None,
) -> Path:
    """Train a VW ``cb_adf`` policy on logged rounds and write its artifact directory.

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
    selection
        The candidates compared when this learner was chosen (``learner_train.select_learner``), kept in
        ``policy.json``.

    Returns
    -------
    pathlib.Path
        ``out_dir``, holding ``model.vw`` and ``policy.json``; ``policy.load_policy`` reads it.

    """
    cfg = config or TrainConfig()
    check_epsilon(cfg.epsilon)
    arms, net, propensity = check_logged(logged)
    scale = reward_scale(logged["remaining_cents"].to_numpy(dtype="float64"), cfg.scale_floor_cents)
    spec = fit_spec(logged, cfg.bins)
    shared = shared_lines(logged, spec)
    seed = int(rng.integers(0, 2**31 - 1))
    vw = fit_vw(shared, arms, -net / scale, propensity, args=cfg.vw_args(seed), passes=cfg.passes, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = out_dir / MODEL_FILE
    vw.save(str(model))
    vw.finish()
    write_policy_json(
        out_dir,
        [model],
        learner=cfg.learner,
        version=version,
        epsilon=cfg.epsilon,
        scale_floor_cents=cfg.scale_floor_cents,
        specs={"feature_spec": spec.to_json()},
        hyper_parameters={**asdict(cfg), "seed": seed, "interactions": list(cfg.interactions)},
        figures=training_figures(logged, net, propensity),
        selection=selection,
    )
    return out_dir


def check_logged(logged: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The logged rounds' arm indexes, net rewards (cents) and propensities, refusing a log that cannot train."""
    missing = [c for c in LOGGED_COLUMNS if c not in logged.columns]
    if missing:
        raise ValidationError("logged", f"missing columns {', '.join(missing)}")
    if logged.empty:
        raise ValidationError("logged", "no logged rounds to train on")
    propensity = check_propensities(logged["propensity"].to_numpy())
    return arm_index(logged), net_reward_cents(logged), propensity


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
    models: list[Path],
    *,
    learner: str,
    version: str,
    epsilon: float,
    scale_floor_cents: float,
    specs: dict[str, Any],
    hyper_parameters: dict[str, Any],
    figures: dict[str, Any],
    selection: list[dict[str, Any]] | None = None,
) -> None:
    """Write ``policy.json``: everything serving needs besides the model file, and that file's sha256."""
    meta = {
        "learner": learner,
        "version": version,
        "arms": list(ARM_KEYS),
        "epsilon": epsilon,
        "reward": "(amount_paid_cents - cost_cents) / max(remaining_cents, scale_floor_cents)",
        "scale_floor_cents": scale_floor_cents,
        **specs,
        "hyper_parameters": hyper_parameters,
        "training": figures,
        "selection": selection or [],
        "sha256": {m.name: file_sha256(m) for m in models},
    }
    (out_dir / POLICY_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
