"""The collection desk's rules on the in-memory store: plans, logged propensities, QA cases and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from riskloop.domain.access import AUDITOR, CHANNEL, COLLECTION_LEAD, COLLECTOR
from riskloop.domain.collection import ARM_KEYS, INSULT, MISSING_DISCLOSURE, THREAT
from riskloop.domain.collection_work import ACTED, OPEN, SUPERSEDED, Finding
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.service.collection_ports import CheckedCall, Choice
from riskloop.service.collections import CollectionDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_collections import MemoryCollectionStore
from riskloop.testing.principals import person

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
CARL, CORA = person("carl", COLLECTOR), person("cora", COLLECTOR)
LENA, AUDREY, CHAN = person("lena", COLLECTION_LEAD), person("audrey", AUDITOR), person("web", CHANNEL)


class TwoArmChooser:
    """A policy over two arms: 0.9 on the first, 0.1 on the second (the rest never)."""

    policy_id = "collection-policy-v1"

    def choose_rows(self, contexts: Any, seed: int) -> list[Choice]:
        pmf = {ARM_KEYS[0]: 0.9, ARM_KEYS[1]: 0.1}
        return [Choice(ARM_KEYS[0], 0.9, pmf, {ARM_KEYS[0]: 500, ARM_KEYS[1]: 100}, ("cheap reminder",))
                for _ in contexts]  # fmt: skip


class FixedChecker:
    """Findings fixed per call id, threshold 0.5."""

    def __init__(self, findings: dict[str, tuple[Finding, ...]]) -> None:
        self.found = findings

    def check_call(self, call_id: str, started_at: dt.datetime, turns: Sequence[tuple[int, str, str]]) -> CheckedCall:
        return CheckedCall(self.found.get(call_id, ()), {"compliance": 100}, 0.5, "fixed@1")


@pytest.fixture
def store() -> MemoryCollectionStore:
    return MemoryCollectionStore()


@pytest.fixture
def desk(store: MemoryCollectionStore) -> CollectionDesk:
    return CollectionDesk(store, SteppingClock(NOW))


def planned(desk: CollectionDesk, *cases: str) -> dict[str, Any]:
    return desk.plan([(c, 1) for c in cases], list(cases), TwoArmChooser(), seed=7)


def test_a_new_plan_supersedes_the_open_one(desk: CollectionDesk, store: MemoryCollectionStore) -> None:
    assert planned(desk, "c1", "c2")["planned"] == 2
    first = store.open_plan("c1")
    again = planned(desk, "c1")
    assert again["superseded"] == 1
    assert store.open_plan("c1") != first
    assert [p.status for p in desk.cases(CARL, status=None) if p.case_id == "c1"].count(SUPERSEDED) == 1


def test_recording_logs_the_plans_propensity_of_the_arm_taken(desk: CollectionDesk) -> None:
    planned(desk, "c1", "c2")
    followed = desk.record(CARL, "c1", {"amount_paid_cents": 12_345, "promise_to_pay": True})
    assert (followed.arm, followed.propensity, followed.followed_plan) == (ARM_KEYS[0], 0.9, True)
    deviated = desk.record(CORA, "c2", {"arm": ARM_KEYS[1]})
    assert (deviated.propensity, deviated.followed_plan) == (0.1, False)
    assert {a.case_id: a.propensity for a in desk.history()} == {"c1": 0.9, "c2": 0.1}
    assert desk.case(AUDREY, "c1")["plan"] is None  # acted: no open plan left
    assert desk.cases(CARL, status=ACTED)[0].case_id == "c1"


def test_a_plan_is_acted_on_once(desk: CollectionDesk, store: MemoryCollectionStore) -> None:
    planned(desk, "c1")
    before = store.open_plan("c1")
    desk.record(CARL, "c1", {})
    with pytest.raises(NotFoundError, match="no open plan"):
        desk.record(CORA, "c1", {})
    assert before is not None
    assert before.status == OPEN
    with pytest.raises(ConflictError):  # a second writer holding the plan it read loses the race
        store.record(before, before, desk.history()[0], store.audit[-1])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_paid_cents": -1}, "amount_paid_cents"),
        ({"amount_paid_cents": 1.5}, "amount_paid_cents"),
        ({"cured": True}, "days_to_cure"),
        ({"days_to_cure": 3}, "days_to_cure"),
        ({"complaint": "yes"}, "complaint"),
        ({"arm": "sms@midnight"}, "arm"),
        ({"agent_id": ""}, "agent_id"),
    ],
)
def test_bad_outcomes_name_their_field(desk: CollectionDesk, body: dict[str, Any], field: str) -> None:
    planned(desk, "c1")
    with pytest.raises(ValidationError) as error:
        desk.record(CARL, "c1", body)
    assert error.value.field == field
    assert desk.history() == []


def test_roles(desk: CollectionDesk) -> None:
    planned(desk, "c1")
    with pytest.raises(ForbiddenError, match="collector"):
        desk.cases(CHAN)
    with pytest.raises(ForbiddenError):
        desk.record(AUDREY, "c1", {})
    with pytest.raises(ForbiddenError, match="collection_lead"):
        desk.qa_cases(CARL)
    assert len(desk.cases(AUDREY)) == 1


def finding(issue: str, score: float, turn: int | None = 3, text: str = "你再不还钱试试看") -> Finding:
    return Finding("call1", issue, "rule:x", turn, text, score)


def test_a_finding_at_the_threshold_opens_one_case_for_the_lead(desk: CollectionDesk) -> None:
    checker = FixedChecker({
        "call1": (finding(THREAT, 0.5), finding(INSULT, 0.2, 5), finding(MISSING_DISCLOSURE, 0.9, None)),
        "call2": (finding(INSULT, 0.49),),
    })  # fmt: skip
    first = desk.check(CARL, checker, "call1", NOW, [(1, "agent", "您好")])
    assert first["qa_case"]["issue_types"] == [MISSING_DISCLOSURE, THREAT]
    assert desk.check(None, checker, "call1", NOW, [(1, "agent", "您好")])["qa_case"] == first["qa_case"]
    assert desk.check(CARL, checker, "call2", NOW, [(1, "agent", "您好")])["qa_case"] is None
    cases = desk.qa_cases(LENA)
    assert [c.call_id for c in cases] == ["call1"]
    assert [f.turn_no for f in desk.findings(CARL, "call1")] == [None, 3, 5]
    closed = desk.close_qa_case(LENA, cases[0].qa_case_id, {"resolution": "confirmed", "comment": "coached"})
    assert (closed.status, closed.closed_by) == ("closed", "lena")
    with pytest.raises(ConflictError):
        desk.close_qa_case(LENA, cases[0].qa_case_id, {"resolution": "dismissed"})
    with pytest.raises(ForbiddenError):
        desk.close_qa_case(CARL, cases[0].qa_case_id, {"resolution": "dismissed"})


def test_stored_utterances_are_scrubbed(desk: CollectionDesk) -> None:
    checker = FixedChecker({"call1": (finding(THREAT, 0.8, 2, "你欠的钱我们会打13800138000告诉你家人"),)})
    desk.check(CARL, checker, "call1", NOW, [(1, "agent", "x")])
    assert "13800138000" not in desk.findings(LENA, "call1")[0].utterance
