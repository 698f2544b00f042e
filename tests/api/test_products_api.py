"""The product catalogue over the strategies API: an invalid product is a 422 naming it; a valid one is a draft."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

from fastapi.testclient import TestClient

from riskloop.testing.api_keys import Caller

SHIPPED = resources.files("riskloop.rules").joinpath("strategies", "products-v1.json").read_text("utf-8")
BASE = "/v1/strategies/products"
AsPerson = Callable[[str], Caller]  # tests/api/conftest.py: as_(name) sends requests with name's API key


def test_an_invalid_product_is_refused_with_its_field_and_a_valid_catalogue_is_drafted(
    client: TestClient, as_: AsPerson
) -> None:
    data = json.loads(SHIPPED)
    table = next(n for n in data["nodes"] if n["type"] == "decisionTableNode")["content"]
    next(r for r in table["rules"] if r["_id"] == "piaoyidai")["t_amount_max"] = "50000"
    refused = as_("ann").post(f"{BASE}/versions", json={"content": json.dumps(data, ensure_ascii=False)})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["field"] == "products[piaoyidai].amount_max"
    assert "must be at least amount_min (100000)" in problem["detail"]
    assert as_("dan").get(f"{BASE}/versions").json()["versions"] == []

    created = as_("ann").post(f"{BASE}/versions", json={"content": SHIPPED, "note": "产品目录"})
    assert (created.status_code, created.json()["key"]) == (201, "products@1")
