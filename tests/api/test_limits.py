"""Limits before any route runs: bodies over the size limit and requests beyond the in-flight bound.

The middleware is driven directly with ASGI messages where the test needs to see how much of a body it read
or to hold requests in flight; through the app where the status and problem body matter.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from riskloop.api.limits import EXEMPT, BodyLimit, LimitSettings, Shedder, exempt
from riskloop.errors import ConfigError
from riskloop.testing.decider import application_body

Message = dict[str, Any]


def anonymous(client: TestClient) -> TestClient:
    return TestClient(client.app, raise_server_exceptions=False)


def test_a_declared_length_over_the_limit_is_a_413_before_authentication(client: TestClient) -> None:
    body = b'{"application_id": "' + b"A" * 70_000 + b'"}'
    response = anonymous(client).post(
        "/v1/applications", content=body, headers={"Content-Type": "application/json", "Idempotency-Key": "k"}
    )
    assert response.status_code == 413, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["type"] == "urn:riskloop:problem:payload-too-large"
    assert problem["error"] == "TooLargeError"
    assert problem["limit_bytes"] == 65536
    assert "65536 bytes" in problem["detail"]
    assert response.headers["connection"] == "close"


def test_a_body_within_the_limit_reaches_the_route(client: TestClient) -> None:
    response = client.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.text


def test_strategy_drafts_have_their_own_larger_limit() -> None:
    limits = LimitSettings(max_body_bytes=10, max_strategy_body_bytes=100)
    assert limits.body_limit("/v1/applications") == 10
    assert limits.body_limit("/v1/strategies/sme/versions") == 100


@pytest.mark.parametrize("bad", [{"max_body_bytes": 0}, {"max_in_flight": 0}, {"max_strategy_body_bytes": -1}])
def test_limits_must_be_positive(bad: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        LimitSettings(**bad)


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKLOOP_MAX_IN_FLIGHT", "3")
    monkeypatch.setenv("RISKLOOP_MAX_BODY_BYTES", "1024")
    assert LimitSettings.from_env() == LimitSettings(max_body_bytes=1024, max_in_flight=3)
    monkeypatch.setenv("RISKLOOP_MAX_IN_FLIGHT", "many")
    with pytest.raises(ConfigError, match="RISKLOOP_MAX_IN_FLIGHT"):
        LimitSettings.from_env()


class Recorder:
    """An inner ASGI app that records what reached it and can be held until released."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.release = asyncio.Event()
        self.hold = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        if self.hold and not exempt(scope["path"]):
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def scope(path: str = "/v1/applications", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": path, "headers": headers or [], "query_string": b""}


def chunks(n: int, size: int, counter: list[int]) -> Any:
    """A streamed body of ``n`` chunks of ``size`` bytes without a Content-Length; counts chunks read."""

    async def receive() -> Message:
        counter[0] += 1
        return {"type": "http.request", "body": b"x" * size, "more_body": counter[0] < n}

    return receive


async def call(app: Any, the_scope: dict[str, Any], receive: Any) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(the_scope, receive, send)
    return sent


def status_of(sent: list[Message]) -> int:
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


def header(sent: list[Message], name: bytes) -> bytes | None:
    start = next(m for m in sent if m["type"] == "http.response.start")
    return next((v for k, v in start["headers"] if k == name), None)


def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit() -> None:
    inner = Recorder()
    app = BodyLimit(inner, LimitSettings(max_body_bytes=1000))
    read = [0]
    sent = asyncio.run(call(app, scope(), chunks(1000, 100, read)))  # 100 kB offered, 1 kB allowed
    assert status_of(sent) == 413
    assert read[0] == 11  # the 11th chunk passed the limit: the other 989 were never read
    assert inner.bodies == []  # the app (parsing, authentication) never ran


def test_a_streamed_body_within_the_limit_reaches_the_app_unchanged() -> None:
    inner = Recorder()
    app = BodyLimit(inner, LimitSettings(max_body_bytes=1000))
    sent = asyncio.run(call(app, scope(), chunks(10, 100, [0])))
    assert status_of(sent) == 200
    assert inner.bodies == [b"x" * 1000]


def test_a_declared_length_over_the_limit_reads_nothing() -> None:
    inner = Recorder()
    app = BodyLimit(inner, LimitSettings(max_body_bytes=1000))
    read = [0]
    sent = asyncio.run(call(app, scope(headers=[(b"content-length", b"1001")]), chunks(11, 100, read)))
    assert status_of(sent) == 413
    assert read[0] == 0


# Probes, and the console's and docs' files: a page loads a dozen of them at once (shedding one blanks the page).
UNSHED = [*sorted(EXEMPT), "/console", "/console/reviews/dec_1", "/console/assets/index-abc.js", "/docs",
          "/docs/assets/swagger-ui.css"]  # fmt: skip


def test_requests_beyond_the_bound_are_shed_at_once_and_probes_are_exempt() -> None:
    inner = Recorder()
    inner.hold = True
    app = Shedder(inner, LimitSettings(max_in_flight=2))

    async def scenario() -> tuple[list[int], list[bytes | None], list[int], int]:
        held = [asyncio.create_task(call(app, scope(), chunks(1, 10, [0]))) for _ in range(2)]
        while len(inner.bodies) < 2:  # both admitted and inside the app
            await asyncio.sleep(0)
        shed = [await call(app, scope(), chunks(1, 10, [0])) for _ in range(3)]
        probes = [await asyncio.wait_for(call(app, scope(path), chunks(1, 0, [0])), 5) for path in UNSHED]
        inner.hold = False
        inner.release.set()
        done = [status_of(await task) for task in held]
        after = status_of(await call(app, scope(), chunks(1, 10, [0])))
        return [status_of(s) for s in shed], [header(s, b"retry-after") for s in shed], [*done, after], len(probes)

    shed, retry_after, served, probes = asyncio.run(scenario())
    assert shed == [503, 503, 503]
    assert retry_after == [b"1", b"1", b"1"]
    assert served == [200, 200, 200]  # the bound frees as requests finish
    assert probes == len(UNSHED)
    assert app.in_flight == 0
    assert [exempt(p) for p in ("/consoles", "/v1/console", "/documents")] == [False, False, False]  # folders only


def test_a_shed_request_is_an_overloaded_problem(client: TestClient) -> None:
    installed = [m.cls for m in client.app.user_middleware]  # type: ignore[attr-defined]
    assert installed[0] is Shedder  # outermost
    assert BodyLimit in installed
    inner = Recorder()
    app = Shedder(inner, LimitSettings(max_in_flight=1))
    app.in_flight = 1  # one request already inside
    sent = asyncio.run(call(app, scope(), chunks(1, 10, [0])))
    body = next(m["body"] for m in sent if m["type"] == "http.response.body")
    problem = json.loads(body)
    assert problem["type"] == "urn:riskloop:problem:overloaded"
    assert problem["error"] == "OverloadedError"
    assert problem["instance"] == "/v1/applications"
    assert status_of(sent) == 503
    assert header(sent, b"content-type") == b"application/problem+json"
    assert header(sent, b"retry-after") == b"1"
