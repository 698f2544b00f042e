"""Screening one registration at a time: windows slide with time, allow-listed values and known customers are
relaxed, the state per key stays bounded, bad input and bad thresholds are clear errors."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from registration_fixtures import T0, device, ip, phone, registration

from riskloop.admission.policy import parse_policy, shipped_policy
from riskloop.admission.state import KeyState
from riskloop.domain.clock import FixedClock
from riskloop.domain.registration import ACCEPT, BLOCK, STEP_UP, Registration
from riskloop.errors import ValidationError
from riskloop.service.registrations import RegistrationScreen, replay
from riskloop.testing.memory_registrations import MemoryAllowlist, MemoryVelocityStore

MINUTE = dt.timedelta(minutes=1)


def screen(store: MemoryVelocityStore | None = None, allowlist: MemoryAllowlist | None = None) -> RegistrationScreen:
    return RegistrationScreen(
        store or MemoryVelocityStore(), FixedClock(T0), shipped_policy(), lambda _, v: v, allowlist=allowlist
    )


def farm(s: RegistrationScreen, firms: range, at: dt.datetime, **shared: str) -> list[str]:
    """Registrations of ``firms`` a minute apart, sharing ``shared``; their outcomes."""
    return [s.screen_registration(registration(i, at + k * MINUTE, **shared)).outcome for k, i in enumerate(firms)]


def test_unrelated_registrations_are_accepted() -> None:
    s = screen()
    assert farm(s, range(40), T0) == [ACCEPT] * 40


def test_one_device_for_many_firms_steps_up_then_blocks() -> None:
    outcomes = farm(screen(), range(6), T0, device_id=device(999))
    assert outcomes[0] == ACCEPT
    assert outcomes[1] == STEP_UP  # a family's second firm on one phone: a second factor, not a block
    assert outcomes[-1] == BLOCK


def test_the_window_slides_and_the_same_device_is_clean_again_after_it() -> None:
    s = screen()
    assert farm(s, range(4), T0, phone=phone(999))[-1] == BLOCK
    later = T0 + dt.timedelta(days=31)  # past the longest window of the phone's limits
    verdict = s.screen_registration(registration(50, later, phone=phone(999)))
    assert verdict.outcome == ACCEPT
    assert farm(s, range(60, 62), later + MINUTE, phone=phone(999))[-1] == STEP_UP  # counted afresh


def test_reasons_name_the_identifier_in_the_catalogue() -> None:
    s = screen()
    farm(s, range(4), T0, phone=phone(7), device_id=device(7))
    verdict = s.screen_registration(registration(9, T0 + 10 * MINUTE, phone=phone(7), device_id=device(7)))
    assert verdict.outcome == BLOCK
    assert set(verdict.reasons) == {"REG_VELOCITY_PHONE", "REG_VELOCITY_DEVICE"}
    assert {sig["window"] for sig in verdict.signals} <= {"1d", "30d"}


def test_an_allow_listed_device_is_relaxed() -> None:
    allow = MemoryAllowlist()
    allow.add("device_id", device(999))
    assert farm(screen(allowlist=allow), range(8), T0, device_id=device(999)) == [ACCEPT] * 8


def test_an_expired_allow_list_entry_no_longer_relaxes() -> None:
    allow = MemoryAllowlist()
    allow.add("device_id", device(999), until=T0 + 2 * MINUTE)
    outcomes = farm(screen(allowlist=allow), range(8), T0, device_id=device(999))
    assert outcomes[:2] == [ACCEPT, ACCEPT]
    assert outcomes[-1] == BLOCK


def test_a_known_customer_re_registering_is_relaxed_but_a_stranger_on_its_code_is_not() -> None:
    s = screen()
    home = {"phone": phone(1), "device_id": device(1)}
    assert s.screen_registration(registration(1, T0, **home)).outcome == ACCEPT
    later = T0 + dt.timedelta(days=200)
    # the same firm, the same legal representative, a new phone and device, twice (a lost phone, then a retry)
    again = [
        s.screen_registration(registration(1, later + k * MINUTE, phone=phone(100 + k), device_id=device(100 + k)))
        for k in range(2)
    ]
    assert [v.outcome for v in again] == [ACCEPT, ACCEPT]
    strangers = [
        s.screen_registration(
            registration(
                1,
                later + (5 + k) * MINUTE,
                phone=phone(200 + k),
                device_id=device(200 + k),
                legal_rep_id=registration(300 + k).legal_rep_id,
            )
        )
        for k in range(3)
    ]
    assert strangers[-1].outcome in (STEP_UP, BLOCK)
    assert "REG_RELAXED_KNOWN_CUSTOMER" not in strangers[-1].reasons


def test_a_burst_on_one_network_asks_for_a_second_factor_only() -> None:
    s = screen()
    farm(s, range(1000, 1400), T0 - dt.timedelta(days=20))  # the platform watched for twenty days
    net = ip(5).rsplit(".", 1)[0]
    outcomes = farm(s, range(40), T0, ip=f"{net}.9")  # an office or a venue: one address, many firms
    assert outcomes[0] == ACCEPT
    assert STEP_UP in outcomes
    assert BLOCK not in outcomes


def test_the_state_of_a_key_stays_bounded() -> None:
    store = MemoryVelocityStore()
    s = screen(store)
    farm(s, range(500), T0, ip="203.0.113.9")
    policy = shipped_policy()
    for (kind, _), state in store.states.items():
        assert len(state.recent) <= max(policy.recent_cap, 1), kind
        assert len(state.buckets) <= 24 * 31 + 1


def test_idle_keys_are_forgotten_after_the_retention() -> None:
    store = MemoryVelocityStore()
    s = screen(store)
    farm(s, range(50), T0)
    held = store.size()
    assert held > 50
    s.screen_registration(registration(999, T0 + dt.timedelta(days=40)))
    s.expire(T0 + dt.timedelta(days=40))
    assert store.size() < 20  # only the newest registration's keys and the platform's


def test_a_state_round_trips_through_json() -> None:
    state = KeyState()
    state.add(100, "a", cap=4, retention=1000)
    state.add(200, "b", cap=4, retention=1000)
    state.clean_since, state.owner = 100, "rep"
    assert KeyState.from_json(state.to_json()) == state


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("ip", "127.0.0.1"), ("credit_code", "91110000000000000X"), ("channel", "fax"),
     ("legal_rep_id", "110101199001011234"), ("registration_id", "")],
)  # fmt: skip
def test_bad_input_names_the_field(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        registration(1, **{field: value})
    assert caught.value.field == field


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="registered_at"):
        Registration.from_mapping(registration(1).__dict__ | {}, dt.datetime(2026, 1, 1))


def test_a_replay_reports_bad_and_out_of_order_rows_and_screens_the_rest() -> None:
    good = {k: v for k, v in registration(1).__dict__.items() if k != "at"} | {"registered_at": T0}
    rows = [good, good | {"phone": "x", "registration_id": "r2"}, good | {"registered_at": T0 - MINUTE}]
    results = list(replay(screen(), rows))
    assert results[0][1].outcome == ACCEPT  # type: ignore[union-attr]
    assert isinstance(results[1][1], ValidationError)
    assert results[1][1].field == "phone"
    assert isinstance(results[2][1], ValidationError)
    assert results[2][1].field == "registered_at"


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("identifiers", "phone", "limits", 0, "block"), 1, "identifiers.phone.limits[0].block"),
        (("identifiers", "phone", "limits", 0, "window"), "2d", "identifiers.phone.limits[0].window"),
        (("identifiers", "device_id", "party"), "household", "identifiers.device_id.party"),
        (("shared", "alpha"), 1.5, "shared.alpha"),
        (("points", "block"), "3", "points.block"),
        (("hold", "days"), -1, "hold.days"),
        (("hold", "kinds"), ["ip"], "hold.kinds"),
        (("version",), "", "version"),
    ],
)
def test_bad_thresholds_are_validation_errors_naming_the_key(path: tuple[object, ...], value: object, key: str):
    data: Any = _shipped_json()
    inner = data
    for step in path[:-1]:
        inner = inner[step]
    inner[path[-1]] = value
    with pytest.raises(ValidationError) as raised:
        parse_policy(data, "bank.json")
    assert raised.value.field == key
    assert "bank.json" in raised.value.problem


def test_a_policy_without_a_hold_holds_the_four_identifiers_for_30_days() -> None:
    data: Any = _shipped_json()
    del data["hold"]
    policy = parse_policy(data, "bank.json")
    assert (policy.hold_days, set(policy.hold_kinds)) == (30, {"phone", "device_id", "legal_rep_id", "credit_code"})


def _shipped_json() -> dict[str, object]:
    from importlib import resources

    text = resources.files("riskloop.admission").joinpath("data", "registration-policy-v1.json").read_text("utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_a_households_phone_and_device_are_one_piece_of_evidence() -> None:
    s = screen()
    shared = {"phone": phone(77), "device_id": device(77)}
    outcomes = farm(s, range(3), T0, **shared)  # a family's firms on one phone and device
    assert outcomes == [ACCEPT, STEP_UP, STEP_UP]
