"""The direct-method reward model of doubly robust evaluation, cross-fitted on folds of cases.

DR is unbiased whatever its reward model ``q``, but its error shrinks only where ``q`` is right, and a ``q``
built like one candidate's learner shares that learner's view of the arms: comparing a VW bandit with a
LightGBM direct method by a DR whose ``q`` is VW favours VW. So by default ``q`` is the mean of both
learners' reward models (``Q_MODELS``): the Vowpal Wabbit ``--cb_adf`` regression (clip 1: a plain regression
of each logged round's scaled net reward on the context x arm features; VW's ``dm`` underfits at our learning
rates) and the LightGBM regression of ``policy_gbdt_train``. Rounds are split into folds by case; a round's
``q`` comes from models fitted on the other folds, so the DR correction term stays unbiased (no round predicts
itself).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from vowpalwabbit import pyvw

from riskloop.collection.gbdt_format import context_block, design, every_arm, fit_gbdt_spec
from riskloop.collection.ope import check_propensities
from riskloop.collection.policy import reward_scale
from riskloop.collection.policy_gbdt_train import GbdtConfig, fit_gbdt
from riskloop.collection.policy_train import TrainConfig, arm_index, fit_vw, net_reward_cents
from riskloop.collection.vw_format import ARM_LINES, example, fit_spec, shared_lines
from riskloop.errors import ValidationError

QConfig = TrainConfig | GbdtConfig
# The default reward models of DR, averaged: one of each learner, so that neither learner's view is favoured.
Q_MODELS: tuple[QConfig, ...] = (TrainConfig(clip_p=1.0), GbdtConfig())


def crossfit_q(
    logged: pd.DataFrame,
    rng: np.random.Generator,
    folds: int = 2,
    config: QConfig | Sequence[QConfig] | None = None,
) -> np.ndarray:
    """Every arm's expected net reward (cents) per logged round, each from models blind to the round's case.

    Parameters
    ----------
    logged
        Logged rounds: context columns plus ``action, time_window, propensity, amount_paid_cents``.
    rng
        Seeds the fold split and the learners.
    folds
        Number of case folds (at least 2).
    config
        The reward model(s): a VW ``TrainConfig``, a LightGBM ``GbdtConfig`` or several, whose predictions are
        averaged; ``Q_MODELS`` by default.

    Returns
    -------
    numpy.ndarray
        (rounds x arms) expected net recovery, cents, in ``ARM_KEYS`` order.

    """
    if folds < 2:
        raise ValidationError("folds", f"{folds}: cross-fitting needs at least 2 folds")
    models = Q_MODELS if config is None else (config,) if isinstance(config, QConfig) else tuple(config)
    if not models:
        raise ValidationError("config", "no reward model to cross-fit")
    cases = logged["case_id"].astype(str).to_numpy()
    unique = np.unique(cases)
    fold_of_case = dict(zip(unique, rng.permutation(len(unique)) % folds, strict=True))
    fold = np.array([fold_of_case[c] for c in cases])
    q = np.zeros((len(logged), len(ARM_LINES)))
    for f in range(folds):
        train, held = fold != f, fold == f
        if not held.any() or not train.any():
            continue
        for cfg in models:
            seed = int(rng.integers(0, 2**31 - 1))
            fit = _gbdt_q if isinstance(cfg, GbdtConfig) else _vw_q
            q[held] += fit(logged, train, held, cfg, seed) / len(models)  # type: ignore[arg-type]
    return q


def _scale(logged: pd.DataFrame, floor: float) -> np.ndarray:
    return reward_scale(logged["remaining_cents"].to_numpy(dtype="float64"), floor)


def _vw_q(logged: pd.DataFrame, train: np.ndarray, held: np.ndarray, cfg: TrainConfig, seed: int) -> np.ndarray:
    """The VW ``cb_adf`` regression fitted on the ``train`` rounds, every arm's net (cents) on the ``held`` ones."""
    scale = _scale(logged, cfg.scale_floor_cents)
    cost = -net_reward_cents(logged) / scale
    propensity = check_propensities(logged["propensity"].to_numpy())
    arms = arm_index(logged)
    shared = shared_lines(logged, fit_spec(logged[train], cfg.bins))
    idx = np.flatnonzero(train)
    vw = fit_vw(
        [shared[i] for i in idx],
        arms[idx],
        cost[idx],
        propensity[idx],
        args=cfg.vw_args(seed),
        passes=cfg.passes,
        seed=seed,
    )
    out: np.ndarray = -_predict(vw, [shared[i] for i in np.flatnonzero(held)]) * scale[held, None]
    vw.finish()
    return out


def _gbdt_q(logged: pd.DataFrame, train: np.ndarray, held: np.ndarray, cfg: GbdtConfig, seed: int) -> np.ndarray:
    """The LightGBM joint regression fitted on the ``train`` rounds, every arm's net (cents) on the ``held`` ones."""
    scale = _scale(logged, cfg.scale_floor_cents)
    propensity = check_propensities(logged["propensity"].to_numpy())
    spec = fit_gbdt_spec(logged[train])
    block = context_block(logged, spec)
    target = net_reward_cents(logged) / scale
    weight = np.minimum(1.0 / propensity, cfg.weight_cap)
    x = design(block[train], arm_index(logged)[train])
    booster = fit_gbdt(x, target[train], weight[train], spec, cfg=cfg, seed=seed)
    raw = np.asarray(booster.predict(every_arm(block[held]), raw_score=True), dtype="float64")
    q: np.ndarray = raw.reshape(int(held.sum()), len(ARM_LINES)) * scale[held, None]
    return q


def _predict(vw: pyvw.Workspace, shared: list[str]) -> np.ndarray:
    return np.array([vw.predict(example(line)) for line in shared], dtype="float64")
