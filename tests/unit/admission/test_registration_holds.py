"""A block holds the registration's identifiers on the bank's grey list for the policy's days, audited, so the
decision path refers a later application using them; white-listed values and an own channel's device are not held."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from registration_fixtures import T0, code, device, person, phone, registration

from riskloop.admission.policy import shipped_policy
from riskloop.domain.clock import FixedClock
from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.lists import GREY
from riskloop.domain.registration import ACCEPT, BLOCK
from riskloop.service.lists import StoreListScreen
from riskloop.service.registrations import RegistrationScreen
from riskloop.testing.memory_lists import MemoryListStore
from riskloop.testing.memory_registrations import MemoryAllowlist, MemoryVelocityStore

MINUTE = dt.timedelta(minutes=1)
FARM = device(999)


def screen(lists: MemoryListStore, allowlist: MemoryAllowlist | None = None, **policy: object) -> RegistrationScreen:
    return RegistrationScreen(
        MemoryVelocityStore(), FixedClock(T0), replace(shipped_policy(), **policy), lambda _, v: v,
        allowlist=allowlist, holds=lists,
    )  # fmt: skip


def farm(s: RegistrationScreen, n: int, **shared: str) -> list[str]:
    return [s.screen_registration(registration(i, T0 + i * MINUTE, device_id=FARM, **shared)).outcome for i in range(n)]


def test_a_block_grey_lists_its_identifiers_with_provenance_and_an_audit_row() -> None:
    lists = MemoryListStore()
    s = screen(lists)
    outcomes = farm(s, 4)
    assert outcomes[-1] == BLOCK
    assert ACCEPT in outcomes
    entries = lists.entries(list_kind=GREY, include_ended=False, reveal_to="auditor", at=T0)
    values = {(e.identifier_kind, e.value) for e in entries}
    assert values == {("device_id", FARM), ("phone", phone(3)), ("credit_code", code(3)), ("legal_rep_id", person(3))}
    held = entries[0]
    assert held.source == "registration_screen"
    assert held.provenance["registration_id"] == "r3"
    assert "REG_VELOCITY_DEVICE" in held.provenance["reasons"]
    assert held.expires_at == held.valid_from + dt.timedelta(days=30)
    versions = [v for v in lists.versions() if v.action == "registration.block"]
    assert [v.detail["registration_id"] for v in versions] == ["r3"]
    assert {a.action for a in lists.audit} == {"registration.block", "pii.reveal"}


def test_the_next_block_on_the_same_farm_holds_only_what_is_new() -> None:
    lists = MemoryListStore()
    s = screen(lists)
    farm(s, 4)
    fifth = s.screen_registration(registration(4, T0 + 4 * MINUTE, device_id=FARM))
    assert fifth.outcome == BLOCK
    assert set(fifth.held) == {"phone", "credit_code", "legal_rep_id"}  # the farm's device is held already
    assert lists.versions()[-1].detail["already_listed"] == ["device_id"]


def test_a_later_application_with_a_held_identifier_hits_the_grey_list_and_an_honest_one_does_not() -> None:
    lists = MemoryListStore()
    farm(screen(lists), 4)
    later = T0 + dt.timedelta(days=2)
    screen_ = StoreListScreen(lists)
    blocked = _application(code(3), phone(3))
    assert screen_.screen(blocked, later).grey == ("credit_code", "phone")
    assert screen_.screen(_application(code(50), phone(50)), later).empty
    assert screen_.screen(blocked, T0 + dt.timedelta(days=31)).empty  # the hold expires


def test_white_listed_values_and_an_own_channels_device_are_never_held() -> None:
    lists, allow = MemoryListStore(), MemoryAllowlist()
    allow.add("legal_rep_id", person(3))
    farm(screen(lists, allow), 4)
    kinds = {e.identifier_kind for e in lists.entries(list_kind=GREY, include_ended=False, reveal_to=None, at=T0)}
    assert kinds == {"device_id", "phone", "credit_code"}
    kiosk = MemoryListStore()
    s = screen(kiosk)
    shared_phone = phone(777)  # blocked on the phone; the kiosk's device identifies nobody
    outcomes = [s.screen_registration(registration(i, T0 + i * MINUTE, phone=shared_phone, device_id=FARM,
                                                   channel="branch")).outcome for i in range(4)]  # fmt: skip
    assert outcomes[-1] == BLOCK
    held = {e.identifier_kind for e in kiosk.entries(list_kind=GREY, include_ended=False, reveal_to=None, at=T0)}
    assert "device_id" not in held
    assert "phone" in held


def test_a_policy_holding_nothing_writes_nothing() -> None:
    lists = MemoryListStore()
    s = screen(lists, hold_days=0)
    assert farm(s, 4)[-1] == BLOCK
    assert lists.versions() == []


def _application(credit_code: str, mobile: str) -> DecisionRequest:
    return DecisionRequest(
        application_id="A-1", credit_code=credit_code, phone=mobile, product_code="HRT-TAX",
        amount_cents=50_000_000, term_months=12, channel="mobile",
    )  # fmt: skip
