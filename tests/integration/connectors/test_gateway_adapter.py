"""HttpGatewaySource: what each answer of the gateway becomes (retryable or not), the query it posts, the size cap."""

from __future__ import annotations

import json

import httpx
import pytest

from riskloop.connectors.gateway import MAX_BODY, HttpGatewaySource
from riskloop.domain.source_payload import SourceError, SourceQuery

QUERY = SourceQuery("pboc", "91420100000000001Y", "enterprise", "credit_assessment", "APP-1", "cns_1",
                    ("report_id", "bureau_score"))  # fmt: skip


def source(status: int, body: bytes = b"{}") -> tuple[HttpGatewaySource, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)

    return HttpGatewaySource("pboc", "http://gw.test/v1/reports", transport=httpx.MockTransport(answer)), seen


def test_a_200_is_the_payload_and_the_query_is_posted_as_json() -> None:
    gateway, seen = source(200, b'{"report_id": "R"}')
    assert gateway.fetch(QUERY, 1.0) == b'{"report_id": "R"}'
    assert json.loads(seen[0].content) == QUERY.body()
    assert seen[0].method == "POST"


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (404, False),
                                                   (302, False)])  # fmt: skip
def test_statuses_map_to_retryable_or_final_faults(status: int, retryable: bool) -> None:
    gateway, _ = source(status, b'{"error": "secret detail"}')
    with pytest.raises(SourceError, match=f"HTTP {status}") as info:
        gateway.fetch(QUERY, 1.0)
    assert info.value.retryable is retryable
    assert "secret detail" not in str(info.value)  # an error answer's body is never kept


def test_an_unreachable_gateway_is_a_retryable_fault() -> None:
    gateway = HttpGatewaySource("pboc", "http://127.0.0.1:9/v1/reports")  # discard port: refused
    with pytest.raises(SourceError, match="unreachable") as info:
        gateway.fetch(QUERY, 0.5)
    assert info.value.retryable
    assert info.value.kind == "unreachable"


def test_an_answer_over_the_cap_is_refused() -> None:
    gateway, _ = source(200, b"x" * (MAX_BODY + 1))
    with pytest.raises(SourceError, match="larger than") as info:
        gateway.fetch(QUERY, 1.0)
    assert not info.value.retryable
