"""Rounds of collection: the logged history with the actions collectors recorded, and open cases' next rounds.

The bank's history (``collection_actions``, ingested) and what collectors recorded through riskloop
(``CollectionDesk.record``) are one log: a recorded action becomes a round of its case, numbered after the
rounds before it, with the days past due and the amount still overdue when it was taken. Only actions that
followed the plan are the policy's rounds: a deviation's arm was not drawn from the logged pmf, so it is kept
in the store but not learnt from or evaluated on (its propensity would be wrong). An open case is one whose
latest round did not cure it and that is at most ``HORIZON_DPD`` days past due: later, a case leaves
collection for litigation or write-off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from riskloop.domain.collection import CHANNEL_OF, COST_CENTS, parse_arm
from riskloop.domain.collection_work import RecordedAction

HORIZON_DPD = 120
RECORDED_POLICY = "riskloop"  # the policy column of a recorded round (its policy id is in the store)
_COLUMNS = (
    "action_id", "case_id", "round_no", "acted_at", "dpd_at_action", "remaining_overdue_cents", "action", "channel",
    "time_window", "agent_id", "policy", "propensity", "cost_cents", "promise_to_pay", "amount_paid_cents",
    "days_to_cure", "cured", "complaint",
)  # fmt: skip


def _utc(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    return stamps.dt.tz_localize("UTC") if stamps.dt.tz is None else stamps.dt.tz_convert("UTC")


def recorded_rounds(records: Sequence[RecordedAction], cases: pd.DataFrame, logged: pd.DataFrame) -> pd.DataFrame:
    """The recorded actions that followed their plan, as rounds shaped like ``collection_actions``.

    A round's number follows the case's latest earlier round; its days past due are the case's at opening plus
    the days since; its amount overdue is the case's less everything paid before it.
    """
    followed = [r for r in records if r.followed_plan]
    if not followed:
        return logged.iloc[0:0][[c for c in _COLUMNS if c in logged.columns]].copy()
    rows = pd.DataFrame(
        {
            "action_id": [r.action_id for r in followed],
            "case_id": [r.case_id for r in followed],
            "acted_at": pd.to_datetime([r.acted_at for r in followed], utc=True),
            "action": [parse_arm(r.arm).action for r in followed],
            "time_window": [parse_arm(r.arm).window for r in followed],
            "agent_id": [r.agent_id for r in followed],
            "propensity": [r.propensity for r in followed],
            "promise_to_pay": [r.outcome.promise_to_pay for r in followed],
            "amount_paid_cents": [r.outcome.amount_paid_cents for r in followed],
            "days_to_cure": pd.array([r.outcome.days_to_cure for r in followed], dtype="Int64"),
            "cured": [r.outcome.cured for r in followed],
            "complaint": [r.outcome.complaint for r in followed],
        }
    )
    rows = rows[rows["case_id"].isin(cases["case_id"])]  # a case the warehouse does not hold has no context
    rows["channel"] = rows["action"].map(CHANNEL_OF)
    rows["cost_cents"] = rows["action"].map(COST_CENTS).astype("int64")
    rows["policy"] = RECORDED_POLICY
    both = pd.concat([logged.assign(acted_at=_utc(logged["acted_at"])), rows], ignore_index=True)
    both = both.sort_values(["case_id", "acted_at"], kind="stable").reset_index(drop=True)
    both = _number(both, cases)
    return both[both["policy"] == RECORDED_POLICY][list(_COLUMNS)].reset_index(drop=True)


def _number(rounds: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Round numbers, days past due and amounts overdue of rows sorted by case then time."""
    case = cases.set_index("case_id")
    by_case = rounds.groupby("case_id", sort=False)
    rounds["round_no"] = by_case.cumcount() + 1
    paid_before = by_case["amount_paid_cents"].cumsum() - rounds["amount_paid_cents"]
    overdue = rounds["case_id"].map(case["overdue_amount_cents"]).astype("int64")
    rounds["remaining_overdue_cents"] = np.maximum(overdue - paid_before.astype("int64"), 0)
    opened = pd.to_datetime(rounds["case_id"].map(case["opened_date"]))
    days = (rounds["acted_at"].dt.tz_localize(None).dt.normalize() - opened).dt.days
    rounds["dpd_at_action"] = rounds["case_id"].map(case["dpd_at_open"]).astype("int64") + days.astype("int64")
    return rounds


def open_rounds(cases: pd.DataFrame, rounds: pd.DataFrame, at: dt.datetime) -> pd.DataFrame:
    """The next round of every case open at ``at``: not cured by its latest round and at most HORIZON_DPD late.

    Rounds after ``at`` are not known yet and are ignored; a case opened after ``at`` is not open.
    Columns: ``case_id, round_no, acted_at, dpd_at_action, remaining_overdue_cents`` (``context.ROUND_COLUMNS``).
    """
    stamp = pd.Timestamp(at).tz_convert("UTC") if pd.Timestamp(at).tzinfo else pd.Timestamp(at, tz="UTC")
    known = rounds[_utc(rounds["acted_at"]) < stamp]
    summary = known.groupby("case_id").agg(
        rounds=("round_no", "max"), paid=("amount_paid_cents", "sum"), cured=("cured", "max")
    )
    c = cases.set_index("case_id")
    c = c[pd.to_datetime(c["opened_date"]) <= stamp.tz_localize(None).normalize()]
    c = c.join(summary, how="left")
    dpd = (
        c["dpd_at_open"].astype("int64")
        + (stamp.tz_localize(None).normalize() - pd.to_datetime(c["opened_date"])).dt.days
    )
    remaining = c["overdue_amount_cents"].astype("int64") - c["paid"].fillna(0).astype("int64")
    open_ = ~c["cured"].fillna(False).astype(bool) & (dpd <= HORIZON_DPD) & (remaining > 0)
    out = pd.DataFrame(
        {
            "case_id": c.index[open_],
            "round_no": c.loc[open_, "rounds"].fillna(0).astype("int64").to_numpy() + 1,
            "acted_at": stamp,
            "dpd_at_action": dpd[open_].to_numpy(),
            "remaining_overdue_cents": remaining[open_].to_numpy(),
        }
    )
    return out.sort_values("case_id").reset_index(drop=True)


def logged_rounds(records: Sequence[RecordedAction], cases: pd.DataFrame, ingested: pd.DataFrame) -> pd.DataFrame:
    """The one log of rounds: the ingested ones, then the recorded ones that followed their plan; times in UTC."""
    recorded = recorded_rounds(records, cases, ingested)
    rounds = pd.concat([ingested, recorded], ignore_index=True) if len(recorded) else ingested
    return rounds.assign(acted_at=pd.to_datetime(rounds["acted_at"], utc=True))
