"""Open cases' next rounds and recorded actions as rounds, on hand-built histories with known answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from riskloop.collection.rounds import HORIZON_DPD, RECORDED_POLICY, open_rounds, recorded_rounds
from riskloop.domain.collection_work import Outcome, RecordedAction

CASES = pd.DataFrame(
    {
        "case_id": ["A", "B", "C", "D"],
        "opened_date": pd.to_datetime(["2026-03-02", "2026-03-02", "2026-01-05", "2026-06-01"]).date,
        "overdue_amount_cents": [100_000, 50_000, 80_000, 10_000],
        "dpd_at_open": [3, 5, 2, 1],
    }
)


def _round(case: str, n: int, at: str, paid: int, cured: bool) -> dict[str, object]:
    return {
        "case_id": case, "round_no": n, "acted_at": pd.Timestamp(at, tz="UTC"), "amount_paid_cents": paid,
        "cured": cured, "action": "sms", "time_window": "morning", "propensity": 0.5, "policy": "historical",
    }  # fmt: skip


LOGGED = pd.DataFrame(
    [
        _round("A", 1, "2026-03-03 02:00", 30_000, False),
        _round("A", 2, "2026-03-10 02:00", 20_000, False),
        _round("B", 1, "2026-03-03 02:00", 50_000, True),  # cured: closed
        _round("C", 1, "2026-01-06 02:00", 0, False),
    ]
)


def test_open_cases_get_their_next_round_with_what_is_still_overdue() -> None:
    at = dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC)
    nxt = open_rounds(CASES, LOGGED, at).set_index("case_id")
    # A: 50,000 of 100,000 paid in two rounds; B cured; C 2 + 74 = 76 days past due, open; D opens later
    assert sorted(nxt.index) == ["A", "C"]
    assert (nxt.loc["A", "round_no"], nxt.loc["A", "remaining_overdue_cents"], nxt.loc["A", "dpd_at_action"]) == (
        3,
        50_000,
        21,
    )
    assert (nxt.loc["C", "round_no"], nxt.loc["C", "dpd_at_action"]) == (2, 2 + 74)


def test_a_case_past_the_horizon_leaves_collection_and_later_rounds_are_not_known_yet() -> None:
    late = dt.datetime(2026, 5, 10, 9, tzinfo=dt.UTC)  # C: 2 + 125 days past due
    assert "C" not in set(open_rounds(CASES, LOGGED, late)["case_id"])
    assert HORIZON_DPD < 2 + 125
    before_round_two = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    a = open_rounds(CASES, LOGGED, before_round_two).set_index("case_id").loc["A"]
    assert (a["round_no"], a["remaining_overdue_cents"]) == (2, 70_000)


def _recorded(case: str, at: dt.datetime, paid: int, *, followed: bool = True) -> RecordedAction:
    return RecordedAction(f"cac_{case}{at.day}", case, "pln_x", "wechat@evening", 0.8, followed, "collection-policy-v1",
                          at, "carl", None, Outcome(False, paid, False, None, False))  # fmt: skip


def test_recorded_actions_follow_the_cases_logged_rounds() -> None:
    records = [
        _recorded("A", dt.datetime(2026, 3, 20, 11, tzinfo=dt.UTC), 10_000),
        _recorded("A", dt.datetime(2026, 3, 27, 11, tzinfo=dt.UTC), 5_000),
        _recorded("C", dt.datetime(2026, 3, 20, 11, tzinfo=dt.UTC), 0, followed=False),  # a deviation: not the policy's
        _recorded("Z", dt.datetime(2026, 3, 20, 11, tzinfo=dt.UTC), 0),  # a case the warehouse does not hold
    ]
    rows = recorded_rounds(records, CASES, LOGGED)
    assert list(rows["case_id"]) == ["A", "A"]
    assert list(rows["round_no"]) == [3, 4]
    assert list(rows["remaining_overdue_cents"]) == [50_000, 40_000]
    assert list(rows["dpd_at_action"]) == [3 + 18, 3 + 25]
    assert set(rows["policy"]) == {RECORDED_POLICY}
    assert list(rows["propensity"]) == [0.8, 0.8]
    assert (rows["action"].iloc[0], rows["time_window"].iloc[0], rows["channel"].iloc[0]) == (
        "wechat",
        "evening",
        "wechat",
    )
    # the recorded rounds count when planning the next one
    both = pd.concat([LOGGED, rows], ignore_index=True)
    nxt = open_rounds(CASES, both, dt.datetime(2026, 4, 1, tzinfo=dt.UTC)).set_index("case_id")
    assert (nxt.loc["A", "round_no"], nxt.loc["A", "remaining_overdue_cents"]) == (5, 35_000)


def test_no_recorded_action_gives_no_rows() -> None:
    assert recorded_rounds([], CASES, LOGGED).empty
