"""The collection policy served: load a sha256-checked artifact, choose an arm per round with bounded exploration.

An artifact is a directory of two files: the reward model of its learner (``policy.json``'s ``learner``:
``vw-cb-adf``, a Vowpal Wabbit ``--cb_adf`` model in ``model.vw``, or ``lightgbm-dm``, a LightGBM direct-method
regression in ``model.lgb.txt``; ``arm_models``), which scores every arm's net recovery over the round's reward
scale, and ``policy.json`` (learner, version, arms, feature spec, epsilon, reward scale, training figures, the
learners compared when it was chosen and the sha256 of the model file). Both learners serve through one ``Policy``.
Exploration is epsilon-greedy: the greedy arm gets ``1 - epsilon + epsilon/K``, every other ``epsilon/K``, so
every choice is logged with an exact propensity and any later policy can be evaluated off-policy. Epsilon is
bounded by ``MAX_EPSILON``. Serving code: numpy, pandas, Vowpal Wabbit and LightGBM's C library only.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskloop.collection.arm_models import MODEL_FILES, VW_LEARNER, ArmModel, load_arm_model, model_files
from riskloop.domain.collection import ARM_KEYS, parse_arm
from riskloop.errors import ConfigError, ValidationError

MODEL_FILE, POLICY_FILE = MODEL_FILES[VW_LEARNER], "policy.json"
# A live policy explores at most this much: beyond it the bank pays too much for learning.
MAX_EPSILON = 0.2


def reward_scale(remaining_cents: np.ndarray, floor_cents: float) -> np.ndarray:
    """The divisor of a round's net recovery: the amount still overdue, at least ``floor_cents``.

    Dividing by a fact of the context keeps every arm's ranking within a round and puts rounds of small and
    large debts on one scale for the learner.
    """
    values = np.nan_to_num(remaining_cents.astype("float64"), nan=floor_cents)
    out: np.ndarray = np.maximum(values, floor_cents)
    return out


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_epsilon(epsilon: float, field: str = "epsilon") -> float:
    """``epsilon`` if it lies in [0, MAX_EPSILON]; a ValidationError naming ``field`` otherwise."""
    if not 0.0 <= epsilon <= MAX_EPSILON:
        raise ValidationError(field, f"{epsilon} outside [0, {MAX_EPSILON}]: exploration is bounded")
    return epsilon


@dataclass
class Policy:
    """A loaded collection policy: scores every arm of a round, chooses one with its propensity."""

    version: str
    epsilon: float
    learner: str
    scale_floor_cents: float
    training: dict[str, Any]
    _model: ArmModel

    @property
    def arms(self) -> tuple[str, ...]:
        """The arm keys, in the order of every pmf and score column."""
        return ARM_KEYS

    def expected_net(self, contexts: pd.DataFrame) -> np.ndarray:
        """Expected recovery net of cost, cents, of every arm (rows: rounds, columns: ``arms``)."""
        rewards = self._model.rewards(contexts)
        scale = reward_scale(contexts["remaining_cents"].to_numpy(dtype="float64"), self.scale_floor_cents)
        net: np.ndarray = rewards * scale[:, None]
        return net

    def pmf(self, contexts: pd.DataFrame, epsilon: float | None = None) -> np.ndarray:
        """The probability of every arm per round: epsilon-greedy around the best expected net."""
        eps = self.epsilon if epsilon is None else check_epsilon(epsilon)
        return greedy_pmf(self.expected_net(contexts), eps)

    def choose(
        self, contexts: pd.DataFrame, rng: np.random.Generator, epsilon: float | None = None, reasons: bool = True
    ) -> pd.DataFrame:
        """Choose an arm for every round (one row of ``contexts`` each); deterministic given ``rng``.

        Returns
        -------
        pandas.DataFrame
            ``case_id, round_no, arm, action, window, channel, propensity`` (the probability the chosen arm had),
            ``pmf`` and ``expected_net_cents`` (lists in ``arms`` order) and ``reasons`` (short strings).

        """
        eps = self.epsilon if epsilon is None else check_epsilon(epsilon)
        net = self.expected_net(contexts)
        pmf = greedy_pmf(net, eps)
        chosen = sample(pmf, rng)
        arms = [parse_arm(ARM_KEYS[i]) for i in chosen]
        drivers = self._drivers(contexts, net) if reasons else [[] for _ in chosen]
        return pd.DataFrame(
            {
                "case_id": contexts["case_id"].to_numpy(),
                "round_no": contexts["round_no"].to_numpy(),
                "arm": [a.key for a in arms],
                "action": [a.action for a in arms],
                "window": [a.window for a in arms],
                "channel": [a.channel for a in arms],
                "propensity": pmf[np.arange(len(chosen)), chosen],
                "pmf": [row.tolist() for row in pmf],
                "expected_net_cents": [row.tolist() for row in net],
                "reasons": [_reasons(row, d, eps) for row, d in zip(net, drivers, strict=True)],
            }
        )

    def _drivers(self, contexts: pd.DataFrame, net: np.ndarray) -> list[list[str]]:
        """The context facts that most favour each round's best arm over its runner-up (ablation: fact -> na)."""
        order = np.argsort(-net, axis=1)
        best, second = order[:, 0], order[:, 1]
        rows = np.arange(len(net))
        margin = net[rows, best] - net[rows, second]
        effects = []
        categorical = self._model.categorical
        names = [*categorical, *self._model.numeric]
        for col in names:
            ablated = contexts.copy()
            ablated[col] = pd.NA if col in categorical else np.nan
            alt = self.expected_net(ablated)
            effects.append(margin - (alt[rows, best] - alt[rows, second]))
        top = np.argsort(-np.column_stack(effects), axis=1)[:, :3]
        return [[_fact(contexts.iloc[i], names[j]) for j in top[i]] for i in range(len(net))]


