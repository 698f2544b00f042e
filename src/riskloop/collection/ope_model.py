"""The direct-method reward model of doubly robust evaluation, cross-fitted on folds of cases.

The policy's own learner (Vowpal Wabbit ``--cb_adf``: importance-weighted regression of each logged
round's scaled net reward on the context x arm features; VW's plain ``dm`` underfits at our learning
rates). Rounds are split into folds by case; a round's ``q`` comes from
the model fitted on the other folds, so the DR correction term stays unbiased (no round predicts itself).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from vowpalwabbit import pyvw

from riskloop.collection.ope import check_propensities
from riskloop.collection.policy import reward_scale
from riskloop.collection.policy_train import TrainConfig, arm_index, fit_vw, net_reward_cents
from riskloop.collection.vw_format import ARM_LINES, example, fit_spec, shared_lines
from riskloop.errors import ValidationError


def crossfit_q(
    logged: pd.DataFrame, rng: np.random.Generator, folds: int = 2, config: TrainConfig | None = None
) -> np.ndarray:
    """Every arm's expected net reward (cents) per logged round, each from a model blind to the round's case.

    Parameters
    ----------
    logged
        Logged rounds: context columns plus ``action, time_window, propensity, amount_paid_cents``.
    rng
        Seeds the fold split and the learners.
    folds
        Number of case folds (at least 2).
    config
        Featurisation and learner settings (the policy's, by default).

    Returns
    -------
    numpy.ndarray
        (rounds x arms) expected net recovery, cents, in ``ARM_KEYS`` order.

    """
    if folds < 2:
        raise ValidationError("folds", f"{folds}: cross-fitting needs at least 2 folds")
    cfg = config or TrainConfig()
    cases = logged["case_id"].astype(str).to_numpy()
    unique = np.unique(cases)
    fold_of_case = dict(zip(unique, rng.permutation(len(unique)) % folds, strict=True))
    fold = np.array([fold_of_case[c] for c in cases])
    arms = arm_index(logged)
    scale = reward_scale(logged["remaining_cents"].to_numpy(dtype="float64"), cfg.scale_floor_cents)
    cost = -net_reward_cents(logged) / scale
    propensity = check_propensities(logged["propensity"].to_numpy())
    q = np.empty((len(logged), len(ARM_LINES)))
    for f in range(folds):
        train, held = fold != f, fold == f
        if not held.any() or not train.any():
            continue
        spec = fit_spec(logged[train], cfg.bins)
        shared = shared_lines(logged, spec)
        seed = int(rng.integers(0, 2**31 - 1))
        args = cfg.vw_args(seed)
        idx = np.flatnonzero(train)
        vw = fit_vw(
            [shared[i] for i in idx], arms[idx], cost[idx], propensity[idx], args=args, passes=cfg.passes, seed=seed
        )
        q[held] = -_predict(vw, [shared[i] for i in np.flatnonzero(held)]) * scale[held, None]
        vw.finish()
    return q


def _predict(vw: pyvw.Workspace, shared: list[str]) -> np.ndarray:
    return np.array([vw.predict(example(line)) for line in shared], dtype="float64")
