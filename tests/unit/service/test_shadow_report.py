"""The shadow report on a small in-memory set: agreement, tier moves, swap sets, PD and AUC against hand counts."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import pytest

from riskloop.domain.decision import Decision, DecisionReason, Tier, Versions
from riskloop.domain.decision_record import CHAMPION, SHADOW, StoredDecision
from riskloop.domain.outcome import DecisionLink, DecisionOutcome, LoanOutcome, horizon_view
from riskloop.errors import NotFoundError, ValidationError
from riskloop.scoring.behaviour import KIND as BEHAVIOUR_KIND
from riskloop.service.shadow_report import ShadowReport, correlation
from riskloop.testing.fake_registry import InMemoryModelRegistry
from riskloop.testing.memory_outcomes import MemoryOutcomeStore
from riskloop.testing.memory_shadow import MemoryPairedDecisions

CHAMPION_MODEL = "sme-v1:00aa00aa00aa00aa"
START = dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 6, 30)
REASON = DecisionReason("SCORE_LOW", "rule", "Score too low", "评分过低")
# application: (champion tier, champion PD, shadow tier, shadow PD, outcome: None none, else (disbursed, bad))
CASES: dict[str, tuple[Tier, float, Tier, float, tuple[dt.date, bool] | None]] = {
    "A1": (Tier.AUTO_APPROVE, 0.02, Tier.AUTO_APPROVE, 0.03, (dt.date(2025, 6, 10), False)),
    "A2": (Tier.AUTO_APPROVE, 0.04, Tier.MANUAL_REVIEW, 0.10, (dt.date(2025, 6, 10), True)),  # swap out, bad
    "A3": (Tier.MANUAL_REVIEW, 0.08, Tier.SUGGEST_APPROVE, 0.05, None),  # swap in, never drawn
    "A4": (Tier.AUTO_REJECT, 0.30, Tier.AUTO_REJECT, 0.25, None),
    "A5": (Tier.SUGGEST_APPROVE, 0.06, Tier.SUGGEST_APPROVE, 0.04, (dt.date(2025, 6, 12), False)),
    "A6": (Tier.AUTO_APPROVE, 0.05, Tier.AUTO_APPROVE, 0.07, (dt.date(2026, 2, 1), False)),  # 6 months not passed
}


def decision(app: str, tier: Tier, pd_: float, model: str, at: dt.datetime) -> Decision:
    approves = tier.approves
    return Decision(
        app, tier, 600.0, pd_, 10_000_000 if approves else 0, 550 if approves else 0,
        () if tier is Tier.AUTO_APPROVE else (REASON,), (), Versions("d", "enterprise", model, "reference@1", "r"), at,
    )  # fmt: skip


def stored(decision_id: str, role: str, d: Decision, owner: str = "web") -> StoredDecision:
    return StoredDecision(decision_id, role, "reference@1", role, None, d, {"request": {}}, owner)


def outcome(app: str, disbursed: dt.date, bad: bool) -> DecisionOutcome:
    first_bad = disbursed + dt.timedelta(days=120) if bad else None
    loan = LoanOutcome(
        f"L-{app}", app, AS_OF, disbursed, 12, 10_000_000, "web", 0, "defaulted" if bad else "current", 0, 0,
        first_bad, horizon_view(disbursed, first_bad, AS_OF), AS_OF + dt.timedelta(days=1),
    )  # fmt: skip
    link = DecisionLink(f"c-{app}", "auto_approve", "reference@1", CHAMPION_MODEL, START)
    return DecisionOutcome(loan, link)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[ShadowReport, str]:
    registry = InMemoryModelRegistry()
    for name in ("sme-v2", "beh"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text(json.dumps({"files": {}, "name": name}))
    shadow_id = registry.register(tmp_path / "sme-v2", "sme", "fused-ensemble", {}, {}, [])
    registry.register(tmp_path / "beh", "behaviour", BEHAVIOUR_KIND, {}, {}, [])
    version = registry.get(shadow_id).served_version
    decisions, outcomes = MemoryPairedDecisions(), MemoryOutcomeStore()
    for i, (app, (c_tier, c_pd, s_tier, s_pd, loan)) in enumerate(CASES.items()):
        at = START + dt.timedelta(minutes=i)
        decisions.add(
            stored(f"c-{app}", CHAMPION, decision(app, c_tier, c_pd, CHAMPION_MODEL, at)),
            stored(f"s-{app}", SHADOW, decision(app, s_tier, s_pd, version, at)),
        )
        if loan is not None:
            outcomes.put_many([outcome(app, *loan)])
    later = START + dt.timedelta(hours=1)
    decisions.add(
        # a challenger strategy's shadow decision, scored by the champion model: not this model's
        stored("s-A1-strategy", SHADOW, decision("A1", Tier.AUTO_REJECT, 0.02, CHAMPION_MODEL, START)),
        # this model's shadow decision whose champion is missing: unpaired
        stored("s-A7", SHADOW, decision("A7", Tier.AUTO_APPROVE, 0.01, version, later)),
        # the same application of another channel at another moment: not the champion of A1's shadow
        stored("c-A1-other", CHAMPION, decision("A1", Tier.AUTO_REJECT, 0.9, CHAMPION_MODEL, later), owner="app"),
        # decided while this model was the champion itself: not a shadow pair
        stored("c-A8", CHAMPION, decision("A8", Tier.AUTO_APPROVE, 0.01, version, later)),
        stored("s-A8", SHADOW, decision("A8", Tier.AUTO_APPROVE, 0.01, version, later)),
        # before the period
        stored("c-A9", CHAMPION, decision("A9", Tier.AUTO_APPROVE, 0.01, CHAMPION_MODEL, START - dt.timedelta(days=9))),
        stored("s-A9", SHADOW, decision("A9", Tier.AUTO_REJECT, 0.5, version, START - dt.timedelta(days=9))),
    )
    return ShadowReport(decisions, registry, outcomes), shadow_id


def test_agreement_moves_and_swaps_are_counted_pair_by_pair(setup: tuple[ShadowReport, str]) -> None:
    report, model_id = setup
    out = report.run(model_id, since=dt.date(2025, 6, 1))
    assert out["model"]["model_id"] == model_id
    assert (out["pairs"], out["unpaired"]) == (6, 1)
    assert out["agreement"] == {"same_tier": 4, "rate": pytest.approx(4 / 6)}  # A1, A4, A5, A6
    moves = {(a, b): n for a, row in out["tier_matrix"].items() for b, n in row.items() if n}
    assert moves == {
        ("auto_approve", "auto_approve"): 2,
        ("auto_approve", "manual_review"): 1,
        ("manual_review", "suggest_approve"): 1,
        ("suggest_approve", "suggest_approve"): 1,
        ("auto_reject", "auto_reject"): 1,
    }
    assert len(out["tier_matrix"]) == 6
    assert all(len(row) == 6 for row in out["tier_matrix"].values())
    assert out["swap_in"] == {
        "count": 1, "bad_rate": None, "examples": [{"champion_decision": "c-A3", "shadow_decision": "s-A3"}]
    }  # fmt: skip
    assert out["swap_out"] == {
        "count": 1, "bad_rate": 1.0, "examples": [{"champion_decision": "c-A2", "shadow_decision": "s-A2"}]
    }  # fmt: skip


def test_pds_and_aucs_match_hand_computed_values(setup: tuple[ShadowReport, str]) -> None:
    report, model_id = setup
    out = report.run(model_id, since=dt.date(2025, 6, 1))
    champion = [c[1] for c in CASES.values()]
    shadow = [c[3] for c in CASES.values()]
    assert out["pd"]["scored_pairs"] == 6
    assert out["pd"]["champion_mean"] == pytest.approx(0.55 / 6)
    assert out["pd"]["shadow_mean"] == pytest.approx(0.54 / 6)
    assert out["pd"]["correlation"] == pytest.approx(statistics.correlation(champion, shadow))
    # matured at 6 months: A1 good, A2 bad, A5 good (A6 drawn too recently). The bad A2 ranks above A1 and below
    # A5 for the champion (0.04 between 0.02 and 0.06): AUC 1/2; above both for the shadow (0.10): AUC 1.
    assert out["outcomes"] == {
        "matured_pairs": 3, "bad": 1, "scored_pairs": 3, "champion_auc": 0.5, "shadow_auc": 1.0
    }  # fmt: skip
    # approvals: champion A1, A2, A5, A6 (bad rate over the matured: 1 of 3); shadow A1, A3, A5, A6 (0 of 2)
    assert out["champion"]["approval_rate"] == pytest.approx(4 / 6)
    assert out["champion"]["bad_rate_approved"] == pytest.approx(1 / 3)
    assert out["shadow"]["approval_rate"] == pytest.approx(4 / 6)
    assert out["shadow"]["bad_rate_approved"] == 0.0
    assert out["champion"]["models"] == {CHAMPION_MODEL: 6}
    json.dumps(out)  # JSON-ready


def test_the_period_and_horizon_select_what_is_read(setup: tuple[ShadowReport, str]) -> None:
    report, model_id = setup
    everything = report.run(model_id)
    assert everything["pairs"] == 7  # A9, before June, too
    assert report.run(model_id, until=dt.date(2025, 6, 1))["pairs"] == 1
    nothing = report.run(model_id, since=dt.date(2025, 7, 1))
    assert (nothing["pairs"], nothing["agreement"]["rate"], nothing["pd"]["correlation"]) == (0, None, None)
    assert nothing["outcomes"]["champion_auc"] is None
    three = report.run(model_id, since=dt.date(2025, 6, 1), horizon=3)
    assert three["outcomes"]["bad"] == 0  # A2's first bad day is 120 days after disbursal, past 3 months


def test_bad_requests_name_their_field(setup: tuple[ShadowReport, str]) -> None:
    report, model_id = setup
    with pytest.raises(ValidationError, match="horizon"):
        report.run(model_id, horizon=5)
    with pytest.raises(ValidationError, match="until"):
        report.run(model_id, since=dt.date(2025, 6, 2), until=dt.date(2025, 6, 2))
    with pytest.raises(NotFoundError):
        report.run("sme-v9")
    with pytest.raises(ValidationError, match="behaviour"):
        report.run("behaviour-v1")


def test_correlation_of_too_few_or_constant_values_is_none() -> None:
    assert correlation([0.1], [0.2]) is None
    assert correlation([0.1, 0.1], [0.2, 0.3]) is None
    assert correlation([0.1, 0.2, 0.3], [0.3, 0.2, 0.1]) == pytest.approx(-1.0)