def _fact(row: pd.Series, name: str) -> str:
    """A context fact as a collector reads it: amounts in yuan, other numbers to four significant digits."""
    value = row[name]
    if name.endswith("_cents") and isinstance(value, int | float) and math.isfinite(value):
        return f"{name.removesuffix('_cents')}={value / 100:,.0f} yuan"
    if isinstance(value, float):
        return f"{name}={value:.4g}"
    return f"{name}={value}"


def _reasons(net: np.ndarray, drivers: list[str], epsilon: float) -> list[str]:
    order = np.argsort(-net)[:3]
    top = [f"{ARM_KEYS[i]}: expected net {net[i] / 100:.2f} yuan" for i in order]
    lead = [f"favoured by {', '.join(drivers)}"] if drivers else []
    return [*top, *lead, f"exploration epsilon {epsilon:g}"]


def greedy_pmf(net: np.ndarray, epsilon: float) -> np.ndarray:
    """Epsilon-greedy probabilities over the columns of ``net`` (ties go to the first arm)."""
    k = net.shape[1]
    pmf = np.full(net.shape, epsilon / k)
    pmf[np.arange(len(net)), np.argmax(net, axis=1)] += 1.0 - epsilon
    return pmf


def sample(pmf: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One column index per row drawn from its pmf."""
    cum = np.cumsum(pmf, axis=1)
    u = rng.random(len(pmf)) * cum[:, -1]
    drawn: np.ndarray = np.minimum((cum < u[:, None]).sum(axis=1), pmf.shape[1] - 1)
    return drawn


def load_policy(folder: Path) -> Policy:
    """Load a policy artifact, checking its model file against the sha256 in ``policy.json``.

    ``policy.json``'s ``learner`` names the reward model (``vw-cb-adf`` when absent: artifacts written before
    there were two learners); either serves through the same ``Policy``.

    Raises
    ------
    ConfigError
        A missing or malformed ``policy.json``, an unknown learner, a model file whose sha256 differs (naming
        the file), arms that are not today's ``ARM_KEYS``, or an epsilon above ``MAX_EPSILON``.

    """
    meta_path = folder / POLICY_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{meta_path}: cannot read the policy ({exc})") from exc
    learner = str(meta.get("learner", VW_LEARNER))
    if learner not in MODEL_FILES:
        raise ConfigError(f"{meta_path}: learner: unknown {learner!r}; valid: {', '.join(MODEL_FILES)}")
    for name in model_files(learner, meta):
        model_path = folder / name
        if not model_path.is_file() or file_sha256(model_path) != meta.get("sha256", {}).get(name):
            raise ConfigError(f"{model_path}: sha256 differs from {POLICY_FILE} (or the file is missing)")
    if tuple(meta.get("arms", ())) != ARM_KEYS:
        raise ConfigError(f"{meta_path}: arms: the artifact's arms differ from today's ({', '.join(ARM_KEYS)})")
    try:
        epsilon = check_epsilon(float(meta["epsilon"]))
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise ConfigError(f"{meta_path}: epsilon: {exc}") from exc
    return Policy(
        str(meta["version"]),
        epsilon,
        learner,
        float(meta["scale_floor_cents"]),
        dict(meta.get("training", {})),
        load_arm_model(learner, meta, folder),
    )
