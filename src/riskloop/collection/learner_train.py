"""Choose the collection policy's learner by off-policy evaluation on a later validation fold, never by truth.

The candidates are learners and their settings alike: the VW bandit at several importance-weight clips and the
LightGBM direct method (``CANDIDATES``). Each trains on the earlier cases of the training rounds; its greedy
policy's doubly robust value is estimated on the later cases, and the highest wins. The figures of every
candidate are kept in the chosen policy's ``policy.json`` (``selection``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskloop.collection.ope import Logged, check_propensities, evaluate
from riskloop.collection.ope_model import crossfit_q
from riskloop.collection.policy import greedy_pmf, load_policy
from riskloop.collection.policy_gbdt_train import GbdtConfig, train_gbdt_policy
from riskloop.collection.policy_train import TrainConfig, arm_index, net_reward_cents, train_policy
from riskloop.errors import ValidationError

LearnerConfig = TrainConfig | GbdtConfig
# The VW bandit's importance-weight clips: 1.0 a plain regression of the logged arm, 0.0 full inverse weights.
CLIPS = (1.0, 0.2, 0.0)


def candidates(epsilon: float) -> list[LearnerConfig]:
    """The default candidates: the VW bandit at every clip of ``CLIPS`` and the LightGBM direct method (joint)."""
    vw: list[LearnerConfig] = [TrainConfig(epsilon=epsilon, clip_p=c) for c in CLIPS]
    return [*vw, GbdtConfig(epsilon=epsilon)]


def train_learner(
    logged: pd.DataFrame,
    out_dir: Path,
    rng: np.random.Generator,
    config: LearnerConfig,
    *,
    version: str = "1",
    selection: list[dict[str, Any]] | None = None,
) -> Path:
    """Train the policy ``config`` describes (either learner) and write its artifact to ``out_dir``."""
    if isinstance(config, GbdtConfig):
        return train_gbdt_policy(logged, out_dir, rng, config, version=version, selection=selection)
    return train_policy(logged, out_dir, rng, config, version=version, selection=selection)


def split_validation(logged: pd.DataFrame, share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Earlier cases to fit on, the latest ``share`` of cases (by first round) to validate on."""
    if not 0.0 < share < 1.0:
        raise ValidationError("validation_share", f"{share}: strictly between 0 and 1")
    first = logged.groupby("case_id")["acted_at"].min().sort_values()
    late = set(first.index[int(len(first) * (1 - share)) :])
    is_val = logged["case_id"].isin(late).to_numpy()
    return logged[~is_val].reset_index(drop=True), logged[is_val].reset_index(drop=True)


def select_learner(
    logged: pd.DataFrame,
    options: Sequence[LearnerConfig],
    rng: np.random.Generator,
    validation_share: float = 0.25,
    q_config: Sequence[LearnerConfig] | None = None,
) -> tuple[LearnerConfig, list[dict[str, Any]]]:
    """The candidate whose greedy policy has the best pessimistic doubly robust value on a later validation fold.

    Cases are ordered by their first round; the last ``validation_share`` of them is the validation fold. Every
    candidate trains on the earlier cases; its greedy policy is evaluated off-policy (DR, with a reward model
    cross-fitted on the validation fold, the mean of a VW and a LightGBM regression) on the validation rounds.
    The choice is the highest lower bound, DR value less one standard error: with a few thousand validation
    rounds the estimates' errors are as wide as the gaps between learners, and a candidate whose value is as
    high but less certain is the riskier one to put live (pessimism in off-policy selection). Only logged data
    is read, never truth. ``q_config`` replaces DR's reward models (``ope_model.Q_MODELS``).

    Returns
    -------
    tuple
        The chosen config and, per candidate, its learner, config, DR value per round (cents) and standard error.

    """
    if not options:
        raise ValidationError("candidates", "no candidate learner to choose from")
    fit, val = split_validation(logged, validation_share)
    if fit.empty or val.empty:
        raise ValidationError("logged", "too few cases to split into a fitting and a validation fold")
    q = crossfit_q(val, rng, folds=2, config=q_config)  # by default both learners' models: neither is favoured
    lg = Logged(arm_index(val), check_propensities(val["propensity"].to_numpy()), net_reward_cents(val), q)
    scores: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, cfg in enumerate(options):
            entry: dict[str, Any] = {"learner": cfg.learner, "config": asdict(cfg)}
            try:
                policy = load_policy(train_learner(fit, Path(tmp) / str(i), rng, cfg))
            except ValidationError as exc:  # e.g. an arm never logged in the fitting fold: out of the running
                scores.append({**entry, "dr_value": float("-inf"), "dr_se": float("nan"), "refused": str(exc)})
                continue
            dr = evaluate(greedy_pmf(policy.expected_net(val), 0.0), lg).dr
            assert dr is not None  # q was given
            scores.append({**entry, "dr_value": dr.value, "dr_se": dr.se})
    if all(s["dr_value"] == float("-inf") for s in scores):
        raise ValidationError("candidates", f"no candidate could be trained ({scores[0]['refused']})")
    for s in scores:
        s["dr_lower"] = s["dr_value"] - (s["dr_se"] if np.isfinite(s["dr_se"]) else 0.0)
    best = int(np.argmax([s["dr_lower"] for s in scores]))
    return options[best], scores
