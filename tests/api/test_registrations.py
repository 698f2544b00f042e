"""POST /v1/registrations: channels screen sign-ups; outcomes come with catalogue reasons in Chinese and English;
bad input is a 422 naming the field; other roles are refused; a blocked sign-up's later application is referred."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.domain.decision_request import EnterpriseProfile
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.service.lists import StoreListScreen
from riskloop.synth import ids
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import CODE, HEALTHY, IDENTITY, NOW, application_body, make_decider
from riskloop.testing.fake_decision_ports import MemoryProfiles
from riskloop.testing.fake_feature_store import InMemoryFeatureStore


def _body(i: int, **override: Any) -> dict[str, Any]:
    one = np.array([i])
    return {
        "registration_id": f"reg-{i}",
        "phone": str(ids.mobiles(3, one, firm=False)[0]),
        "device_id": str(ids.device_ids(3, 1, one)[0]),
        "ip": str(ids.ips(3, 1, one)[0]),
        "credit_code": str(ids.credit_codes(3, one)[0]),
        "legal_rep_id": str(ids.resident_ids(3, one)[0]),
        "channel": "app",
        "device_model": "xiaomi 14/hyperos 1.0",
    } | override


def test_a_device_farm_is_stepped_up_then_blocked_with_reasons(as_: Callable[[str], Caller]) -> None:
    channel = as_("channel")
    farm = str(ids.device_ids(3, 9, np.array([1]))[0])
    answers = [channel.post("/v1/registrations", json=_body(i, device_id=farm)).json() for i in range(5)]
    assert [a["outcome"] for a in answers] == ["accept", "step_up", "step_up", "block", "block"]
    reason = answers[-1]["reasons"][0]
    assert reason["code"] == "REG_VELOCITY_DEVICE"
    assert reason["zh"] == "同一设备短期内注册多家企业"
    assert answers[-1]["signals"][0]["kind"] == "device_id"


def test_bad_input_is_a_422_naming_the_field(as_: Callable[[str], Caller]) -> None:
    channel = as_("channel")
    bad_phone = channel.post("/v1/registrations", json=_body(1, phone="12345"))
    assert bad_phone.status_code == 422
    assert "phone" in bad_phone.text
    missing = channel.post("/v1/registrations", json={k: v for k, v in _body(1).items() if k != "credit_code"})
    assert missing.status_code == 422
    assert "credit_code" in missing.text
    unknown = channel.post("/v1/registrations", json=_body(1, registered_at="2026-01-01T00:00:00Z"))
    assert unknown.status_code == 422  # the time is the service's, never the client's


def test_only_channels_screen_registrations(client: TestClient, as_: Callable[[str], Caller]) -> None:
    assert as_("ann").post("/v1/registrations", json=_body(1)).status_code == 403
    unknown = {"Authorization": "Bearer rk_unknown"}
    assert client.post("/v1/registrations", json=_body(1), headers=unknown).status_code == 401


CODE2 = str(ids.credit_codes(3, np.array([77]))[0])


@pytest.fixture
def two_firms(tmp_path: Path, clock: SteppingClock) -> Iterator[TestClient]:
    """The API on the in-memory pipeline with two healthy enterprises, screening against the SQL lists."""
    store = InMemoryFeatureStore(clock)
    rows = [{"credit_code": c, **HEALTHY} for c in (CODE, CODE2)]
    store.publish(ENTERPRISE_FEATURE_SET, NOW.date(), pa.Table.from_pylist(rows))
    profiles = MemoryProfiles({c: EnterpriseProfile(c, "C", "active", dt.date(2018, 3, 1)) for c in (CODE, CODE2)})
    decider = make_decider(clock=clock, features=store, profiles=profiles)
    app = create_app(Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'r.db'}"), decider=decider)
    with TestClient(app, raise_server_exceptions=False) as c:
        c.app.state.callers = authenticate(c)  # type: ignore[attr-defined]
        services = c.app.state.services  # type: ignore[attr-defined]
        services.intake.decider.lists = StoreListScreen(services.lists().store)  # the pipeline on the SQL lists
        yield c


def _apply(client: TestClient, application_id: str, **changes: Any) -> dict[str, Any]:
    answer = client.post("/v1/applications", json=application_body(application_id=application_id, **changes),
                         headers={"Idempotency-Key": application_id})  # fmt: skip
    assert answer.status_code in (200, 201), answer.text
    decided: dict[str, Any] = answer.json()
    return decided


def test_a_blocked_burst_is_referred_at_the_decision_and_an_honest_sign_up_is_not(
    two_firms: TestClient, clock: SteppingClock
) -> None:
    channel = two_firms.app.state.callers["channel"]  # type: ignore[attr-defined]
    attacked = {"credit_code": CODE2, "phone": str(ids.mobiles(3, np.array([77]), firm=False)[0])}
    assert _apply(two_firms, "A-0", **attacked)["tier"] == "auto_approve"  # before any sign-up: approvable
    honest = _body(0, credit_code=CODE, phone=IDENTITY["phone"], device_id=IDENTITY["device_id"], ip=IDENTITY["ip"])
    assert channel.post("/v1/registrations", json=honest).json()["outcome"] == "accept"
    farm = {"device_id": str(ids.device_ids(3, 9, np.array([5]))[0]), "ip": "36.112.9.20"}
    burst = [_body(10 + i, **farm) for i in range(3)] + [_body(13, **farm, **attacked)]
    answers = []
    for one in burst:
        clock.advance(seconds=40)
        answers.append(channel.post("/v1/registrations", json=one).json())
    assert answers[-1]["outcome"] == "block"
    assert set(answers[-1]["held"]) == {"credit_code", "phone", "device_id", "legal_rep_id"}
    assert answers[-1]["policy"] == "registration-v1 (shipped; no registration policy active)"
    clock.advance(hours=2)
    referred = _apply(two_firms, "A-1", **attacked)
    assert referred["tier"] == "manual_review"
    assert referred["reasons"][0]["code"] == "LIST_GREY"
    approved = _apply(two_firms, "A-2")  # the honest sign-up's enterprise, phone and device
    assert approved["tier"] == "auto_approve"
    assert "LIST_GREY" not in [r["code"] for r in approved["reasons"]]
    ready = two_firms.get("/readyz").json()
    line = next(c for c in ready["checks"] if c["name"] == "registration policy")
    shipped = "registration-v1 (shipped; no registration policy active)"
    assert line == {"name": "registration policy", "ok": True, "reason": f"registrations screened under {shipped}"}
