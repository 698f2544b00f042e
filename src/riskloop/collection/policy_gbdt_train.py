"""Train the collection policy's second learner: a LightGBM direct-method reward model (``lightgbm-dm``).

One regression over every logged round, one row each: the context facts and the logged arm's action, window and
key (``gbdt_format``), the target the round's net recovery over its reward scale, as the VW learner's (minus)
cost. Serving scores each arm by putting it in the row (``arm_models.GbdtArmModel``) and acts greedily on the
best. Trees split on the arm under splits on the context, so what each arm is worth for which case is found by
the model, not written as interactions. With ``per_arm`` there is one regression per arm on its own logged
rounds, over the context alone: each arm's value is found apart, at the price of fewer rows per model (an
option, not among the default candidates). ``weight_cap`` above 1 weights each round by
``min(1/propensity, cap)``, correcting (boundedly) for the arms the historical policy preferred; 1 is a plain
regression.
Training code: imports the ``lightgbm`` package; serving never imports this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import lightgbm as lgb
import numpy as np
import pandas as pd

from riskloop.collection.arm_models import GBDT_LEARNER, MODEL_FILES, arm_model_file
from riskloop.collection.gbdt_format import GbdtSpec, context_block, design, fit_gbdt_spec
from riskloop.collection.policy import check_epsilon, reward_scale
from riskloop.collection.policy_train import check_logged, training_figures, write_policy_json
from riskloop.domain.collection import ARM_KEYS
from riskloop.errors import ValidationError


@dataclass(frozen=True)
class GbdtConfig:
    """Fixed hyper-parameters of the direct-method reward model."""

    learner: ClassVar[str] = GBDT_LEARNER
    epsilon: float = 0.05
    rounds: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 40
    weight_cap: float = 1.0
    per_arm: bool = False
    scale_floor_cents: float = 10_000.0
    threads: int = 2  # fixed, so that a seed gives the same trees on any machine

    def params(self, seed: int) -> dict[str, Any]:
        """LightGBM's training parameters."""
        return {
            "objective": "regression",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.threads,
            "verbose": -1,
        }


def fit_gbdt(
    matrix: np.ndarray, target: np.ndarray, weight: np.ndarray, spec: GbdtSpec, *, cfg: GbdtConfig, seed: int
) -> lgb.Booster:
    """A LightGBM regression of ``target`` on the design ``matrix`` (categorical columns declared)."""
    data = lgb.Dataset(
        matrix,
        label=target,
        weight=weight,
        feature_name=list(spec.feature_names),
        categorical_feature=list(spec.categorical_indices),
        params={"verbose": -1},
    )
    return lgb.train(cfg.params(seed), data, num_boost_round=cfg.rounds)


def train_gbdt_policy(
    logged: pd.DataFrame,
    out_dir: Path,
    rng: np.random.Generator,
    config: GbdtConfig | None = None,
    *,
    version: str = "1",
    selection: list[dict[str, Any]] | None = None,
) -> Path:
    """Train a ``lightgbm-dm`` policy on logged rounds and write its artifact directory.

    Parameters
    ----------
    logged
        One row per logged round: the context columns (``context.case_context``) and ``LOGGED_COLUMNS``.
    out_dir
        The artifact directory to write (created; existing files are replaced).
    rng
        The source of LightGBM's seed.
    config
        Hyper-parameters; ``GbdtConfig()`` when omitted.
    version
        The policy's version string.
    selection
        The candidates compared when this learner was chosen, kept in ``policy.json``.

    Returns
    -------
    pathlib.Path
        ``out_dir``, holding ``model.lgb.txt`` (LightGBM text) and ``policy.json``; ``policy.load_policy``
        reads it.

    """
    cfg = config or GbdtConfig()
    check_epsilon(cfg.epsilon)
    if cfg.weight_cap < 1.0:
        raise ValidationError("weight_cap", f"{cfg.weight_cap}: at least 1 (1 is an unweighted regression)")
    arms, net, propensity = check_logged(logged)
    scale = reward_scale(logged["remaining_cents"].to_numpy(dtype="float64"), cfg.scale_floor_cents)
    spec = fit_gbdt_spec(logged, cfg.per_arm)
    seed = int(rng.integers(0, 2**31 - 1))
    weight = np.minimum(1.0 / propensity, cfg.weight_cap)
    block = context_block(logged, spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    models = []
    for name, rows in _model_rows(arms, cfg.per_arm):
        x = block[rows] if cfg.per_arm else design(block, arms)
        booster = fit_gbdt(x, net[rows] / scale[rows], weight[rows], spec, cfg=cfg, seed=seed)
        models.append(out_dir / name)
        models[-1].write_text(booster.model_to_string(), encoding="utf-8")
    write_policy_json(
        out_dir,
        models,
        learner=cfg.learner,
        version=version,
        epsilon=cfg.epsilon,
        scale_floor_cents=cfg.scale_floor_cents,
        specs={"gbdt_spec": spec.to_json()},
        hyper_parameters={**asdict(cfg), "seed": seed},
        figures=training_figures(logged, net, propensity),
        selection=selection,
    )
    return out_dir


def _model_rows(arms: np.ndarray, per_arm: bool) -> list[tuple[str, np.ndarray]]:
    """Each model file with the logged rounds it learns from; an arm never logged cannot have a model."""
    if not per_arm:
        return [(MODEL_FILES[GBDT_LEARNER], np.arange(len(arms)))]
    out = []
    for k, key in enumerate(ARM_KEYS):
        rows = np.flatnonzero(arms == k)
        if not rows.size:
            raise ValidationError("logged", f"arm {key} has no logged round: a per-arm model cannot score it")
        out.append((arm_model_file(k), rows))
    return out
