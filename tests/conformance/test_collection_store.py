"""CollectionStore conformance: the in-memory fake and the SQL adapter (SQLite, PostgreSQL) store plans, actions,
findings and QA cases alike, supersede and compare-and-set alike, so a use-case test on the fake says what the
database does."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from port_backends import NOW, CollectionBackend

from riskloop.domain.access import COLLECTION_LEAD, COLLECTOR
from riskloop.domain.audit import AuditEntry
from riskloop.domain.collection import ARM_KEYS, INSULT, MISSING_DISCLOSURE, THREAT
from riskloop.domain.collection_work import (
    ACTED,
    OPEN,
    QA_CLOSED,
    SUPERSEDED,
    Finding,
    Outcome,
    Plan,
    QaCase,
    closed_case,
    recorded,
)
from riskloop.errors import ConflictError
from riskloop.service.collections import CollectionDesk
from riskloop.testing.clock import SteppingClock
from riskloop.testing.principals import person
from riskloop.testing.race import Interleaved

CARL, CORA, LENA = person("carl", COLLECTOR), person("cora", COLLECTOR), person("lena", COLLECTION_LEAD)
PMF = {ARM_KEYS[0]: 0.75, ARM_KEYS[4]: 0.25}
PAID = Outcome(True, 123_456_789_012, True, 3, False)  # beyond 32 bits: money is a big integer


def plan(case: str, n: int = 1, at: dt.datetime = NOW, arm: str = ARM_KEYS[0]) -> Plan:
    return Plan(f"pln_{case}_{n}", case, n, arm, PMF.get(arm, 0.0), PMF, {ARM_KEYS[0]: 1_200, ARM_KEYS[4]: -50},
                ("逾期 12 天，短信回应率高", "cheap first"), "policy-v1", at)  # fmt: skip


def entry(action: str, entity_id: str, actor: str = "collections-job") -> AuditEntry:
    return AuditEntry(NOW, actor, action, "case", entity_id, {"n": 1})


def save(backend: CollectionBackend, *plans: Plan) -> int:
    return int(backend.store.save_plans(list(plans), entry("collection.planned", "policy-v1")))


def finding(call: str, issue: str, turn: int | None, score: float, source: str = "rule:r1") -> Finding:
    return Finding(call, issue, source, turn, "你再不还钱，我们就去你单位", score)


def qa_case(call: str, score: float, n: int = 1, at: dt.datetime = NOW) -> QaCase:
    return QaCase(f"qac_{call}_{n}", call, at, (THREAT,), score, dimension_scores={"compliance": 40, "courtesy": 100})


def test_plans_read_back_and_list_by_case_id(collection_stores: CollectionBackend) -> None:
    stored = [plan(c) for c in ("c3", "c1", "c2", "c4")]
    assert save(collection_stores, *stored) == 0
    store = collection_stores.store
    assert store.open_plan("c1") == stored[1]  # every field round-trips: maps, reasons, time zone
    assert store.open_plan("c9") is None

    def listed(status: str | None = OPEN, limit: int = 10, after: str | None = None) -> list[str]:
        return [p.case_id for p in store.plans(status=status, limit=limit, after=after)]

    assert listed() == ["c1", "c2", "c3", "c4"]
    assert listed(limit=2, after="c1") == ["c2", "c3"]
    assert listed(status=ACTED) == []
    assert collection_stores.trail("policy-v1") == [("collections-job", "collection.planned", {"n": 1})]


def test_a_new_plan_supersedes_the_open_one_of_its_case(collection_stores: CollectionBackend) -> None:
    save(collection_stores, plan("c1"), plan("c2"))
    later = NOW + dt.timedelta(days=1)
    assert save(collection_stores, plan("c2", 2, later), plan("c3", 2, later)) == 1
    store = collection_stores.store
    assert store.open_plan("c2") == plan("c2", 2, later)
    every = store.plans(status=None, limit=10, after=None)
    assert [(p.case_id, p.round_no, p.status, p.row_version) for p in every] == [
        ("c1", 1, OPEN, 1),
        ("c2", 1, SUPERSEDED, 2),
        ("c2", 2, OPEN, 1),
        ("c3", 2, OPEN, 1),
    ]
    assert [p.plan_id for p in store.plans(status=SUPERSEDED, limit=10, after=None)] == ["pln_c2_1"]


def test_a_batch_with_two_plans_of_one_case_stores_nothing(collection_stores: CollectionBackend) -> None:
    with pytest.raises(ConflictError):
        save(collection_stores, plan("c1"), plan("c1", 2))
    assert collection_stores.store.plans(status=None, limit=10, after=None) == []
    assert collection_stores.trail("policy-v1") == []


def test_thousands_of_plans_in_one_call_supersede_thousands(collection_stores: CollectionBackend) -> None:
    cases = [f"case-{i:05d}" for i in range(2_500)]
    assert save(collection_stores, *[plan(c) for c in cases]) == 0
    assert save(collection_stores, *[plan(c, 2) for c in cases[500:]]) == 2_000
    store = collection_stores.store
    page = store.plans(status=OPEN, limit=3, after="case-00498")
    assert [(p.case_id, p.round_no) for p in page] == [("case-00499", 1), ("case-00500", 2), ("case-00501", 2)]
    assert len(store.plans(status=SUPERSEDED, limit=5_000, after=None)) == 2_000


def test_recording_marks_the_plan_acted_and_stores_the_action(collection_stores: CollectionBackend) -> None:
    first, second = plan("c1"), plan("c2", at=NOW)
    save(collection_stores, first, second)
    store = collection_stores.store
    later = NOW + dt.timedelta(hours=2)
    acted_plan, action = recorded(first, ARM_KEYS[4], action_id="cac_1", at=NOW, by="carl", agent_id="A-7",
                                  outcome=PAID)  # fmt: skip
    store.record(first, acted_plan, action, entry("collection.recorded", "c1", "carl"))
    _, other = recorded(second, ARM_KEYS[0], action_id="cac_2", at=later, by="cora", agent_id=None,
                        outcome=Outcome(False, 0, False, None, True))  # fmt: skip
    store.record(second, replace(second, status=ACTED, row_version=2), other, entry("collection.recorded", "c2"))
    assert store.open_plan("c1") is None
    assert store.plans(status=ACTED, limit=10, after=None) == [acted_plan, replace(second, status=ACTED, row_version=2)]
    assert store.actions(case_id="c1") == [action]  # propensity, deviation, big money: all round-trip
    assert (action.propensity, action.followed_plan) == (0.25, False)
    assert store.actions() == [action, other]
    assert store.actions(since=later) == [other]
    assert store.actions(case_id="c9") == []
    assert collection_stores.trail("c1") == [("carl", "collection.recorded", {"n": 1})]


def test_a_record_over_a_stale_plan_is_refused_and_writes_nothing(collection_stores: CollectionBackend) -> None:
    first = plan("c1")
    save(collection_stores, first)
    save(collection_stores, plan("c1", 2))  # superseded after the collector read it
    store = collection_stores.store
    after, action = recorded(first, ARM_KEYS[0], action_id="cac_1", at=NOW, by="carl", agent_id=None, outcome=PAID)
    with pytest.raises(ConflictError):
        store.record(first, after, action, entry("collection.recorded", "c1", "carl"))
    assert store.actions() == []
    assert collection_stores.trail("c1") == []
    assert store.open_plan("c1") == plan("c1", 2)


def test_a_rival_record_between_read_and_write_wins_alone(collection_stores: CollectionBackend) -> None:
    save(collection_stores, plan("c1"))
    clock = SteppingClock(NOW)
    rival = CollectionDesk(collection_stores.store, clock)
    racing = Interleaved(collection_stores.store, lambda: rival.record(CORA, "c1", {"cured": True, "days_to_cure": 2}),
                         writes=frozenset({"record"}))  # fmt: skip
    with pytest.raises(ConflictError):
        CollectionDesk(racing, clock).record(CARL, "c1", {"amount_paid_cents": 100})
    (won,) = collection_stores.store.actions(case_id="c1")
    assert (won.recorded_by, won.outcome.cured) == ("cora", True)
    assert [(actor, action) for actor, action, _ in collection_stores.trail("c1")] == [("cora", "collection.recorded")]


def test_two_collectors_recording_at_once_store_one_action(collection_stores: CollectionBackend) -> None:
    first = plan("c1")
    save(collection_stores, first)
    start = threading.Barrier(2)

    def attempt(who: str) -> str:
        after, action = recorded(first, ARM_KEYS[0], action_id=f"cac_{who}", at=NOW, by=who, agent_id=None,
                                 outcome=PAID)  # fmt: skip
        start.wait()
        try:
            collection_stores.store.record(first, after, action, entry("collection.recorded", "c1", who))
        except ConflictError:
            return "lost"
        return "won"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(attempt, ["carl", "cora"]))
    assert results == ["lost", "won"]
    assert len(collection_stores.store.actions(case_id="c1")) == 1
    assert len(collection_stores.trail("c1")) == 1


def test_a_check_replaces_the_findings_and_keeps_one_open_case(collection_stores: CollectionBackend) -> None:
    store = collection_stores.store
    found = [finding("call1", INSULT, 7, 0.4), finding("call1", THREAT, 3, 0.9),
             finding("call1", MISSING_DISCLOSURE, None, 0.8, "model:qa@2")]  # fmt: skip
    first = qa_case("call1", 0.9)
    assert store.save_check("call1", found, first, entry("collection.call_checked", "call1")) == first
    assert [(f.turn_no, f.issue_type) for f in store.findings("call1")] == [
        (None, MISSING_DISCLOSURE), (3, THREAT), (7, INSULT),
    ]  # fmt: skip
    assert store.findings("call1")[1] == found[1]
    again = [finding("call1", THREAT, 4, 0.95)]
    assert (
        store.save_check("call1", again, qa_case("call1", 0.95, 2), entry("collection.call_checked", "call1")) == first
    )
    assert store.findings("call1") == again
    assert store.qa_case("qac_call1_2") is None
    assert store.save_check("call2", [], None, entry("collection.call_checked", "call2")) is None
    assert store.findings("call2") == []
    assert [a for _, a, _ in collection_stores.trail("call1")] == ["collection.call_checked"] * 2


def test_qa_cases_list_by_score_and_close_by_compare_and_set(collection_stores: CollectionBackend) -> None:
    store = collection_stores.store
    later = NOW + dt.timedelta(minutes=5)
    for call, score, at in (("a", 0.6, NOW), ("b", 0.9, later), ("c", 0.6, later), ("d", 0.7, NOW)):
        store.save_check(call, [finding(call, THREAT, 1, score)], qa_case(call, score, at=at),
                         entry("collection.call_checked", call))  # fmt: skip
    assert [c.call_id for c in store.qa_cases(status=None, limit=10)] == ["b", "d", "a", "c"]
    before = store.qa_case("qac_a_1")
    assert before == qa_case("a", 0.6)
    closed = closed_case(before, by="lena", resolution="confirmed", comment="coached the agent")
    store.save_qa_case(before, closed, AuditEntry(later, "lena", "collection.qa_closed", "qa_case", "qac_a_1", {}))
    assert store.qa_case("qac_a_1") == closed
    rival = closed_case(before, by="lena", resolution="dismissed", comment=None)
    with pytest.raises(ConflictError):
        store.save_qa_case(before, rival, entry("collection.qa_closed", "qac_a_1"))
    assert store.qa_case("qac_a_1") == closed
    assert [c.call_id for c in store.qa_cases(status="open", limit=2)] == ["b", "d"]
    assert [c.status for c in store.qa_cases(status=QA_CLOSED, limit=10)] == [QA_CLOSED]
    assert store.qa_case("qac_none") is None
    reopened = qa_case("a", 0.8, 2, later)  # a closed case leaves room for a new one on the next check
    assert store.save_check("a", [], reopened, entry("collection.call_checked", "a")) == reopened
    assert [(actor, a) for actor, a, _ in collection_stores.trail("qac_a_1")] == [("lena", "collection.qa_closed")]


def test_the_desk_end_to_end_on_the_store(collection_stores: CollectionBackend) -> None:
    save(collection_stores, plan("c1"))
    desk = CollectionDesk(collection_stores.store, SteppingClock(NOW))
    done = desk.record(CARL, "c1", {"promise_to_pay": True})
    assert desk.case(LENA, "c1") == {"case_id": "c1", "plan": None, "actions": [done.as_dict()]}
    assert desk.history() == [done]
