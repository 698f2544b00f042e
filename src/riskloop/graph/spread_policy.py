"""The propagation policy: a JDM decision table (run by zen-engine) giving how far a warning spreads by its level.

A bank tunes how far a post-loan warning travels over the enterprise graph like any other policy: as versions of
the strategy ``warning-propagation`` (draft → submitted → approved → active, four eyes, audited). The table
``spread`` (first hit) takes ``source_level`` (the level of the direct alert: ``warning``, ``attention`` or
``notice``) and outputs the caps of ``graph.warning_spread.SpreadRules``: ``max_steps`` (0 = does not spread),
``max_fanout``, ``max_person_firms`` and ``main_counterparty_share``. Levels still decay one level a step, so a
notice never reaches anyone whatever its row says. The reference policy is built here from ``REFERENCE_ROWS``
and shipped as ``rules/strategies/warning-propagation-v1.json`` (a test checks they agree).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.errors import ConfigError
from riskloop.graph.warning_spread import SpreadRules
from riskloop.rules.jdm import single_table

PROPAGATION_POLICY = "warning-propagation"
PROPAGATION_VERSION = 1
SOURCE_LEVELS = ("warning", "attention", "notice")
_CAPS = ("max_steps", "max_fanout", "max_person_firms")  # whole numbers >= 0 (max_person_firms >= 1)


@dataclass(frozen=True)
class SpreadRow:
    """One row of the table: the caps of warnings of ``level`` (empty = any level)."""

    rule: str
    level: str
    max_steps: int
    max_fanout: int
    max_person_firms: int
    main_counterparty_share: float
    why: str


REFERENCE_ROWS: tuple[SpreadRow, ...] = (
    SpreadRow("P1", "warning", 2, 20, 20, 0.2, "预警传导两步：担保人、股东、同一法人、主要交易对手及其关联 two steps"),
    SpreadRow("P2", "attention", 1, 20, 20, 0.2, "关注只传导一步（降为提示） attention spreads one step, as a notice"),
    SpreadRow("P3", "", 0, 0, 20, 0.2, "提示不传导 notices do not spread"),
)


def build_propagation_policy(rows: Sequence[SpreadRow] = REFERENCE_ROWS) -> str:
    """The JDM JSON of a propagation policy (the reference one by default), formatted as shipped."""
    outputs = [
        {"id": "s_o0", "name": "Max steps", "field": "max_steps"},
        {"id": "s_o1", "name": "Max fan-out", "field": "max_fanout"},
        {"id": "s_o2", "name": "Max firms of a person", "field": "max_person_firms"},
        {"id": "s_o3", "name": "Main counterparty share", "field": "main_counterparty_share"},
        {"id": "s_o4", "name": "Rule", "field": "rule"},
    ]
    rules = [
        {
            "_id": r.rule,
            "_description": r.why,
            "s_i0": f"'{r.level}'" if r.level else "",
            "s_o0": str(r.max_steps),
            "s_o1": str(r.max_fanout),
            "s_o2": str(r.max_person_firms),
            "s_o3": repr(r.main_counterparty_share),
            "s_o4": f"'{r.rule}'",
        }
        for r in rows
    ]
    inputs = [{"id": "s_i0", "name": "Source level", "field": "source_level"}]
    return single_table("spread", "first", inputs, outputs, rules)


def read_spread_rules(key: str, level: str, result: Mapping[str, Any]) -> SpreadRules:
    """The caps the policy ``key`` gave for ``level``; ConfigError naming the output and the problem if unusable.

    A level no row matches does not spread (``max_steps`` 0): a policy that forgets a level stops it rather than
    spreading it by some default.
    """
    if not result:
        return SpreadRules(max_steps=0)
    caps: dict[str, Any] = {}
    for name in _CAPS:
        value = result.get(name)
        floor = 1 if name == "max_person_firms" else 0
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < floor:
            raise ConfigError(
                f"propagation policy {key}: {name} for {level} must be a whole number >= {floor} (got {value!r})"
            )
        caps[name] = value
    share = result.get("main_counterparty_share")
    if not isinstance(share, int | float) or isinstance(share, bool) or not math.isfinite(share) or not 0 < share <= 1:
        raise ConfigError(
            f"propagation policy {key}: main_counterparty_share for {level} must be in (0, 1] (got {share!r})"
        )
    return SpreadRules(main_counterparty_share=float(share), **caps)
