"""CoreServer: a fake core banking system over real HTTP on loopback, speaking the API ``HttpCoreBanking`` calls.

Its books are a ``FakeCore`` (the same modes, one payout per instruction id). Over the wire, ``timeout`` books
and pays, then answers only after ``hang`` seconds (when the client has given up); ``unreceived`` drops the
connection unbooked. Every request must carry the ``X-Riskloop-Signature`` under ``secret`` (401 otherwise; a
GET is signed over its path). With ``callback_url`` it posts each settlement's answer, signed with
``callback_secret``, from a thread. ``python -m riskloop.testing.core_server --port 9100 --secret S`` serves one
in the foreground for benchmarks and demos.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import httpx

from riskloop.domain.clock import Clock, SystemClock
from riskloop.domain.disbursal import CoreAnswer, CoreStatus, Instruction
from riskloop.domain.outbox import SIGNATURE_HEADER, signature, verify_signature
from riskloop.errors import ValidationError
from riskloop.testing.fake_core import FakeCore

PAYMENTS = "/v1/payments"
POLL = 0.05  # seconds between the serving loop's looks at a stop request (the stdlib's 0.5 slows every stop)
Reply = tuple[int, bytes] | None  # None: drop the connection without answering


def _json(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


class _Server(ThreadingHTTPServer):
    """Many clients at once: a deep accept queue (the default 5 drops SYNs under 32 concurrent connects)."""

    request_queue_size = 128
    daemon_threads = True
    block_on_close = False  # a hanging answer must not hold up stop()


class CoreServer:
    """The fake core; ``start`` serves it on 127.0.0.1 (``port`` 0: an ephemeral port) until ``stop``."""

    def __init__(
        self,
        secret: bytes,
        mode: str = "accept",
        *,
        reason: str = "account frozen",
        hang: float = 1.0,
        latency: float = 0.0,
        port: int = 0,
        callback_url: str | None = None,
        callback_secret: bytes | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.secret = secret
        self.hang = hang
        self.latency = latency
        self.port = port
        self.callback_url = callback_url
        self.callback_secret = callback_secret or b""
        self.clock: Clock = clock or SystemClock()
        self.core = FakeCore(mode, reason, clock=self.clock, notify=self._deliver if callback_url else None)
        self._server: _Server | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The core's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        """How new instructions are answered (``fake_core.MODES``)."""
        return self.core.mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self.core.mode = mode

    @property
    def reason(self) -> str:
        """The reason of a refusal."""
        return self.core.reason

    @reason.setter
    def reason(self, reason: str) -> None:
        self.core.reason = reason

    @property
    def payments(self) -> Counter[str]:
        """Payouts per instruction id."""
        return self.core.payments

    @property
    def sent(self) -> list[Instruction]:
        """The instructions received, in order."""
        return self.core.sent

    def settle(self, instruction_id: str, confirmed: bool = True) -> CoreAnswer:
        """Settle a pending instruction (and post its callback)."""
        return self.core.settle(instruction_id, confirmed)

    def start(self) -> CoreServer:
        """Serve in daemon threads until ``stop``."""
        self._server = _Server(("127.0.0.1", self.port), _handler(self))
        self.port = int(self._server.server_address[1])
        serve = self._server.serve_forever
        threading.Thread(target=serve, kwargs={"poll_interval": POLL}, name="core-server", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving, cut kept-alive connections (a stopped core must look down) and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def track(self, connection: socket.socket, open_: bool) -> None:
        """Remember (or forget) a client's connection, so ``stop`` can cut it."""
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def handle_post(self, path: str, body: bytes, signed: str, key: str) -> Reply:
        """The reply to ``POST path``: book the instruction once, answer its state."""
        if path != PAYMENTS:
            return 404, _json({"error": "no such path"})
        if not verify_signature(self.secret, signed, body):
            return 401, _json({"error": "bad signature"})
        instruction = _instruction(body)
        if instruction is None or instruction.instruction_id != key:
            return 400, _json({"error": "not an instruction, or its Idempotency-Key differs"})  # nothing echoed
        self._pause()
        receipt = self.core.receive(instruction)
        if receipt.answer is None:
            return None
        if receipt.first and receipt.mode == "timeout":
            time.sleep(self.hang)
        return (201 if receipt.first else 200), _json(receipt.answer.to_dict())

    def handle_get(self, path: str, signed: str) -> Reply:
        """The reply to ``GET path``: the payment's state, 404 when never received."""
        rest = path.removeprefix(PAYMENTS + "/")
        if rest == path or not rest or "/" in rest or "?" in rest:
            return 404, _json({"error": "no such path"})
        if not verify_signature(self.secret, signed, path.encode()):
            return 401, _json({"error": "bad signature"})
        self._pause()
        answer = self.core.answer(unquote(rest))
        return (404 if answer.status is CoreStatus.UNKNOWN else 200), _json(answer.to_dict())

    def _pause(self) -> None:
        if self.latency > 0:
            time.sleep(self.latency)

    def _deliver(self, answers: list[CoreAnswer]) -> None:
        threading.Thread(target=self._post_back, args=(answers,), name="core-callback", daemon=True).start()

    def _post_back(self, answers: list[CoreAnswer]) -> None:
        """POST each answer, signed, to ``callback_url``; failures are ignored (the receiver must ask ``status``)."""
        if self.callback_url is None:
            return
        with httpx.Client(timeout=2.0, follow_redirects=False) as client:
            for answer in answers:
                body = _json(answer.to_dict())
                header = signature(self.callback_secret, int(self.clock.now().timestamp()), body)
                headers = {"Content-Type": "application/json", SIGNATURE_HEADER: header}
                with contextlib.suppress(httpx.HTTPError):
                    client.post(self.callback_url, content=body, headers=headers)


