"""The propagation policy: shipped as built, read into the caps of each source level, bad outputs refused."""

from __future__ import annotations

from importlib import resources

import pytest

from riskloop.errors import ConfigError
from riskloop.graph.spread_policy import (
    PROPAGATION_POLICY,
    PROPAGATION_VERSION,
    SOURCE_LEVELS,
    build_propagation_policy,
    read_spread_rules,
)
from riskloop.graph.warning_spread import SpreadRules
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine

KEY = f"{PROPAGATION_POLICY}@{PROPAGATION_VERSION}"


def test_the_shipped_policy_is_the_built_reference() -> None:
    shipped = resources.files("riskloop.rules").joinpath(f"strategies/{PROPAGATION_POLICY}-v1.json").read_text()
    assert shipped == build_propagation_policy()


def test_the_reference_spreads_warnings_two_steps_attention_one_and_notices_not_at_all() -> None:
    engine = ZenRuleEngine(PackageStrategyLoader())
    caps = {level: read_spread_rules(KEY, level, engine.evaluate(KEY, {"source_level": level}).result)
            for level in SOURCE_LEVELS}  # fmt: skip
    assert caps["warning"] == SpreadRules(max_steps=2, max_fanout=20, max_person_firms=20, main_counterparty_share=0.2)
    assert caps["attention"].max_steps == 1
    assert caps["notice"].max_steps == 0


def test_a_level_no_row_matches_does_not_spread() -> None:
    assert read_spread_rules(KEY, "warning", {}).max_steps == 0


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("max_steps", -1, "max_steps for warning must be a whole number >= 0"),
        ("max_steps", 1.5, "max_steps for warning must be a whole number"),
        ("max_fanout", "20", "max_fanout for warning must be a whole number"),
        ("max_person_firms", 0, "max_person_firms for warning must be a whole number >= 1"),
        ("max_steps", True, "max_steps for warning"),
        ("main_counterparty_share", 1.5, "main_counterparty_share for warning must be in (0, 1]"),
        ("main_counterparty_share", 0, "main_counterparty_share for warning must be in (0, 1]"),
        ("main_counterparty_share", None, "main_counterparty_share for warning"),
    ],
)
def test_an_unusable_output_is_refused_naming_it(field: str, value: object, says: str) -> None:
    good = {"max_steps": 2, "max_fanout": 20, "max_person_firms": 20, "main_counterparty_share": 0.2}
    with pytest.raises(ConfigError, match=rf"{KEY}: {says}".replace("(", r"\(").replace(")", r"\)")):
        read_spread_rules(KEY, "warning", good | {field: value})


def test_whole_floats_from_the_rule_engine_are_read_as_counts() -> None:
    out = {"max_steps": 2.0, "max_fanout": 5.0, "max_person_firms": 3.0, "main_counterparty_share": 1}
    assert read_spread_rules(KEY, "warning", out) == SpreadRules(2, 5, 3, 1.0)
