"""Lexicon rules on handwritten transcripts: each issue at its turn, and the hard negatives clean."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.collection.qa import rules_only
from riskloop.collection.qa_rules import load_lexicon, negated
from riskloop.domain.collection import DIMENSIONS, MISSING_DISCLOSURE, OFF_HOURS, THIRD_PARTY

from .transcripts import (
    CASES,
    OPENING,
    THIRD_PARTY_DISCLOSES,
    THIRD_PARTY_REFUSED,
    THIRD_PARTY_THEN_DEBTOR,
    make_call,
)
from .transcripts import MISSING_DISCLOSURE as MISSING_TURNS

QA = rules_only()


@pytest.mark.parametrize(("call_id", "turns", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_issue_found_at_its_turn_and_negatives_clean(call_id, turns, expected):
    result = QA.check(make_call(call_id, OPENING + turns))
    found = {(f.issue_type, f.turn_no) for f in result.findings}
    assert found == expected
    assert all(f.source.startswith("rule:") for f in result.findings)
    for f in result.findings:
        assert f.utterance == (OPENING + turns)[f.turn_no - 1][1]
    assert result.needs_review == bool(expected)


def test_rules_only_names_its_lexicon():
    assert QA.name == "rules@qa-lexicon-v1"


def test_the_debtors_insults_are_not_the_agents():
    turns = {c[0]: c[1] for c in CASES}["debtor-insults-agent"]
    assert any("骗子" in text for speaker, text in turns if speaker == "debtor")
    assert QA.check(make_call("d", OPENING + turns)).findings == ()


def test_third_party_disclosure_needs_a_third_party_on_the_line():
    disclosed = QA.check(make_call("tp", THIRD_PARTY_DISCLOSES))
    assert [(f.issue_type, f.turn_no, f.source) for f in disclosed.findings] == [
        (THIRD_PARTY, 3, "rule:DIS-THIRD-PARTY")
    ]
    assert disclosed.scores["disclosure"] < 50
    # The same words once the debtor has taken the phone are the normal business of the call.
    assert QA.check(make_call("tpd", THIRD_PARTY_THEN_DEBTOR)).findings == ()
    # Refusing to tell the debtor's spouse anything is what the agent should do.
    assert QA.check(make_call("tpr", THIRD_PARTY_REFUSED)).findings == ()


def test_missing_statements_named():
    result = QA.check(make_call("m", MISSING_TURNS))
    (finding,) = result.findings
    assert (finding.issue_type, finding.turn_no) == (MISSING_DISCLOSURE, None)
    assert finding.detail == "missing: identity, institution, recording"
    # The opening without the recording notice misses exactly that.
    no_recording = (("agent", OPENING[0][1].replace("本次通话将全程录音。", "")), *OPENING[1:])
    (finding,) = QA.check(make_call("m2", no_recording)).findings
    assert finding.detail == "missing: recording"


@pytest.mark.parametrize(
    ("utc", "off"),
    [
        (dt.datetime(2024, 5, 14, 0, 0, tzinfo=dt.UTC), False),  # 08:00 in Shanghai: the first permitted minute
        (dt.datetime(2024, 5, 13, 23, 59, tzinfo=dt.UTC), True),  # 07:59
        (dt.datetime(2024, 5, 14, 12, 59, tzinfo=dt.UTC), False),  # 20:59
        (dt.datetime(2024, 5, 14, 13, 0, tzinfo=dt.UTC), True),  # 21:00
        (dt.datetime(2024, 5, 14, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), True),  # given in local time
    ],
)
def test_off_hours_in_china_time(utc, off):
    result = QA.check(make_call("h", OPENING, started_at=utc))
    assert [f.issue_type for f in result.findings] == ([OFF_HOURS] if off else [])


def test_negation_in_the_same_clause_only():
    lexicon = load_lexicon()
    text = "我们不会让您坐牢，但不还钱就坐牢"
    first, second = (i for i in range(len(text)) if text.startswith("坐牢", i))
    assert negated(lexicon, text, first, first + 2)
    assert not negated(lexicon, text, second, second + 2)


def test_dimension_scores_follow_the_findings():
    turns = {c[0]: c[1] for c in CASES}["insult"]
    result = QA.check(make_call("i", OPENING + turns))
    assert set(result.scores) == set(DIMENSIONS)
    assert result.scores["courtesy"] == round(100 * (1 - max(f.score for f in result.findings)))
    assert {d: s for d, s in result.scores.items() if d != "courtesy"} == dict.fromkeys(
        [d for d in DIMENSIONS if d != "courtesy"], 100
    )
