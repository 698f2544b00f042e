"""POST /v1/registrations: channels screen sign-ups; outcomes come with catalogue reasons in Chinese and English;
bad input is a 422 naming the field; other roles are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from riskloop.synth import ids
from riskloop.testing.api_keys import Caller


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
