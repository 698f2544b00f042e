"""Every integer and string of a request is bounded and free of control characters: a 422, never a 500.

Before these bounds a version of 2**70 overflowed SQLite's INTEGER and a NUL byte reached PostgreSQL, which
refuses it in text; both were 500s. Each case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from riskloop.rules.loaders import reference_strategy
from riskloop.testing.api_keys import Caller
from riskloop.testing.decider import application_body

AsPerson = Callable[[str], Caller]
BASE = "/v1/strategies/sme"


def assert_invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"device_id": "dev\x00"}, "device_id"),
        ({"device_id": "dev\x1b[2J"}, "device_id"),
        ({"ip": "203.0.113.7\x00"}, "ip"),
        ({"amount_cents": 2**70}, "amount_cents"),
        ({"term_months": -(2**63)}, "term_months"),
        ({"device_id": "d" * 65}, "device_id"),
    ],
)
def test_applications_out_of_bounds_are_422(client: TestClient, changes: dict[str, Any], field: str) -> None:
    response = client.post("/v1/applications", json=application_body(**changes), headers={"Idempotency-Key": "k"})
    assert_invalid(response, field)


def test_an_idempotency_key_with_a_control_character_is_422(client: TestClient) -> None:
    response = client.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "k\x7f"})
    assert_invalid(response, "Idempotency-Key")


def test_a_decision_id_with_a_nul_byte_is_422(client: TestClient) -> None:
    assert_invalid(client.get("/v1/decisions/abc%00def"), "decision_id")


def test_review_comments_keep_line_breaks_and_refuse_nul(as_: AsPerson) -> None:
    response = as_("ann").post("/v1/decisions/x/review", json={"comment": "line one\nline two\x00"})
    assert_invalid(response, "comment")
    assert as_("ann").post("/v1/decisions/x/review", json={"comment": "line one\nline two"}).status_code == 404


def test_strategy_bodies_and_paths_are_bounded(as_: AsPerson) -> None:
    content = reference_strategy().content
    assert_invalid(as_("ann").post(f"{BASE}/versions", json={"content": content + "\x00"}), "content")
    assert_invalid(as_("ann").post(f"{BASE}/versions", json={"content": content, "note": "a\x00"}), "note")
    assert_invalid(as_("ann").post(f"{BASE}/activations", json={"version": 2**70}), "version")
    assert_invalid(as_("bob").post(f"/v1/strategy-changes/{2**70}/approve", json={}), "change_id")
    assert as_("ann").post(f"{BASE}/versions", json={"content": content, "note": "tab\tok"}).status_code == 201


def test_a_body_that_is_not_utf8_is_a_422_naming_the_body(client: TestClient) -> None:
    response = client.post(
        "/v1/applications", content=b"\xff\xfe{", headers={"Idempotency-Key": "k", "Content-Type": "application/json"}
    )
    assert_invalid(response, "body")
    assert response.json()["type"] == "urn:riskloop:problem:validation-error"
