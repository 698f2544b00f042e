"""The case context is point in time and counts the case's earlier rounds as they were logged."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from riskloop.collection.context import case_context
from riskloop.collection.facts import CONTEXT_COLUMNS
from riskloop.errors import ValidationError

T0 = pd.Timestamp("2024-03-01 02:00", tz="UTC")


def tables() -> dict[str, pd.DataFrame]:
    cases = pd.DataFrame(
        {
            "case_id": ["A", "B"],
            "loan_id": ["LA", "LB"],
            "credit_code": ["E1", "E2"],
            "opened_date": [dt.date(2024, 2, 20)] * 2,
            "overdue_amount_cents": [100_000, 50_000],
            "outstanding_cents": [900_000, 300_000],
            "dpd_at_open": [1, 1],
        }
    )
    loans = pd.DataFrame(
        {
            "loan_id": ["LA", "LB"],
            "application_id": ["P1", "P2"],
            "credit_code": ["E1", "E2"],
            "disbursed_date": [dt.date(2023, 3, 1), dt.date(2023, 9, 1)],
            "principal_cents": [1_200_000, 600_000],
            "term_months": [12, 6],
            "rate_bp": [800, 900],
        }
    )
    enterprises = pd.DataFrame(
        {
            "credit_code": ["E1", "E2"],
            "kind": ["company", "individual_business"],
            "industry_section": ["C", "F"],
            "established_date": [dt.date(2014, 3, 1), dt.date(2021, 3, 1)],
            "registered_capital_cents": [50_000_000, 1_000_000],
            "region_code": ["440305", "330106"],
        }
    )
    abnormal = pd.DataFrame(
        {
            "credit_code": ["E1", "E1"],
            "listed_date": [dt.date(2023, 1, 1), dt.date(2024, 3, 8)],
            "removed_date": [dt.date(2023, 6, 1), None],
        }
    )
    day = pd.Timedelta(days=1)
    actions = pd.DataFrame(
        {
            "case_id": ["A", "A", "A", "B"],
            "round_no": [1, 2, 3, 1],
            "acted_at": [T0, T0 + 6 * day, T0 + 13 * day, T0 + day],
            "dpd_at_action": [10, 16, 23, 11],
            "remaining_overdue_cents": [100_000, 100_000, 70_000, 50_000],
            "action": ["sms", "agent_call", "legal_letter", "wechat"],
            "promise_to_pay": [True, True, False, False],
            "amount_paid_cents": [0, 30_000, 0, 0],
            "complaint": [False, True, False, False],
        }
    )
    return {
        "collection_cases": cases,
        "loans": loans,
        "enterprises": enterprises,
        "abnormal_operations": abnormal,
        "collection_actions": actions,
    }


def context(t: dict[str, pd.DataFrame], rounds: pd.DataFrame | None = None) -> pd.DataFrame:
    return case_context(t["collection_actions"] if rounds is None else rounds, t)


def test_earlier_rounds_are_counted_as_logged() -> None:
    ctx = context(tables()).set_index(["case_id", "round_no"])
    assert list(ctx.reset_index().columns) == list(CONTEXT_COLUMNS)
    third = ctx.loc[("A", 3)]
    assert (third.promises_so_far, third.broken_promises) == (2, 1)  # round 1 promised and paid nothing
    assert (third.paid_so_far_cents, third.complaints_so_far) == (30_000, 1)
    assert third.last_action == "agent_call"
    assert third.days_since_last == pytest.approx(7.0)
    assert third.remaining_share == pytest.approx(0.7)
    assert third.abnormal_listed == "yes"  # listed on 8 March, before round 3 (14 March)
    first = ctx.loc[("A", 1)]
    assert (first.promises_so_far, first.paid_so_far_cents, first.last_action) == (0, 0, "none")
    assert first.abnormal_listed == "no"  # the 2023 listing was removed
    assert first.abnormal_count == 1
    assert (first.kind, first.industry, first.province) == ("company", "C", "44")
    assert first.firm_age_years == pytest.approx(10.0, abs=0.01)
    assert ctx.loc[("B", 1)].kind == "individual_business"


def test_a_later_action_never_changes_an_earlier_rounds_context() -> None:
    t = tables()
    before = context(t)
    changed = dict(t)
    later = t["collection_actions"].copy()
    later.loc[2, ["promise_to_pay", "amount_paid_cents", "complaint", "action"]] = [True, 70_000, True, "field_visit"]
    extra = later.iloc[[2]].assign(round_no=4, acted_at=T0 + pd.Timedelta(days=20))
    changed["collection_actions"] = pd.concat([later, extra], ignore_index=True)
    after = context(changed, t["collection_actions"])
    pd.testing.assert_frame_equal(before, after)
    # and the new facts do reach a round after them
    fourth = context(changed).set_index(["case_id", "round_no"]).loc[("A", 4)]
    assert (fourth.paid_so_far_cents, fourth.last_action) == (100_000, "field_visit")


def test_a_round_to_decide_sees_every_logged_round() -> None:
    t = tables()
    next_round = pd.DataFrame(
        {
            "case_id": ["A"],
            "round_no": [4],
            "acted_at": [T0 + pd.Timedelta(days=30)],
            "dpd_at_action": [40],
            "remaining_overdue_cents": [70_000],
        }
    )
    row = context(t, next_round).iloc[0]
    assert (row.promises_so_far, row.broken_promises, row.last_action) == (2, 1, "legal_letter")


def test_rounds_without_their_columns_are_refused() -> None:
    t = tables()
    with pytest.raises(ValidationError, match="dpd_at_action"):
        context(t, t["collection_actions"].drop(columns=["dpd_at_action"]))
