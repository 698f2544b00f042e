"""The design matrix of the GBDT reward model: one row per (round, arm), context facts beside the arm's.

Two shapes (``GbdtSpec.per_arm``): one joint model whose rows carry the arm's codes, or one model per arm over
the context facts alone (each arm's value found apart: an interaction of two facts that matters for one arm
only, which greedy splits of a joint model can miss, is then a plain split). Off-policy selection picks.

Numeric facts go in as they are (NaN when missing: the trees learn where a missing value goes); each
categorical fact and the arm's action and window go in as integer codes of a vocabulary fixed at training and
kept in ``policy.json`` (an unseen or missing category is NaN, LightGBM's "missing"). The codes are declared
categorical to LightGBM, so a split can group any actions or provinces together, and a tree that splits on the
action and window under a context split is a per-arm interaction the model found itself. No arm-key column: it
is redundant with the action and window (two splits name any arm), and a many-level categorical is where the
greedy categorical split overfits (held-out error on the validation fold: no better with it, on either universe).
The column order is the model's: ``policy.json`` keeps the categories as an ordered list, and serving checks
the names against the model file's.
Pure numpy/pandas; read by training and serving alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskloop.collection.facts import CATEGORICAL
from riskloop.collection.vw_format import NUMERIC_FEATURES
from riskloop.domain.collection import ACTIONS, ARM_KEYS, WINDOWS, parse_arm
from riskloop.errors import ConfigError, ValidationError

ARM_COLUMNS = ("arm_action", "arm_window")
_PARSED = [parse_arm(k) for k in ARM_KEYS]
# Per arm index, its codes in the fixed vocabularies of the domain (ACTIONS, WINDOWS).
_ARM_CODES = np.array([[ACTIONS.index(a.action), WINDOWS.index(a.window)] for a in _PARSED], dtype="float64")


@dataclass(frozen=True)
class GbdtSpec:
    """The facts the reward model reads: numeric columns and each categorical column's vocabulary."""

    numeric: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    per_arm: bool = False

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Column names of the design matrix, in order (no arm columns in a per-arm model)."""
        arm = () if self.per_arm else ARM_COLUMNS
        return (*self.numeric, *self.categories, *arm)

    @property
    def categorical_indices(self) -> tuple[int, ...]:
        """Positions of the categorical columns (context and arm) in the design matrix."""
        start = len(self.numeric)
        return tuple(range(start, len(self.feature_names)))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``policy.json``: categories as an ordered list, as a JSON object's keys may be sorted."""
        cats = [[k, list(v)] for k, v in self.categories.items()]
        return {"numeric": list(self.numeric), "categories": cats, "per_arm": self.per_arm}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> GbdtSpec:
        """Read the spec back; a malformed one is a ConfigError naming ``gbdt_spec``."""
        try:
            cats = raw["categories"]
            pairs = cats.items() if isinstance(cats, dict) else cats
            return cls(
                tuple(str(c) for c in raw["numeric"]),
                {str(k): tuple(str(x) for x in v) for k, v in pairs},
                bool(raw.get("per_arm", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"gbdt_spec: malformed ({exc})") from exc


def fit_gbdt_spec(contexts: pd.DataFrame, per_arm: bool = False) -> GbdtSpec:
    """The vocabulary of every categorical fact, as seen in the training contexts (sorted, missing left out)."""
    cats = {}
    for col in CATEGORICAL:
        cats[col] = tuple(sorted(contexts[col].dropna().astype(str).unique()))
    return GbdtSpec(NUMERIC_FEATURES, cats, per_arm)


def context_block(contexts: pd.DataFrame, spec: GbdtSpec) -> np.ndarray:
    """The context part of every round's rows (rounds x context features), categoricals as codes."""
    missing = [c for c in (*spec.numeric, *spec.categories) if c not in contexts.columns]
    if missing:
        raise ValidationError("contexts", f"missing context columns {', '.join(missing)}")
    cols = [contexts[c].to_numpy(dtype="float64", na_value=np.nan) for c in spec.numeric]
    for col, vocab in spec.categories.items():
        codes = pd.Index(vocab, dtype="string").get_indexer(pd.Index(contexts[col].astype("string")))
        cols.append(np.where(codes >= 0, codes, np.nan).astype("float64"))
    return np.column_stack(cols) if cols else np.empty((len(contexts), 0))


def design(block: np.ndarray, arms: np.ndarray) -> np.ndarray:
    """Rows of the context ``block`` each joined with the codes of its arm (an index into ``ARM_KEYS``)."""
    return np.hstack([block, _ARM_CODES[np.asarray(arms, dtype=np.intp)]])


def every_arm(block: np.ndarray) -> np.ndarray:
    """Each round's row once per arm, round-major: row ``i * K + k`` is round ``i`` with arm ``k``."""
    k = len(ARM_KEYS)
    return design(np.repeat(block, k, axis=0), np.tile(np.arange(k), len(block)))
