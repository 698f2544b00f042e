"""The lists' use cases on the in-memory store: loads validated row by row, versions, roles, and decisions."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.access import AUDITOR, LIST_KEEPER, REVIEWER
from riskloop.domain.clock import FixedClock
from riskloop.domain.decision import Tier
from riskloop.errors import ForbiddenError, ValidationError
from riskloop.service.decide import DecisionInputs
from riskloop.service.lists import ListDesk, StoreListScreen, UnavailableListScreen
from riskloop.testing.decider import CODE, IDENTITY, NOW, make_decider, request
from riskloop.testing.memory_lists import MemoryListStore
from riskloop.testing.principals import person

KEEPER, RITA, AUDIT = person("kim", LIST_KEEPER), person("rita", REVIEWER), person("dan", AUDITOR)
GOOD = {"identifier_kind": "phone", "value": "13900139000", "reason": "fraud"}


@pytest.fixture
def store() -> MemoryListStore:
    return MemoryListStore()


@pytest.fixture
def desk(store: MemoryListStore) -> ListDesk:
    return ListDesk(store, FixedClock(NOW))


def decide(store: MemoryListStore, **changes: object) -> tuple[Tier, list[str]]:
    decision = make_decider(lists=StoreListScreen(store)).decide(request(**changes)).decision
    return decision.tier, [r.code for r in decision.reasons]


def test_a_file_with_a_bad_row_is_refused_whole_and_every_bad_row_is_named(desk, store):
    rows = [(2, GOOD), (3, {**GOOD, "value": "12"}), (4, {**GOOD, "reason": ""}), (5, {**GOOD, "identifier_kind": "x"})]
    report = desk.load(KEEPER, rows, file="bl.csv", list_kind="black")
    assert report["status"] == "refused"
    assert report["stored"] == 0
    assert store.versions() == []
    named = [(p["file"], p["row"], p["field"]) for p in report["problems"]]
    assert named == [("bl.csv", 3, "value"), ("bl.csv", 4, "reason"), ("bl.csv", 5, "identifier_kind")]
    assert all(p["reason"] for p in report["problems"])  # each says what is wrong


def test_with_quarantine_the_good_rows_are_one_version_and_the_bad_are_reported(desk, store):
    rows = [(2, GOOD), (3, {**GOOD, "value": "12"}), (4, {**GOOD, "value": "13800138000", "expires_at": "2027-01-01"})]
    report = desk.load(KEEPER, rows, file="bl.csv", list_kind="black", quarantine=True)
    assert (report["status"], report["stored"], report["quarantined"], report["version"]) == (
        "loaded with quarantine", 2, 1, 1)  # fmt: skip
    [version] = store.versions()
    assert version.detail["quarantined"] == [{"file": "bl.csv", "row": 3, "field": "value",
                                              "reason": report["problems"][0]["reason"]}]  # fmt: skip
    entries = desk.show(KEEPER)
    assert [e.provenance for e in entries] == [{"file": "bl.csv", "row": "2"}, {"file": "bl.csv", "row": "4"}]
    assert entries[1].expires_at == dt.datetime(2026, 12, 31, 16, tzinfo=dt.UTC)  # Beijing midnight


def test_only_list_keepers_edit_and_only_auditors_or_keepers_see_values(desk, store):
    with pytest.raises(ForbiddenError):
        desk.add(RITA, list_kind="black", identifier_kind="phone", value="13900139000", reason="x")
    desk.add(KEEPER, list_kind="black", identifier_kind="phone", value="13900139000", reason="fraud")
    [masked] = desk.show(RITA)
    assert masked.value is None
    assert masked.label == "139****9000"
    with pytest.raises(ForbiddenError, match="values whole"):
        desk.show(RITA, reveal=True)
    [whole] = desk.show(AUDIT, reveal=True)
    assert whole.value == "13900139000"
    assert [a.actor for a in store.audit if a.action == "pii.reveal"] == ["dan"]


def test_removal_end_dates_and_keeps_the_history(desk, store):
    added = desk.add(KEEPER, list_kind="black", identifier_kind="credit_code", value=CODE, reason="fraud")
    assert decide(store)[0] is Tier.AUTO_REJECT
    ended = desk.end(KEEPER, added.entry_id, "cleared by investigation")
    assert ended.ended_by == "kim"
    assert ended.ended_at == NOW
    assert desk.show(KEEPER) == []
    assert len(desk.show(KEEPER, include_ended=True)) == 1
    assert [v.action for v in desk.versions()] == ["list.add", "list.end"]
    later = make_decider(lists=StoreListScreen(store), clock=FixedClock(NOW + dt.timedelta(seconds=1)))
    assert later.decide(request()).decision.tier is Tier.AUTO_APPROVE


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [("credit_code", CODE, "credit_code"), ("phone", IDENTITY["phone"], "phone"),
     ("device_id", IDENTITY["device_id"], "device_id"), ("resident_id", IDENTITY["applicant_id"], "applicant_id")],
)  # fmt: skip
def test_a_black_listed_identifier_declines_with_the_blacklist_reason(desk, store, kind, value, field):
    desk.add(KEEPER, list_kind="black", identifier_kind=kind, value=value, reason="fraud")
    tier, codes = decide(store)
    assert tier is Tier.AUTO_REJECT
    assert "BLACKLIST" in codes


def test_a_black_listed_bank_account_declines(desk, store):
    desk.add(KEEPER, list_kind="black", identifier_kind="bank_account", value="6222 0212 3456 7890", reason="mule")
    assert decide(store, bank_account="6222021234567890")[1][:1] == ["BLACKLIST"]


def test_a_grey_listed_identifier_refers_with_a_list_reason(desk, store):
    desk.add(KEEPER, list_kind="grey", identifier_kind="phone", value=IDENTITY["phone"], reason="watch")
    tier, codes = decide(store)
    assert tier is Tier.MANUAL_REVIEW
    assert codes[0] == "LIST_GREY"
    decision = make_decider(lists=StoreListScreen(store)).decide(request()).decision
    [notes] = [s["values"] for s in decision.trace if s.get("node") == "pipeline"]
    [entry] = desk.show(KEEPER)
    assert notes["lists"] == {"black": [], "grey": ["phone"], "white": [], "entries": [entry.entry_id]}
    assert notes["list_floor"] == "auto_approve referred: grey-listed: phone"


def test_the_white_list_is_no_approval_override(desk, store):
    desk.add(KEEPER, list_kind="white", identifier_kind="credit_code", value=CODE, reason="key client")
    assert decide(store, face_match_score=0.3)[0] is Tier.AUTO_REJECT  # declined as without the list
    desk.add(KEEPER, list_kind="black", identifier_kind="credit_code", value=CODE, reason="fraud")
    assert decide(store)[1][:1] == ["BLACKLIST"]  # black wins over white


def test_empty_lists_change_no_decision(store):
    for changes in ({}, {"face_match_score": 0.3}, {"applicant_id": None}, {"bureau_score": 400}):
        plain = make_decider().decide(request(**changes)).decision
        screened = make_decider(lists=StoreListScreen(store)).decide(request(**changes)).decision
        assert (screened.tier, screened.limit_cents, screened.reasons) == (plain.tier, plain.limit_cents, plain.reasons)


def test_lists_that_cannot_be_read_refer_and_the_inputs_replay():
    outcome = make_decider(lists=UnavailableListScreen("key missing")).decide(request())
    assert outcome.decision.tier is Tier.MANUAL_REVIEW
    assert outcome.decision.reasons[0].code == "LIST_UNAVAILABLE"
    again = DecisionInputs.from_dict(outcome.inputs.to_dict())
    assert again == outcome.inputs


def test_a_reviewer_confirms_a_gang_and_its_identifiers_are_black_listed_with_provenance(desk, store):
    with pytest.raises(ForbiddenError):
        desk.confirm_gang(KEEPER, "G-7", credit_codes=[CODE], identifiers=[], evidence="case://7")
    with pytest.raises(ValidationError, match=r"identifiers\[1\]"):
        desk.confirm_gang(RITA, "G-7", credit_codes=[CODE], identifiers=[("phone", "12")], evidence="case://7")
    result = desk.confirm_gang(RITA, "G-7", credit_codes=[CODE], identifiers=[("device_id", "dev-x")],
                               evidence="case://7")  # fmt: skip
    assert [e["provenance"] for e in result["entries"]] == [{"gang_id": "G-7", "reviewer": "rita",
                                                             "evidence": "case://7"}] * 2  # fmt: skip
    assert {e["source"] for e in result["entries"]} == {"gang_confirmed"}
    assert [v.action for v in store.versions()] == ["gang.confirm"]
    tier, codes = decide(store)
    assert tier is Tier.AUTO_REJECT
    assert "BLACKLIST" in codes
    assert decide(store, credit_code="91350100M000100Y43", device_id="dev-x")[0] is Tier.AUTO_REJECT
