"""Effect computations on a hand-computed book: funnel stages and rates by group, vintage curves, losses."""

from __future__ import annotations

import dataclasses
import datetime as dt

from riskloop.domain.effect import Applied, Decided
from riskloop.domain.outcome import DEFAULTED, DecisionOutcome, Loan, loan_outcome
from riskloop.monitoring.effect import funnel, journeys, losses, vintage_curves

D = dt.date
DAY = D(2025, 6, 30)


def at(day: D) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def decided(app: str, tier: str, day: D, pd: float, final: str, final_on: D | None, channel: str = "web") -> Decided:
    return Decided(app, f"dec-{app}", at(day), tier, "ref@1", "m1", channel, pd, 500_000,
                   final if final_on else None, at(final_on) if final_on else None)  # fmt: skip


APPLIED = [
    Applied("A1", D(2025, 1, 5), "web"),
    Applied("A2", D(2025, 1, 10), "web"),
    Applied("A3", D(2025, 2, 1), "mobile"),
    Applied("A4", D(2025, 7, 5), "mobile"),  # after the day
    Applied("A5", D(2025, 1, 20), "branch"),  # never decided by riskloop
]
DECIDED = [
    decided("A1", "auto_approve", D(2025, 1, 5), 0.1, "approved", D(2025, 1, 5)),
    decided("A2", "manual_review", D(2025, 1, 10), 0.2, "approved", D(2025, 1, 20)),
    decided("A3", "manual_review", D(2025, 2, 1), 0.3, "approved", D(2025, 7, 10), "mobile"),  # closed after the day
    decided("A6", "auto_reject", D(2025, 3, 1), 0.9, "declined", D(2025, 3, 1)),  # posted, not in the warehouse
    decided("A4", "auto_approve", D(2025, 7, 5), 0.1, "approved", D(2025, 7, 5)),  # after the day
]


def loan(loan_id: str, app: str, disbursed: D, principal: int, first_bad: D | None = None) -> DecisionOutcome:
    """An outcome as of DAY: defaulted on ``first_bad`` if given, else open."""
    o = loan_outcome(Loan(loan_id, app, disbursed, 12, principal), (), (), DAY)
    assert o is not None
    if first_bad is not None:
        o = dataclasses.replace(o, status=DEFAULTED, first_bad_day=first_bad)
    return DecisionOutcome(o, None)


LOANS = [
    loan("L1", "A1", D(2025, 1, 10), 100_000, D(2025, 5, 1)),
    loan("L2", "A2", D(2025, 2, 1), 200_000),
    loan("L3", "A3", D(2025, 2, 15), 300_000),  # drawn while in review
    loan("L9", "A9", D(2025, 1, 15), 400_000),  # no application or decision on record
]


def test_the_funnel_counts_each_stage_as_of_the_day_by_group() -> None:
    result = funnel(journeys(APPLIED, DECIDED, LOANS, DAY))
    overall = result["overall"]
    assert {k: overall[k] for k in ("applied", "decided", "in_review", "approved", "drawn", "repaid", "defaulted")} == {
        "applied": 5, "decided": 4, "in_review": 1, "approved": 2, "drawn": 2, "repaid": 0, "defaulted": 1
    }  # fmt: skip
    assert overall["drawn_not_approved"] == 1
    assert (overall["decided_rate"], overall["approval_rate"], overall["draw_rate"]) == (0.8, 0.5, 1.0)
    assert (overall["default_rate"], overall["repaid_rate"]) == (0.5, 0.0)
    by_channel = result["by_channel"]
    assert sorted(by_channel) == ["branch", "mobile", "web"]
    assert (by_channel["web"]["applied"], by_channel["web"]["approved"], by_channel["web"]["defaulted"]) == (3, 2, 1)
    assert (by_channel["branch"]["decided"], by_channel["branch"]["decided_rate"]) == (0, 0.0)
    assert by_channel["branch"]["approval_rate"] is None
    assert {k: v["applied"] for k, v in result["by_tier"].items()} == {
        "(none)": 1, "auto_approve": 1, "auto_reject": 1, "manual_review": 2
    }  # fmt: skip
    assert result["by_strategy"]["ref@1"]["decided"] == 4
    assert result["by_model"]["(none)"]["decided"] == 0


def test_a_later_day_sees_the_review_closed_and_the_later_application() -> None:
    later = D(2025, 7, 31)
    overall = funnel(journeys(APPLIED, DECIDED, LOANS, later))["overall"]
    assert (overall["applied"], overall["decided"], overall["approved"], overall["in_review"]) == (6, 5, 4, 0)
    assert (overall["drawn"], overall["drawn_not_approved"]) == (3, 0)


def test_vintage_curves_count_matured_loans_and_cumulative_bad() -> None:
    curves = vintage_curves(LOANS, DAY)
    assert sorted(curves) == ["2025-01", "2025-02"]
    jan = [(p["months_on_book"], p["matured"], p["bad"]) for p in curves["2025-01"]]
    assert jan == [(1, 2, 0), (2, 2, 0), (3, 2, 0), (4, 2, 1), (5, 2, 1)]  # L1 bad on 1 May, in its 4th month
    feb = [(p["months_on_book"], p["matured"], p["bad"]) for p in curves["2025-02"]]
    assert feb == [(1, 2, 0), (2, 2, 0), (3, 2, 0), (4, 2, 0)]  # L3's 5th month ends 15 July
    assert curves["2025-01"][3]["bad_rate"] == 0.5


def test_expected_against_realised_loss_over_priced_loans() -> None:
    latest = {d.application_id: d for d in DECIDED}
    result = losses(LOANS, latest, DAY, 0.5, lambda r, d: "all")["all"]
    # L1 0.1, L2 0.2, L3 0.3 of PD; L9 has no decision and is not priced
    assert (result["loans"], result["principal_cents"]) == (3, 600_000)
    assert result["expected_loss_cents"] == 5_000 + 20_000 + 45_000
    assert (result["defaulted"], result["realised_loss_cents"]) == (1, 50_000)
    assert result["matured_12m"] == {"loans": 0, "expected_loss_cents": 0, "bad": 0, "realised_loss_cents": 0}
    later = losses(LOANS, latest, D(2026, 2, 15), 0.5, lambda r, d: r.outcome.vintage)
    assert later["2025-01"]["matured_12m"] == {"loans": 1, "expected_loss_cents": 5_000, "bad": 1,
                                               "realised_loss_cents": 50_000}  # fmt: skip
    assert later["2025-02"]["matured_12m"]["loans"] == 2  # L2 and L3 reached 12 months by 15 February
    assert later["2025-02"]["matured_12m"]["bad"] == 0
