"""The model-monitoring thresholds: a JDM decision table (run by zen-engine) from a monitored figure to a level.

A bank tunes when a drifting or decaying model raises an alert like any other policy: as versions of the strategy
``model-monitoring`` (draft → submitted → approved → active, four eyes, audited). The table ``thresholds``
(first hit, so rows go from the highest level down) takes ``metric`` and its ``value`` and outputs ``rule``,
``level`` (``warning`` 预警, ``attention`` 关注 or ``notice`` 提示) and the ``threshold`` crossed; no row matching
means no alert. The metrics (``service.model_monitoring``):

- ``score_psi``: PSI of the PD of recent decisions against the training sample;
- ``input_psi``: the largest PSI of a model input;
- ``auc_drop`` / ``ks_drop``: the training baseline's AUC / KS minus those of the matured vintages;
- ``calibration_ratio``: observed over predicted bad rate of the matured vintages (1 = calibrated).

The reference table is built here from ``REFERENCE_ROWS`` and shipped as
``rules/strategies/model-monitoring-v1.json`` (a test checks they agree).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.errors import ConfigError
from riskloop.rules.jdm import single_table

MODEL_POLICY = "model-monitoring"
MODEL_POLICY_VERSION = 1
METRICS = ("score_psi", "input_psi", "auc_drop", "ks_drop", "calibration_ratio")
LEVELS = ("warning", "attention", "notice")


@dataclass(frozen=True)
class Threshold:
    """One row: ``metric`` compared by ``op`` (``>=`` or ``<=``) with ``value`` raises ``level``."""

    rule: str
    metric: str
    op: str
    value: float
    level: str
    why: str


REFERENCE_ROWS: tuple[Threshold, ...] = (
    Threshold("M1", "score_psi", ">=", 0.25, "warning", "评分分布显著偏移 score population shifted (PSI >= 0.25)"),
    Threshold("M2", "score_psi", ">=", 0.1, "attention", "评分分布偏移 score population shifting (PSI >= 0.1)"),
    Threshold("M3", "input_psi", ">=", 0.25, "attention", "入模变量显著偏移 a model input shifted (PSI >= 0.25)"),
    Threshold("M4", "input_psi", ">=", 0.1, "notice", "入模变量偏移 a model input shifting (PSI >= 0.1)"),
    Threshold("M5", "auc_drop", ">=", 0.05, "warning", "区分能力明显下降 AUC down 0.05 or more from training"),
    Threshold("M6", "auc_drop", ">=", 0.03, "attention", "区分能力下降 AUC down 0.03 or more from training"),
    Threshold("M7", "ks_drop", ">=", 0.08, "attention", "KS下降 KS down 0.08 or more from training"),
    Threshold("M8", "calibration_ratio", ">=", 1.5, "warning", "实际坏账率远高于预测 observed bad rate 1.5x predicted"),
    Threshold("M9", "calibration_ratio", ">=", 1.25, "attention", "实际坏账率高于预测 observed 1.25x predicted"),
    Threshold("M10", "calibration_ratio", "<=", 0.6, "attention", "预测显著偏高 observed below 0.6x predicted"),
    Threshold("M11", "calibration_ratio", "<=", 0.8, "notice", "预测偏高 observed below 0.8x predicted"),
)


def build_model_policy(rows: Sequence[Threshold] = REFERENCE_ROWS) -> str:
    """The JDM JSON of a model-monitoring threshold table (the reference one by default), formatted as shipped."""
    inputs = [{"id": "t_i0", "name": "Metric", "field": "metric"}, {"id": "t_i1", "name": "Value", "field": "value"}]
    outputs = [
        {"id": "t_o0", "name": "Rule", "field": "rule"},
        {"id": "t_o1", "name": "Level", "field": "level"},
        {"id": "t_o2", "name": "Threshold", "field": "threshold"},
    ]
    rules = [
        {
            "_id": r.rule,
            "_description": r.why,
            "t_i0": f"'{r.metric}'",
            "t_i1": f"{r.op} {r.value!r}",
            "t_o0": f"'{r.rule}'",
            "t_o1": f"'{r.level}'",
            "t_o2": repr(r.value),
        }
        for r in rows
    ]
    return single_table("thresholds", "first", inputs, outputs, rules)


@dataclass(frozen=True)
class Crossed:
    """A threshold a figure crossed: the rule, its level and the threshold."""

    rule: str
    level: str
    threshold: float


def read_crossed(key: str, metric: str, result: Mapping[str, Any]) -> Crossed | None:
    """What the policy ``key`` said of ``metric`` (None: no row matched); ConfigError naming a bad output."""
    if not result or result.get("level") in {None, "", "none"}:
        return None
    level, threshold = result.get("level"), result.get("threshold")
    if level not in LEVELS:
        raise ConfigError(f"model-monitoring policy {key}: level for {metric} must be one of {', '.join(LEVELS)}")
    if not isinstance(threshold, int | float) or isinstance(threshold, bool) or not math.isfinite(threshold):
        raise ConfigError(f"model-monitoring policy {key}: threshold for {metric} must be a number")
    return Crossed(str(result.get("rule") or ""), str(level), float(threshold))
