"""The lean path of POST /v1/applications (``api.lean_route``) answers exactly as the FastAPI route does.

Two apps on two fresh databases receive the same requests in the same order: one with the lean path (the
default), one with every request through the routes (``lean=False``). Their answers must be equal, status,
headers and body, with only what differs by nature masked (decision ids, request ids). The lean path must
answer the well-formed requests itself (counted by ``riskloop_application_posts{door}``) and hand the rest to
the route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.decider import application_body as body

JSON = "application/json"
DECISION_ID = re.compile(r"dec_[A-Za-z0-9_-]{22}")
KEY_ID = re.compile(r"key_[0-9a-f]{16}")  # each app's keys are its own
VARYING = ("x-request-id", "date", "server")


def _app(home: Path, lean: bool) -> TestClient:
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")
    app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW)), lean=lean)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[dict[str, Caller], dict[str, Caller]]]:
    with _app(tmp_path / "lean", True) as lean, _app(tmp_path / "route", False) as route:
        yield authenticate(lean), authenticate(route)


def _answer(r: httpx.Response) -> tuple[int, dict[str, str], Any]:
    headers = {k: DECISION_ID.sub("dec_*", v) for k, v in r.headers.items() if k not in VARYING}
    text = KEY_ID.sub("key_*", DECISION_ID.sub("dec_*", r.text))
    return r.status_code, headers, json.loads(text) if text else None


def _raw(data: Any) -> bytes:
    return json.dumps(data).encode()


def _h(key: str | None, content_type: str | None = JSON) -> dict[str, str]:
    """Idempotency-Key and Content-Type headers (None: left out)."""
    named = {"Idempotency-Key": key, "Content-Type": content_type}
    return {k: v for k, v in named.items() if v is not None}


def _app_of(n: int, **fields: Any) -> bytes:
    return _raw(body(application_id=f"a-{n}", **fields))


# (who, headers, body bytes, answered by the lean path): applied in order to both apps
REQUESTS: list[tuple[str, dict[str, str], bytes, bool]] = [
    ("channel", _h("k-1"), _raw(body()), True),  # decided
    ("channel", _h("k-1"), json.dumps(body(), indent=2).encode(), True),  # a retry: the stored bytes again
    ("channel", _h("k-1"), _raw(body(amount_cents=7_000_000)), True),  # the key with another body: 409
    ("channel", _h("k-2"), _raw(body()), True),  # the application again under another key: 409
    ("channel", _h("k-3"), _app_of(3), True),
    ("channel", _h("k-4", f"{JSON}; charset=utf-8"), _app_of(4), True),
    ("channel", _h("k-5", "application/vnd.bank+json"), _app_of(5), True),
    ("ann", _h("k-6"), _app_of(6), True),  # a reviewer's key: 403
    ("nobody", _h("k-7"), _app_of(7), True),  # no key: 401
    ("channel", _h(None), _app_of(8), False),  # no Idempotency-Key
    ("channel", _h("k" * 129), _app_of(9), False),
    ("channel", _h("k\t10"), _app_of(10), False),  # a control character
    ("channel", _h("k-11"), b"{not json", False),
    ("channel", _h("k-12"), b"[1, 2]", False),
    ("channel", _h("k-13"), b"", False),
    ("channel", _h("k-14"), "\u00e9".encode("latin-1"), False),  # not UTF-8
    ("channel", _h("k-15", "text/plain"), _app_of(15), False),
    ("channel", _h("k-16", None), _app_of(16), False),  # no content type
    ("channel", _h("k-17"), _app_of(17, amount_cents=0), False),
    ("channel", _h("k-18"), _raw({**body(application_id="a-18"), "extra": 1}), False),
    ("nobody", _h("k-19"), b"{not json", False),  # the body's 422 comes before the key's 401
    ("ann", _h(None), _app_of(20), True),  # the key's 403 comes before the header's 422
]


def _send(callers: dict[str, Caller], who: str, headers: dict[str, str], content: bytes) -> httpx.Response:
    if who == "nobody":
        client = callers["channel"].client
        return client.post("/v1/applications", content=content, headers={**headers, "Authorization": ""})
    return callers[who].post("/v1/applications", content=content, headers=headers)


def _doors() -> dict[str, float]:
    return {
        d: REGISTRY.get_sample_value("riskloop_application_posts_total", {"door": d}) or 0.0 for d in ("lean", "route")
    }


def test_both_paths_answer_every_request_alike(pair: tuple[dict[str, Caller], dict[str, Caller]]) -> None:
    lean, route = pair
    statuses = []
    for who, headers, content, by_lean in REQUESTS:
        before = _doors()
        got = _answer(_send(lean, who, headers, content))
        counted = _doors()
        want = _answer(_send(route, who, headers, content))
        assert got == want, (who, headers, content)
        door = "lean" if by_lean else "route"
        assert counted[door] == before[door] + 1, (door, who, headers, content)
        statuses.append(got[0])
    # the requests cover what the route answers: decisions, replays, conflicts, refusals of key and body
    assert set(statuses) == {201, 401, 403, 409, 422}, statuses


def test_a_lean_decision_is_stored_and_explained(pair: tuple[dict[str, Caller], dict[str, Caller]]) -> None:
    lean, _ = pair
    posted = lean["channel"].post("/v1/applications", json=body(), headers={"Idempotency-Key": "k-1"})
    assert posted.status_code == 201, posted.text
    got = lean["channel"].get(posted.headers["Location"])
    assert got.status_code == 200
    assert got.json()["decision_id"] == posted.json()["decision_id"]
    assert got.json()["trace"], "the stored decision keeps the strategy's trace"


def test_the_lean_path_is_logged_under_the_route(
    pair: tuple[dict[str, Caller], dict[str, Caller]], caplog: pytest.LogCaptureFixture
) -> None:
    lean, _ = pair
    with caplog.at_level("INFO", logger="riskloop.api"):
        lean["channel"].post("/v1/applications", json=body(), headers={"Idempotency-Key": "k-1"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "riskloop.api"]
    posted = [line for line in lines if line.get("method") == "POST"]
    assert posted, lines
    assert posted[-1]["route"] == "/v1/applications"
    assert posted[-1]["principal"] == "channel"
    assert posted[-1]["status"] == 201
    assert posted[-1]["tier"]
