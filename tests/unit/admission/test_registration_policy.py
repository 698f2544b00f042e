"""A bank's registration thresholds have the lifecycle of every tuned policy: registered with their sha256,
approved and activated by someone else (audited), read by the screen while active; the shipped version otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from registration_fixtures import T0, device, registration

from riskloop.admission.policy import POLICY_FILE
from riskloop.admission.policy import shipped_policy as shipped
from riskloop.domain.clock import FixedClock
from riskloop.domain.registration import ACCEPT, BLOCK, STEP_UP
from riskloop.errors import DataSourceError, ForbiddenError, ValidationError
from riskloop.scoring.registry import is_application_model
from riskloop.service.models import ModelLifecycle
from riskloop.service.ports import ModelHome
from riskloop.service.registration_policy import ActiveRegistrationPolicy, register_policy
from riskloop.service.registrations import RegistrationScreen
from riskloop.testing.fake_registry import InMemoryModelRegistry
from riskloop.testing.memory_registrations import MemoryVelocityStore

SHIPPED = Path(__file__).parents[3] / "src/riskloop/admission/data/registration-policy-v1.json"


@pytest.fixture
def home(tmp_path: Path) -> ModelHome:
    return ModelHome(tmp_path / "wh", tmp_path / "models", InMemoryModelRegistry(FixedClock(T0)), lambda: b"")


def _strict_file(tmp_path: Path, version: str = "bank-strict-1", **changes: Any) -> Path:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["version"] = version
    data["identifiers"]["device_id"]["limits"][0] |= {"step_up": 2, "block": 2}  # a device's second firm blocks
    data |= changes
    path = tmp_path / f"{version}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _screen(home: ModelHome) -> RegistrationScreen:
    source = ActiveRegistrationPolicy(home.registry, shipped())
    return RegistrationScreen(MemoryVelocityStore(), FixedClock(T0), source, lambda _, v: v)


def _second_firm_on_one_device(s: RegistrationScreen, first: int) -> str:
    s.screen_registration(registration(first, T0, device_id=device(900 + first)))
    return s.screen_registration(registration(first + 1, T0, device_id=device(900 + first))).outcome


def test_the_screen_reads_the_shipped_policy_until_another_person_activates_a_registered_one(
    home: ModelHome, tmp_path: Path
) -> None:
    s = _screen(home)
    assert _second_firm_on_one_device(s, 0) == STEP_UP
    assert "shipped" in s.policy_state()
    registered = register_policy(home, _strict_file(tmp_path), author="rita")
    assert registered["status"] == "registered"
    assert len(registered["sha256"]) == 64
    assert _second_firm_on_one_device(s, 10) == STEP_UP  # registered, not released: nothing changes
    lifecycle = ModelLifecycle(home.registry)  # type: ignore[arg-type]
    with pytest.raises(ForbiddenError):
        lifecycle.approve(registered["model_id"], "rita")  # never by its author
    lifecycle.approve(registered["model_id"], "otto")
    lifecycle.activate(registered["model_id"], "otto")
    assert _second_firm_on_one_device(s, 20) == BLOCK
    verdict = s.screen_registration(registration(40, T0))
    assert verdict.outcome == ACCEPT
    assert verdict.policy == "bank-strict-1 (registration-policy-v1, active)"
    assert "bank-strict-1" in s.policy_state()
    audit = home.registry.audit  # type: ignore[attr-defined]
    assert audit == [("rita", "model.registered", "registration-policy-v1"),
                     ("otto", "model.approved", "registration-policy-v1"),
                     ("otto", "model.activated", "registration-policy-v1")]  # fmt: skip
    assert not is_application_model("registration-policy")  # never served as a scoring model


def test_an_active_version_whose_file_changed_is_refused(home: ModelHome, tmp_path: Path) -> None:
    registered = register_policy(home, _strict_file(tmp_path), author="rita")
    lifecycle = ModelLifecycle(home.registry)  # type: ignore[arg-type]
    lifecycle.approve(registered["model_id"], "otto")
    lifecycle.activate(registered["model_id"], "otto")
    bundle = Path(home.registry.get(registered["model_id"]).path)
    (bundle / POLICY_FILE).write_text((bundle / POLICY_FILE).read_text().replace('"block": 2', '"block": 9'))
    s = _screen(home)
    with pytest.raises(DataSourceError, match="sha256"):
        s.screen_registration(registration(1, T0))
    assert "unusable" in s.policy_state()


def test_a_bad_file_is_refused_naming_the_key_and_a_reused_version_must_change(home: ModelHome, tmp_path: Path) -> None:
    bad = _strict_file(tmp_path, "bank-2", hold={"days": 1000})
    with pytest.raises(ValidationError) as raised:
        register_policy(home, bad, author="rita")
    assert raised.value.field == "hold.days"
    register_policy(home, _strict_file(tmp_path, "bank-3"), author="rita")
    assert register_policy(home, _strict_file(tmp_path, "bank-3"), author="rita")["policy_version"] == "bank-3"
    changed = _strict_file(tmp_path, "bank-3", recent_cap=32)
    with pytest.raises(ValidationError) as reused:
        register_policy(home, changed, author="rita")
    assert reused.value.field == "version"