def _instruction(body: bytes) -> Instruction | None:
    try:
        data = json.loads(body)
        return Instruction(**data) if isinstance(data, dict) else None
    except (ValueError, TypeError, ValidationError):
        return None


def _handler(owner: CoreServer) -> type[BaseHTTPRequestHandler]:
    """A request handler answering for ``owner`` over HTTP/1.1 (kept-alive connections, as a pooled client uses)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30  # seconds an idle kept-alive connection holds its thread
        disable_nagle_algorithm = True  # headers and body go in two writes: Nagle would hold the body ~40 ms

        def setup(self) -> None:
            super().setup()
            owner.track(self.connection, open_=True)

        def finish(self) -> None:
            owner.track(self.connection, open_=False)
            super().finish()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signed, key = self.headers.get(SIGNATURE_HEADER, ""), self.headers.get("Idempotency-Key", "")
            self._send(owner.handle_post(self.path, body, signed, key))

        def do_GET(self) -> None:
            self._send(owner.handle_get(self.path, self.headers.get(SIGNATURE_HEADER, "")))

        def _send(self, reply: Reply) -> None:
            if reply is None:
                self.close_connection = True
                return
            status, body = reply
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timed out) first
                self.close_connection = True

        def log_message(self, *_: object) -> None:  # quiet: a request line is no place for payment details
            return

    return Handler


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a fake core in the foreground until interrupted, printing its URL first."""
    parser = argparse.ArgumentParser(prog="python -m riskloop.testing.core_server", description=__doc__)
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--secret", required=True, help="the signing secret riskloop uses")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--mode", default="accept", help="accept, reject, pending, timeout, unreceived or twice")
    parser.add_argument("--hang", type=float, default=1.0, help="seconds a timeout-mode answer is held back")
    parser.add_argument("--callback-url", default=None)
    parser.add_argument("--callback-secret", default=None)
    args = parser.parse_args(argv)
    callback_secret = None if args.callback_secret is None else args.callback_secret.encode()
    server = CoreServer(args.secret.encode(), args.mode, hang=args.hang, latency=args.latency, port=args.port,
                        callback_url=args.callback_url, callback_secret=callback_secret)  # fmt: skip
    server.start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
