"""The CoreBanking contract, run against every adapter: the in-memory FakeCore, and HttpCoreBanking talking to a
CoreServer over real HTTP. Never raises; one payout per instruction id however often it is sent; a lost or
refused answer is UNANSWERED with a reason that never carries the account number."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from http.server import BaseHTTPRequestHandler, HTTPServer
from threading import Event, Thread
from typing import Any

import httpx
import pytest

from riskloop.connectors.core_banking import HttpCoreBanking
from riskloop.domain.disbursal import CoreAnswer, CoreStatus, Instruction
from riskloop.domain.outbox import SIGNATURE_HEADER, verify_signature
from riskloop.testing.core_server import CoreServer
from riskloop.testing.fake_core import FakeCore

SECRET = b"core-secret"
ACCOUNT = "6222020200112233445"
TIMEOUT = 0.3  # seconds the HTTP adapter waits; the server's timeout mode holds its answer longer


def instruction(number: int = 1, account: str = ACCOUNT) -> Instruction:
    return Instruction(f"DD-{number:04d}", f"LN-{number:04d}", "91110105MA01ABCD2X", account, 1_500_000)


@pytest.fixture(params=["memory", "http"])
def core(request: pytest.FixtureRequest) -> Iterator[tuple[Any, Any]]:
    """(the CoreBanking port, the core a test scripts: mode, reason, payments, settle)."""
    if request.param == "memory":
        fake = FakeCore()
        yield fake, fake
        return
    server = CoreServer(SECRET, hang=TIMEOUT * 3).start()
    port = HttpCoreBanking(server.url, SECRET, timeout=TIMEOUT)
    yield port, server
    port.close()
    server.stop()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_accept_confirms_with_a_core_reference(core) -> None:
    port, fake = core
    answer = port.disburse(instruction())
    assert (answer.instruction_id, answer.status) == ("DD-0001", CoreStatus.CONFIRMED)
    assert answer.core_ref
    assert fake.payments["DD-0001"] == 1
    assert port.status("DD-0001") == answer


def test_a_repeat_pays_once_and_answers_as_the_first(core) -> None:
    port, fake = core
    first = port.disburse(instruction())
    fake.mode = "reject"  # whatever the mode now, a repeat answers the booked state
    assert [port.disburse(instruction()) for _ in range(3)] == [first] * 3
    assert fake.payments["DD-0001"] == 1


def test_concurrent_repeats_and_instructions_each_pay_once(core) -> None:
    port, fake = core
    sends = [instruction(n % 8) for n in range(48)]  # 8 ids, each sent 6 times at once
    with ThreadPoolExecutor(max_workers=48) as pool:
        answers = list(pool.map(port.disburse, sends))
    assert {a.status for a in answers} == {CoreStatus.CONFIRMED}
    assert len({a.core_ref for a in answers}) == 8
    assert fake.payments == dict.fromkeys((f"DD-{n:04d}" for n in range(8)), 1)


def test_reject_refuses_with_a_reason_and_pays_nothing(core) -> None:
    port, fake = core
    fake.mode, fake.reason = "reject", "account frozen"
    answer = port.disburse(instruction())
    assert (answer.status, answer.reason, answer.core_ref) == (CoreStatus.REJECTED, "account frozen", None)
    assert fake.payments["DD-0001"] == 0
    assert port.status("DD-0001").status is CoreStatus.REJECTED


def test_pending_settles_later(core) -> None:
    port, fake = core
    fake.mode = "pending"
    assert port.disburse(instruction(1)).status is CoreStatus.PENDING
    assert port.disburse(instruction(2)).status is CoreStatus.PENDING
    fake.settle("DD-0001", confirmed=True)
    fake.settle("DD-0002", confirmed=False)
    assert port.status("DD-0001").status is CoreStatus.CONFIRMED
    assert port.status("DD-0002").status is CoreStatus.REJECTED
    assert port.disburse(instruction(1)).status is CoreStatus.CONFIRMED  # a repeat answers the settled state
    assert (fake.payments["DD-0001"], fake.payments["DD-0002"]) == (1, 0)


def test_a_lost_answer_is_unanswered_then_status_says_confirmed(core) -> None:
    port, fake = core
    fake.mode = "timeout"
    lost = port.disburse(instruction())
    assert lost.status is CoreStatus.UNANSWERED
    assert lost.reason
    assert port.status("DD-0001").status is CoreStatus.CONFIRMED
    assert port.disburse(instruction()).status is CoreStatus.CONFIRMED  # re-sent after the loss: no second payout
    assert fake.payments["DD-0001"] == 1


def test_an_unreceived_instruction_is_unanswered_then_unknown(core) -> None:
    port, fake = core
    fake.mode = "unreceived"
    assert port.disburse(instruction()).status is CoreStatus.UNANSWERED
    assert port.status("DD-0001").status is CoreStatus.UNKNOWN
    assert fake.payments["DD-0001"] == 0
    fake.mode = "accept"
    assert port.disburse(instruction()).status is CoreStatus.CONFIRMED  # re-sent, it arrives: paid once
    assert fake.payments["DD-0001"] == 1


def test_an_unknown_id_is_unknown(core) -> None:
    port, _ = core
    assert port.status("DD-9999") == CoreAnswer("DD-9999", CoreStatus.UNKNOWN)


def test_twice_confirms_once_and_posts_back_twice(core) -> None:
    port, fake = core
    fake.mode = "twice"
    answer = port.disburse(instruction())
    assert answer.status is CoreStatus.CONFIRMED
    assert fake.payments["DD-0001"] == 1
    books = fake if isinstance(fake, FakeCore) else fake.core
    assert books.callbacks == [answer, answer]


def test_scripts_per_call_and_per_instruction() -> None:
    fake = FakeCore()
    fake.script("reject", "pending")
    fake.script_for("DD-0003", "timeout")
    statuses = [fake.disburse(instruction(n)).status for n in (1, 2, 3, 4)]
    assert statuses == [CoreStatus.REJECTED, CoreStatus.PENDING, CoreStatus.UNANSWERED, CoreStatus.CONFIRMED]
    assert [i.instruction_id for i in fake.sent] == ["DD-0001", "DD-0002", "DD-0003", "DD-0004"]
    with pytest.raises(ValueError, match="valid: accept"):
        fake.mode = "acept"


def test_a_core_that_is_down_is_unanswered_and_never_raises() -> None:
    with closing(HttpCoreBanking(f"http://127.0.0.1:{closed_port()}", SECRET, timeout=TIMEOUT)) as port:
        answer = port.disburse(instruction())
        assert (answer.status, answer.reason) == (CoreStatus.UNANSWERED, "transport: ConnectError")
        assert port.status("DD-0001").status is CoreStatus.UNANSWERED


def test_a_stopped_core_is_down_for_a_client_that_kept_its_connection() -> None:
    server = CoreServer(SECRET).start()
    with closing(HttpCoreBanking(server.url, SECRET, timeout=TIMEOUT)) as port:
        assert port.disburse(instruction(1)).status is CoreStatus.CONFIRMED
        server.stop()
        assert port.disburse(instruction(2)).status is CoreStatus.UNANSWERED


def test_a_wrong_secret_is_refused_and_pays_nothing() -> None:
    server = CoreServer(SECRET).start()
    try:
        with closing(HttpCoreBanking(server.url, b"wrong", timeout=TIMEOUT)) as port:
            answer = port.disburse(instruction())
            assert (answer.status, answer.reason) == (CoreStatus.UNANSWERED, "core answered HTTP 401")
            assert port.status("DD-0001").reason == "core answered HTTP 401"
        assert server.payments["DD-0001"] == 0
        assert server.sent == []
    finally:
        server.stop()


def test_the_request_is_signed_sorted_and_keyed_by_the_instruction_id() -> None:
    seen: list[httpx.Request] = []

    def core(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=CoreAnswer("DD-0001", CoreStatus.PENDING).to_dict())

    with closing(HttpCoreBanking("http://core.test/", SECRET, transport=httpx.MockTransport(core))) as port:
        assert port.disburse(instruction()).status is CoreStatus.PENDING
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", "http://core.test/v1/payments")
    assert request.headers["Idempotency-Key"] == "DD-0001"
    assert verify_signature(SECRET, request.headers[SIGNATURE_HEADER], request.content)
    assert request.content == json.dumps(instruction().to_dict(), separators=(",", ":"), sort_keys=True).encode()


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b'{"error": "busy"}', "core answered HTTP 500"),
        (200, b"<html>gateway</html>", "malformed reply: not an answer"),
        (200, b'{"instruction_id": "DD-0001", "status": "paid"}', "malformed reply: not an answer"),
        (200, b'{"instruction_id": "DD-0001", "status": "confirmed"}', "malformed reply: not an answer"),
        (200, b'{"instruction_id": "DD-0002", "status": "rejected"}', "malformed reply: an answer about another"),
        (200, b'{"instruction_id": "DD-0001", "status": "unknown"}', "malformed reply: unknown to a payment"),
    ],
)
def test_a_reply_that_is_not_an_answer_is_unanswered(status: int, body: bytes, reason: str) -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(status, content=body))
    with closing(HttpCoreBanking("http://core.test", SECRET, transport=transport)) as port:
        answer = port.disburse(instruction())
    assert answer.status is CoreStatus.UNANSWERED
    assert answer.reason is not None
    assert answer.reason.startswith(reason)


def test_the_account_number_never_appears_in_a_reason() -> None:
    def core(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/boom"):
            raise httpx.ConnectError(f"refused while sending {request.content.decode()}", request=request)
        return httpx.Response(200, json={"instruction_id": "DD-0001", "status": "rejected",
                                         "reason": f"account {ACCOUNT} is frozen"})  # fmt: skip

    transport = httpx.MockTransport(core)
    with closing(HttpCoreBanking("http://core.test/boom", SECRET, transport=transport)) as port:
        failed = port.disburse(instruction())
    with closing(HttpCoreBanking("http://core.test", SECRET, transport=transport)) as port:
        echoed = port.disburse(instruction())
    assert failed.status is CoreStatus.UNANSWERED
    assert echoed.status is CoreStatus.REJECTED
    for answer in (failed, echoed):
        assert ACCOUNT not in str(answer.to_dict())


def test_the_account_number_never_appears_in_an_unanswered_reason(core) -> None:
    port, fake = core
    for mode in ("timeout", "unreceived"):
        fake.mode = mode
        answer = port.disburse(instruction(1 if mode == "timeout" else 2))
        assert answer.status is CoreStatus.UNANSWERED
        assert ACCOUNT not in (answer.reason or "")


def hook_receiver() -> tuple[HTTPServer, list[tuple[str, bytes]], Event]:
    """A callback receiver on loopback: each (signature, body) posted to it, and an event set at the second."""
    received: list[tuple[str, bytes]] = []
    got_two = Event()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((self.headers[SIGNATURE_HEADER], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            if len(received) == 2:
                got_two.set()

        def log_message(self, *_: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Hook)
    Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, received, got_two


def test_settlements_are_posted_back_signed() -> None:
    hook, received, got_two = hook_receiver()
    url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
    server = CoreServer(SECRET, mode="twice", callback_url=url, callback_secret=b"hook-secret").start()
    try:
        with closing(HttpCoreBanking(server.url, SECRET, timeout=TIMEOUT)) as port:
            answer = port.disburse(instruction())
        assert got_two.wait(5)
    finally:
        server.stop()
        hook.shutdown()
        hook.server_close()
    assert [CoreAnswer.from_dict(json.loads(body)) for _, body in received] == [answer, answer]
    assert all(verify_signature(b"hook-secret", header, body) for header, body in received)
