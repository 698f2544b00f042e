"""POST /v1/applications takes the company's address, a contact e-mail and the settlement account."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.schemas import LATER_FIELDS, ApplicationIn, posted_digest
from riskloop.service.intake import request_digest
from riskloop.storage.decision_models import decisions
from riskloop.testing.decider import application_body as body
from riskloop.testing.decider import request


def count(client: TestClient) -> int:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one())


KEY = {"Idempotency-Key": "k-1"}
GIVEN = {
    "address": " 湖北省武汉市洪山区珞喻路１２９号 301室 ",
    "email": " Finance@Example.COM",
    "bank_account": "6222 0212-3456 7890 123",
}


def test_the_fields_are_decided_with_normalised_and_kept_sealed(client: TestClient) -> None:
    r = client.post("/v1/applications", json=body(**GIVEN), headers=KEY)
    assert r.status_code == 201, r.text
    store = client.app.state.services.decisions  # type: ignore[attr-defined]
    [stored] = store.for_application("APP-1")
    sealed = stored.inputs["request"]
    assert all(str(sealed[name]).startswith("pii1:") for name in GIVEN)  # sealed at rest (ADR 0016)
    [opened] = store.revealed([stored], actor="auditor", purpose="test", at=stored.decision.decided_at)
    assert {name: opened.inputs["request"][name] for name in GIVEN} == {
        "address": "湖北省武汉市洪山区珞喻路１２９号 301室",  # as written, trimmed (the graph links its key)
        "email": "finance@example.com",
        "bank_account": "6222021234567890123",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "finance.example.com"}, "email"),
        ({"email": "fin ance@example.com"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": ""}, "email"),
        ({"bank_account": "12345"}, "bank_account"),  # 6 to 32 digits
        ({"bank_account": "6222-0212-ABCD"}, "bank_account"),
        ({"bank_account": "1" * 33}, "bank_account"),
        ({"address": "湖北省武汉市"}, "address"),  # a city and no street: placed nowhere below it
        ({"address": "珞喻路129号"}, "address"),  # no area: could be anywhere
        ({"address": "武汉市洪山区珞喻路\x00129号"}, "address"),
        ({"address": "武" * 301}, "address"),
        ({"address": 129}, "address"),
        ({"email": "tok1:0123456789abcdef01234567:f***@example.com"}, "email"),  # a stored token, not a value
    ],
)
def test_a_bad_value_is_a_422_naming_its_field(client: TestClient, changes: dict[str, Any], field: str) -> None:
    r = client.post("/v1/applications", json=body(**changes), headers=KEY)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert field in [f["field"] for f in problem.get("fields") or [problem]], problem
    assert count(client) == 0


def test_the_identifiers_view_masks_them(client: TestClient) -> None:
    r = client.post("/v1/applications", json=body(**GIVEN), headers=KEY)
    seen = client.get(f"/v1/decisions/{r.json()['decision_id']}/identifiers").json()
    assert {name: seen[name] for name in GIVEN} == {
        "address": "湖北省武汉市****",
        "email": "f***@example.com",
        "bank_account": "***************0123",
    }


def test_a_body_without_them_keeps_the_digest_it_had_before_they_existed() -> None:
    """A key claimed before an upgrade and retried after it with the same body is a retry, not a reuse."""
    sent = body()
    before = request_digest(ApplicationIn.model_validate(sent).model_dump(mode="json", exclude=set(LATER_FIELDS)))
    assert ApplicationIn.model_validate(sent).digest() == before
    assert posted_digest(request()) == before
    with_them = ApplicationIn.model_validate(body(**GIVEN))
    assert with_them.digest() != before
    assert ApplicationIn.from_request(with_them.to_request()).digest() == with_them.digest()  # round trip


def test_the_openapi_document_describes_them(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ApplicationIn"]
    for name in GIVEN:
        assert schema["properties"][name]["description"]
    assert {"address", "email", "bank_account"} <= set(schema["examples"][0])
