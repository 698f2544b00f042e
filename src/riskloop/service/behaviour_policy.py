"""Proposing the behaviour score's cut-offs per warning level from a training period (a draft policy to approve).

The labelled snapshots of the training period are scored by the behaviour model and judged by the warning
policy without the score (an empty ``behaviour_pd`` never fires); ``monitoring.calibration`` picks the lowest
cut-offs that keep each level's false alarms within budget, and the reviewed reference rules with those
cut-offs become the proposed policy's content. It is authored as a draft version: it serves only once
submitted, approved by someone else and activated with four eyes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from riskloop.errors import ConfigError
from riskloop.monitoring.calibration import DEFAULT_BUDGETS, propose_cutoffs
from riskloop.monitoring.policy import RANKS, build_policy, policy_context, reviewed_rules
from riskloop.rules.engine import RuleEngine
from riskloop.scoring.behaviour import BehaviourModel


@dataclass(frozen=True)
class Calibration:
    """Proposed cut-offs, the training-period figures behind them and the policy content they give."""

    cutoffs: dict[str, float | None]
    figures: dict[str, Any]
    content: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (without the content)."""
        return {"cutoffs": dict(self.cutoffs), "training": self.figures}


def policy_ranks(rules: RuleEngine, key: str, rows: list[dict[str, Any]]) -> np.ndarray:
    """The rank (3 warning ... 0 none) the policy ``key`` gives each signals row."""
    out = np.zeros(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        outcome = rules.evaluate(key, policy_context(row))
        if outcome.error is not None:
            raise ConfigError(f"warning policy {key} failed on loan {row.get('loan_id')}: {outcome.error.message}")
        out[i] = RANKS.get(str(outcome.result.get("level")), 0)
    return out


def calibrate(
    labelled: pa.Table,
    model: BehaviourModel,
    rules: RuleEngine,
    base_key: str,
    budgets: Mapping[str, float] = DEFAULT_BUDGETS,
) -> Calibration:
    """Cut-offs for the behaviour rules on ``labelled`` snapshots (signals, history, ``bad``) of a training period.

    ``base_key`` is the policy judging the other rules (its behaviour rules stay silent: the rows carry no
    ``behaviour_pd``).
    """
    pd_ = model.score(labelled).pd
    bad = labelled["bad"].to_numpy()
    other = policy_ranks(rules, base_key, labelled.drop_columns(["bad"]).to_pylist())
    cutoffs = propose_cutoffs(pd_, bad, other, budgets)
    good = max(int((bad == 0).sum()), 1)
    figures: dict[str, Any] = {"loan_months": len(bad), "bad": int(bad.sum()), "budgets": dict(budgets)}
    for level, cut in cutoffs.items():
        alarm = other >= RANKS[level]
        with_score = alarm | (pd_ >= cut) if cut is not None else alarm
        figures[level] = {
            "false_alarms_per_1000_without_score": round(1000 * float((alarm & (bad == 0)).sum()) / good, 1),
            "false_alarms_per_1000": round(1000 * float((with_score & (bad == 0)).sum()) / good, 1),
            "bad_caught_without_score": round(float(alarm[bad == 1].mean()) if bad.any() else 0.0, 3),
            "bad_caught": round(float(with_score[bad == 1].mean()) if bad.any() else 0.0, 3),
        }
    kept = {k: v for k, v in cutoffs.items() if v is not None}
    return Calibration(cutoffs, figures, build_policy(rules=reviewed_rules(kept)))
