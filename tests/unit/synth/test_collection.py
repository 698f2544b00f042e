"""Collection data against its truth: cases from the loan book, propensities, potential outcomes, transcripts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from riskloop.domain.collection import ARM_KEYS, ARMS, ISSUE_TYPES, WINDOW_HOURS, parse_arm, permitted
from riskloop.synth.collection_cases import next_monday_after
from riskloop.synth.collection_policy import EXPLORE, historical_propensities
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import chunk_tables, generate_universe

N, SEED, CHUNK = 5000, 4242, 2500
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("collection") / "u"
    generate_universe(UniverseParams(enterprises=N, seed=SEED, chunk_size=CHUNK), out, workers=1)
    return out


def _t(root: Path, name: str) -> pd.DataFrame:
    return pq.read_table(root / "tables" / name).to_pandas()


def _truth(root: Path, name: str) -> pd.DataFrame:
    return pq.read_table(root / "truth" / f"{name}.parquet").to_pandas()


def test_same_seed_same_collection_tables() -> None:
    params = UniverseParams(enterprises=1500, seed=7, chunk_size=1500)
    first, first_truth = chunk_tables(params, 0)
    again, again_truth = chunk_tables(params, 0)
    names = ("collection_cases", "collection_actions", "collection_calls", "call_turns", "call_reviews")
    assert all(first[n].equals(again[n]) for n in names)
    assert all(
        first_truth[n].equals(again_truth[n]) for n in ("collection_responses", "call_labels", "call_hard_negatives")
    )
    assert first["collection_actions"].num_rows > 0


def test_cases_are_the_loan_books_overdue_instalments(universe: Path) -> None:
    cases = _t(universe, "collection_cases")
    schedule = _t(universe, "repayment_schedules")
    paid = _t(universe, "repayments")
    inst = cases.case_id.str[-3:].astype(int)
    due = cases.assign(installment_no=inst).merge(schedule, on=["loan_id", "installment_no"])
    assert len(due) == len(cases)
    opened = pd.to_datetime(due.opened_date)
    due_day = pd.to_datetime(due.due_date)
    expected_open = next_monday_after(due_day.to_numpy().astype("datetime64[D]"))
    assert (opened.to_numpy().astype("datetime64[D]") == expected_open).all()
    assert ((opened - due_day).dt.days == due.dpd_at_open).all()
    merged = due.merge(paid, on=["loan_id", "installment_no"], how="left")
    merged["counted"] = np.where(
        pd.to_datetime(merged.paid_date) <= pd.to_datetime(merged.opened_date), merged.amount_cents, 0
    )
    received = merged.groupby("case_id").counted.sum()
    owed = due.set_index("case_id").eval("principal_due_cents + interest_due_cents")
    assert (owed - received.reindex(owed.index) == due.set_index("case_id").overdue_amount_cents).all()
    assert (cases.overdue_amount_cents > 0).all()
    assert (cases.outstanding_cents >= cases.overdue_amount_cents - due.interest_due_cents.values).all()


def test_logged_outcomes_are_the_truths_potential_outcomes_of_the_logged_arm(universe: Path) -> None:
    actions = _t(universe, "collection_actions")
    actions["arm"] = actions.action + "@" + actions.time_window
    responses = _truth(universe, "collection_responses")
    logged = actions.merge(responses, on=["case_id", "round_no", "arm"], validate="one_to_one")
    assert len(logged) == len(actions) > 500
    assert (logged.promise == logged.promise_to_pay).all()
    assert (logged.paid_cents == logged.amount_paid_cents).all()
    assert (logged.cured_x == logged.cured_y).all()
    assert (logged.complaint_x == logged.complaint_y).all()
    assert len(responses) == len(actions) * len(ARMS)
    assert (responses.groupby(["case_id", "round_no"]).arm.nunique() == len(ARMS)).all()
    # common random numbers: a higher cure probability never loses a cure at the same (case, round)
    pivot_p = responses.pivot_table(index=["case_id", "round_no"], columns="arm", values="p_cure")
    pivot_c = responses.pivot_table(index=["case_id", "round_no"], columns="arm", values="cured")
    best = pivot_p.to_numpy().argmax(axis=1)
    assert (pivot_c.to_numpy().max(axis=1) >= pivot_c.to_numpy()[np.arange(len(best)), best]).all()
    cured_rows = pivot_c.to_numpy().astype(bool)
    threshold_ok = [
        (p[c].min() if c.any() else 1) >= (p[~c].max() if (~c).any() else 0) - 1e-12
        for p, c in zip(pivot_p.to_numpy(), cured_rows, strict=True)
    ]
    assert all(threshold_ok)


def test_rounds_follow_each_other_and_stop_when_cured(universe: Path) -> None:
    actions = _t(universe, "collection_actions").sort_values(["case_id", "round_no"])
    per_case = actions.groupby("case_id")
    assert (per_case.round_no.apply(lambda r: list(r) == list(range(1, len(r) + 1)))).all()
    assert (per_case.cured.apply(lambda c: not c.iloc[:-1].any())).all()
    gaps = per_case.acted_at.apply(lambda t: t.dt.floor("D").diff().dt.days.dropna().tolist()).explode().dropna()
    assert gaps.between(4, 11).all()  # 5-10 days, moved by a day where local and UTC dates differ
    nxt = actions.groupby("case_id").remaining_overdue_cents.shift(-1)
    step = actions.remaining_overdue_cents - actions.amount_paid_cents
    assert (nxt.dropna() == step[nxt.notna()]).all()
    assert (actions.amount_paid_cents <= actions.remaining_overdue_cents).all()
    assert actions.days_to_cure.notna().eq(actions.cured).all()


def test_every_action_logs_the_historical_policys_exact_propensity(universe: Path) -> None:
    actions = _t(universe, "collection_actions")
    probs = historical_propensities(actions.dpd_at_action.to_numpy(), actions.remaining_overdue_cents.to_numpy())
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert probs.min() >= EXPLORE / len(ARMS) - 1e-12
    arm = [ARM_KEYS.index(a + "@" + w) for a, w in zip(actions.action, actions.time_window, strict=True)]
    assert np.allclose(actions.propensity.to_numpy(), probs[np.arange(len(arm)), arm])
    assert (actions.policy == "historical").all()
    for a, ch, w, agent in zip(actions.action, actions.channel, actions.time_window, actions.agent_id, strict=True):
        arm_ = parse_arm(f"{a}@{w}")
        assert ch == arm_.channel
        assert isinstance(agent, str) == (a in ("agent_call", "field_visit", "restructure_offer"))
    local = actions.acted_at.dt.tz_convert(SHANGHAI)
    start = actions.time_window.map(lambda w: WINDOW_HOURS[w][0])
    end = actions.time_window.map(lambda w: WINDOW_HOURS[w][1])
    assert ((local.dt.hour >= start) & (local.dt.hour < end)).all()


def test_transcripts_carry_their_planted_labels(universe: Path) -> None:
    calls, turns = _t(universe, "collection_calls"), _t(universe, "call_turns")
    labels = _truth(universe, "call_labels")
    share = labels.call_id.nunique() / len(calls)
    assert 0.18 <= share <= 0.35
    assert set(labels.issue_type) == set(ISSUE_TYPES)
    with_turn = labels.dropna(subset=["turn_no"]).astype({"turn_no": int})
    said = with_turn.merge(turns, on=["call_id", "turn_no"], how="left")
    assert said.text.notna().all()
    assert (said.speaker == "agent").all()
    assert set(labels[labels.turn_no.isna()].issue_type) == {"off_hours", "missing_disclosure"}
    off = set(labels[labels.issue_type == "off_hours"].call_id)
    local = calls.started_at.dt.tz_convert(SHANGHAI)
    outside = {c for c, t in zip(calls.call_id, local, strict=True) if not permitted(t.time())}
    assert outside == off
    third = set(turns[turns.speaker == "third_party"].call_id)
    assert set(labels[labels.issue_type == "third_party_disclosure"].call_id) <= third
    assert turns.groupby("call_id").turn_no.apply(lambda n: sorted(n) == list(range(1, len(n) + 1))).all()
    assert turns.text.str.len().max() <= 300
    assert not turns.text.str.contains(r"\d{11}").any()


def test_mandatory_statements_are_missing_exactly_where_labelled(universe: Path) -> None:
    turns = _t(universe, "call_turns")
    missing = set(_truth(universe, "call_labels").query("issue_type == 'missing_disclosure'").call_id)
    agent = turns[turns.speaker == "agent"].groupby("call_id").text.apply(lambda t: "".join(t.iloc[:2]))
    complete = agent.apply(lambda t: "工号" in t and "银行" in t and "录音" in t)
    assert not complete[complete.index.isin(missing)].any()
    assert complete[~complete.index.isin(missing)].all()


def test_reviews_are_a_sample_of_calls_with_few_misses(universe: Path) -> None:
    calls, reviews = _t(universe, "collection_calls"), _t(universe, "call_reviews")
    labels = _truth(universe, "call_labels")
    reviewed = reviews.call_id.unique()
    assert 0.05 <= len(reviewed) / len(calls) <= 0.16
    found = reviews[reviews.issue_type != "none"]
    planted = labels.merge(found[["call_id", "issue_type"]], on=["call_id", "issue_type"], how="inner")
    assert len(planted) == len(found)  # reviewers never invent an issue
    in_sample = labels[labels.call_id.isin(reviewed)]
    assert len(found) >= 0.85 * len(in_sample)
    clean = reviews[reviews.issue_type == "none"].call_id
    assert clean.is_unique
    assert not clean.isin(found.call_id).any()
    started = calls.set_index("call_id").started_at
    assert (reviews.reviewed_at.to_numpy() > started.reindex(reviews.call_id).to_numpy()).all()


def test_no_personal_identifier_in_transcripts(universe: Path) -> None:
    text = " ".join(_t(universe, "call_turns").text)
    assert not re.search(r"1[3-9]\d{9}", text)
    assert not re.search(r"\d{17}[\dX]", text)
