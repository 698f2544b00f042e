"""The reference warning policy: shipped as built, levels and per-segment thresholds as documented."""

from __future__ import annotations

from typing import Any

import pytest

from riskloop.monitoring.policy import (
    BEHAVIOUR_CUTOFFS,
    POLICY_NAME,
    POLICY_V2,
    POLICY_VERSION,
    build_policy,
    policy_context,
    read_verdict,
    reviewed_rules,
)
from riskloop.monitoring.signals import SIGNAL_NAMES
from riskloop.rules.engine import strategy_key
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine

KEY = strategy_key(POLICY_NAME, POLICY_VERSION)
ENGINE = ZenRuleEngine(PackageStrategyLoader())


def _judge(kind: str = "company", section: str = "C", **signals: Any) -> Any:
    row = {"loan_id": "L1", "credit_code": "X", "industry_section": section, "enterprise_kind": kind}
    row |= {name: signals.get(name) for name in SIGNAL_NAMES}
    outcome = ENGINE.evaluate(KEY, policy_context(row))
    assert outcome.ok, outcome.error
    return read_verdict(row, outcome.result)


def test_the_shipped_policy_is_the_one_built_from_the_rules() -> None:
    assert PackageStrategyLoader().load(KEY).content == build_policy()


def test_no_signal_is_no_warning() -> None:
    verdict = _judge()
    assert (verdict.level, verdict.fired, verdict.segment) == ("none", (), "K4")


def test_the_highest_level_wins_and_every_fired_rule_is_listed() -> None:
    verdict = _judge(inflow_drop=0.7, invoice_amount_drop=0.55, days_past_due=3)
    assert verdict.level == "warning"
    assert [(f.rule, f.signal, f.threshold) for f in verdict.fired] == [
        ("W4", "inflow_drop", 0.5),
        ("A1", "inflow_drop", 0.6),
        ("N5", "days_past_due", 1.0),
        ("N7", "inflow_drop", 0.4),
    ]
    assert verdict.fired[0].value == 0.7


@pytest.mark.parametrize(
    ("kind", "section", "segment", "fires"),
    [
        ("company", "C", "K4", True),  # threshold 0.6
        ("company", "A", "K2", False),  # seasonal: 0.6 x 1.15 = 0.69
        ("individual_business", "C", "K1", False),  # 0.6 x 1.2 = 0.72
    ],
)
def test_thresholds_follow_industry_and_kind(kind: str, section: str, segment: str, fires: bool) -> None:
    verdict = _judge(kind, section, inflow_drop=0.65)
    assert verdict.segment == segment
    assert any(f.rule == "A1" for f in verdict.fired) is fires


def test_missing_signals_never_fire() -> None:
    assert _judge(inflow_drop=None, days_past_due=0, bureau_max_dpd=None).level == "none"


V2 = strategy_key(POLICY_NAME, POLICY_V2)


def _judge_v2(**signals: Any) -> Any:
    row = {"loan_id": "L1", "credit_code": "X", "industry_section": "C", "enterprise_kind": "company"} | signals
    outcome = ENGINE.evaluate(V2, policy_context(row))
    assert outcome.ok, outcome.error
    return read_verdict(row, outcome.result)


def test_the_shipped_v2_is_the_one_built_from_the_reviewed_rules() -> None:
    assert PackageStrategyLoader().load(V2).content == build_policy(rules=reviewed_rules())
    assert "behaviour_pd" not in PackageStrategyLoader().load(KEY).content  # v1 unchanged


@pytest.mark.parametrize(
    ("pd", "level"),
    [
        (None, "none"),  # no active model: an empty score never fires
        (BEHAVIOUR_CUTOFFS["attention"] - 1e-6, "none"),
        (BEHAVIOUR_CUTOFFS["attention"], "attention"),
        (BEHAVIOUR_CUTOFFS["warning"] - 1e-6, "attention"),
        (BEHAVIOUR_CUTOFFS["warning"], "warning"),
    ],
)
def test_v2_rules_on_the_behaviour_score_fire_at_their_cutoffs(pd: float | None, level: str) -> None:
    verdict = _judge_v2(behaviour_pd=pd)
    assert verdict.level == level
    assert all(f.signal == "behaviour_pd" and f.value == pd for f in verdict.fired)


def test_v2_demotes_or_retires_the_rules_that_were_noisy_on_the_training_period() -> None:
    verdict = _judge_v2(dishonest_listed=1, inflow_drop=0.7, invoice_amount_drop=0.8, invoice_void_share=0.5)
    assert [(f.rule, f.level) for f in verdict.fired] == [
        ("W2", "attention"),
        ("A1", "notice"),
        ("N7", "notice"),
        ("W4", "notice"),
    ]  # A3 (invoicing down 70 %) and N1 (void share) are retired


def _row(kind: str = "company", **signals: Any) -> dict[str, Any]:
    row = {"loan_id": "L1", "credit_code": "X", "industry_section": "C", "enterprise_kind": kind}
    return row | {name: signals.get(name) for name in SIGNAL_NAMES}


def test_a_batch_without_traces_gives_the_results_one_by_one_gives() -> None:
    rows = [
        _row(),
        _row(days_past_due=35, new_lawsuits=1),
        _row(inflow_drop=0.55, invoice_amount_drop=0.9),
        _row("individual_business", inflow_drop=0.5),
    ]
    contexts = [policy_context(r) for r in rows]
    batch = ENGINE.evaluate_many(KEY, contexts)
    assert [o.result for o in batch] == [ENGINE.evaluate(KEY, c).result for c in contexts]
    assert [read_verdict(r, o.result).level for r, o in zip(rows, batch, strict=True)] == [
        "none",
        "warning",
        "warning",
        "notice",
    ]
    assert all(o.trace == () and o.error is None for o in batch)
    failed = ENGINE.evaluate_many("no-such-policy@1", contexts[:2])
    assert [o.error is not None for o in failed] == [True, True]
