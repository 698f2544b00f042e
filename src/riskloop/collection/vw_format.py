"""Vowpal Wabbit text of collection rounds: a feature spec, the shared (context) line and the arms' lines.

A round is a multi-line example: one ``shared`` line of context features, then one line per arm in ``ARMS``
order. Context features go to two namespaces, ``k`` (categorical facts: kind, industry, province, last action,
abnormal listing) and ``n`` (each numeric fact as its quantile bin, so the bandit's linear model can bend);
the arm's line (namespace ``a``) names the action, the window, the channel and the arm itself. The quadratic
interactions ``k x a`` and ``n x a`` are what let the value of an arm depend on the case.
Pure numpy/pandas; read by training and serving alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskloop.collection.facts import CATEGORICAL, NUMERIC
from riskloop.domain.collection import ARMS, Arm
from riskloop.errors import ConfigError, ValidationError

# The numeric facts the policy bins, round number first (it is a column of the context frame, not a feature).
NUMERIC_FEATURES = ("round_no", *NUMERIC)
# Interactions of the context namespaces with the arm's (VW ``--interactions``).
INTERACTIONS = ("ka", "na")
_UNSAFE = re.compile(r"[\s:|]")


@dataclass(frozen=True)
class FeatureSpec:
    """Which context facts the policy reads and the bin edges of each numeric one (fixed at training)."""

    categorical: tuple[str, ...]
    edges: dict[str, tuple[float, ...]]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``policy.json``."""
        return {"categorical": list(self.categorical), "edges": {k: list(v) for k, v in self.edges.items()}}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FeatureSpec:
        """Read the spec back; a malformed one is a ConfigError naming ``feature_spec``."""
        try:
            return cls(
                tuple(str(c) for c in raw["categorical"]),
                {str(k): tuple(float(x) for x in v) for k, v in raw["edges"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"feature_spec: malformed ({exc})") from exc


def fit_spec(contexts: pd.DataFrame, bins: int = 8) -> FeatureSpec:
    """Quantile bin edges of every numeric fact, from the training contexts (at most ``bins`` bins each)."""
    edges: dict[str, tuple[float, ...]] = {}
    qs = np.linspace(0, 1, bins + 1)[1:-1]
    for col in NUMERIC_FEATURES:
        values = contexts[col].to_numpy(dtype="float64", na_value=np.nan)
        values = values[np.isfinite(values)]
        edges[col] = tuple(float(x) for x in np.unique(np.quantile(values, qs))) if values.size else ()
    return FeatureSpec(CATEGORICAL, edges)


def shared_lines(contexts: pd.DataFrame, spec: FeatureSpec) -> list[str]:
    """The ``shared`` line of every round, in row order."""
    missing = [c for c in (*spec.categorical, *spec.edges) if c not in contexts.columns]
    if missing:
        raise ValidationError("contexts", f"missing context columns {', '.join(missing)}")
    parts: list[pd.Series] = []
    for col in spec.categorical:
        values = contexts[col].astype("string").fillna("na").str.replace(_UNSAFE, "_", regex=True)
        parts.append(col + "=" + values)
    k = _join(parts)
    parts = []
    for col, edges in spec.edges.items():
        raw = contexts[col].to_numpy(dtype="float64", na_value=np.nan)
        bins = np.searchsorted(np.asarray(edges, dtype="float64"), raw, side="right").astype(str)
        parts.append(pd.Series(np.where(np.isfinite(raw), col + "=b" + bins.astype(object), col + "=na")))
    n = _join(parts)
    return list("shared |k " + k + " |n " + n)


def _join(parts: list[pd.Series]) -> pd.Series:
    out = parts[0].reset_index(drop=True).astype(str)
    for part in parts[1:]:
        out = out + " " + part.reset_index(drop=True).astype(str)
    return out


def arm_line(arm: Arm) -> str:
    """An arm's features (namespace ``a``)."""
    return f"|a act={arm.action} win={arm.window} ch={arm.channel} arm={arm.key}"


ARM_LINES = tuple(arm_line(a) for a in ARMS)


def example(shared: str, chosen: int | None = None, cost: float = 0.0, propensity: float = 1.0) -> list[str]:
    """A round's multi-line example; with ``chosen``, the logged arm's line carries the label ``0:cost:p``."""
    lines = [shared]
    for i, line in enumerate(ARM_LINES):
        lines.append(f"0:{cost:.6g}:{propensity:.6g} {line}" if i == chosen else line)
    return lines
