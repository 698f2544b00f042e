"""The two reward models a collection policy can serve, behind one interface: every arm's scaled net reward.

- ``vw-cb-adf``: a Vowpal Wabbit ``--cb_adf`` model (``model.vw``) whose scores are each arm's expected cost,
  i.e. minus the scaled net reward; context facts binned, context x arm interactions (``vw_format``).
- ``lightgbm-dm``: a LightGBM regression of the scaled net reward (the direct method) on context and arm
  (``model.lgb.txt``, one row per (round, arm)) or on the context per arm (``model-00.lgb.txt`` ... one model per
  arm in ``ARM_KEYS`` order; ``gbdt_format``), served through LightGBM's C library
  (``scoring.booster.NativeBooster``), never the ``lightgbm`` package; the trees' raw score is the reward.

Serving code: numpy, pandas, Vowpal Wabbit and ctypes only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from vowpalwabbit import pyvw

from riskloop.collection.gbdt_format import GbdtSpec, context_block, every_arm
from riskloop.collection.vw_format import ARM_LINES, FeatureSpec, example, shared_lines
from riskloop.domain.collection import ARM_KEYS
from riskloop.errors import ConfigError, ValidationError
from riskloop.scoring.booster import NativeBooster

VW_LEARNER, GBDT_LEARNER = "vw-cb-adf", "lightgbm-dm"
# The model file of each learner, beside policy.json in the artifact (a per-arm GBDT has ``arm_model_file``s).
MODEL_FILES = {VW_LEARNER: "model.vw", GBDT_LEARNER: "model.lgb.txt"}


def arm_model_file(arm: int) -> str:
    """The file of arm ``arm``'s model (its index in ``ARM_KEYS``) in a per-arm GBDT policy."""
    return f"model-{arm:02d}.lgb.txt"


def model_files(learner: str, meta: dict[str, Any]) -> tuple[str, ...]:
    """The model files a policy of ``learner`` with ``policy.json`` ``meta`` reads."""
    if learner == GBDT_LEARNER and meta.get("gbdt_spec", {}).get("per_arm"):
        return tuple(arm_model_file(k) for k in range(len(ARM_KEYS)))
    return (MODEL_FILES[learner],)


class ArmModel(Protocol):
    """What a policy needs of its learner: every arm's reward per round, and the facts it reads."""

    @property
    def categorical(self) -> tuple[str, ...]:
        """Categorical context facts read (ablated to missing when explaining a choice)."""
        ...

    @property
    def numeric(self) -> tuple[str, ...]:
        """Numeric context facts read."""
        ...

    def rewards(self, contexts: pd.DataFrame) -> np.ndarray:
        """Expected net reward over the round's reward scale, every arm (rows: rounds, columns: ``ARM_KEYS``)."""
        ...


class VwArmModel:
    """A Vowpal Wabbit ``cb_adf`` model: reward = minus its predicted cost."""

    def __init__(self, vw: pyvw.Workspace, spec: FeatureSpec) -> None:
        self.vw, self.spec = vw, spec

    @property
    def categorical(self) -> tuple[str, ...]:
        """Categorical context facts read."""
        return self.spec.categorical

    @property
    def numeric(self) -> tuple[str, ...]:
        """Numeric context facts read (binned)."""
        return tuple(self.spec.edges)

    def rewards(self, contexts: pd.DataFrame) -> np.ndarray:
        """Minus VW's cost of every arm per round."""
        shared = shared_lines(contexts, self.spec)
        out = np.empty((len(shared), len(ARM_LINES)))
        for i, line in enumerate(shared):
            out[i] = self.vw.predict(example(line))
        return -out


class GbdtArmModel:
    """LightGBM reward regressions evaluated by LightGBM's C library: one joint booster, or one per arm."""

    def __init__(self, boosters: list[NativeBooster], spec: GbdtSpec) -> None:
        if len(boosters) != (len(ARM_KEYS) if spec.per_arm else 1):
            raise ConfigError(f"gbdt_spec: {len(boosters)} models for per_arm={spec.per_arm}")
        for booster in boosters:
            # The design matrix is positional: columns in another order than the model's would score silently wrong.
            if booster.feature_names != spec.feature_names:
                raise ConfigError(
                    f"gbdt_spec: features {', '.join(spec.feature_names)} but the model reads "
                    f"{', '.join(booster.feature_names)}"
                )
        self.boosters, self.spec = boosters, spec

    @property
    def categorical(self) -> tuple[str, ...]:
        """Categorical context facts read."""
        return tuple(self.spec.categories)

    @property
    def numeric(self) -> tuple[str, ...]:
        """Numeric context facts read."""
        return self.spec.numeric

    def rewards(self, contexts: pd.DataFrame) -> np.ndarray:
        """The trees' raw score of every (round, arm) row."""
        block = context_block(contexts, self.spec)
        if not len(block):
            return np.empty((0, len(ARM_KEYS)))
        if self.spec.per_arm:
            return np.column_stack([b.raw_scores(block) for b in self.boosters])
        return self.boosters[0].raw_scores(every_arm(block)).reshape(len(block), len(ARM_KEYS))


def load_arm_model(learner: str, meta: dict[str, Any], folder: Path) -> ArmModel:
    """The reward model in ``folder`` whose ``policy.json`` is ``meta`` (files already sha256-checked)."""
    if learner == VW_LEARNER:
        spec = FeatureSpec.from_json(meta.get("feature_spec", {}))
        return VwArmModel(pyvw.Workspace(f"--quiet -i {folder / MODEL_FILES[VW_LEARNER]}"), spec)
    if learner == GBDT_LEARNER:
        gspec = GbdtSpec.from_json(meta.get("gbdt_spec", {}))
        return GbdtArmModel([_booster(folder / name) for name in model_files(learner, meta)], gspec)
    raise ConfigError(f"learner: unknown {learner!r}; valid: {', '.join(MODEL_FILES)}")


def _booster(path: Path) -> NativeBooster:
    try:
        return NativeBooster(path.read_text(encoding="utf-8"), path.name)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a LightGBM model ({exc})") from exc
