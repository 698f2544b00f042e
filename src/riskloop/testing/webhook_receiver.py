"""A real webhook receiver for tests: a small HTTP server in a thread, as a bank's system would receive alerts.

It checks each request's signature, answers 503 to the first ``fail_first`` requests, and applies each
``Idempotency-Key`` once (a retry of an event it already applied is acknowledged and not applied again).
``lose_ack`` lists request numbers it applies but answers 500 to, as if the answer were lost on the way back:
the sender must retry, and the receiver must not apply twice.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from riskloop.domain.outbox import SIGNATURE_HEADER, verify_signature


@dataclass
class Receiver:
    """What the receiver saw and applied; ``start`` serves it on 127.0.0.1 (``port`` 0: any free port)."""

    secret: bytes
    fail_first: int = 0
    lose_ack: frozenset[int] = frozenset()
    port: int = 0
    requests: int = 0
    bad_signatures: int = 0
    seen: list[str] = field(default_factory=list)  # Idempotency-Key of every request, in arrival order
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id -> envelope, applied once
    order: list[tuple[str, str]] = field(default_factory=list)  # (key, event id) in the order applied
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """Where to POST."""
        return f"http://127.0.0.1:{self.port}/hooks/alerts"

    def start(self) -> Receiver:
        """Serve in a daemon thread until ``stop``."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.handle(body, self.headers.get(SIGNATURE_HEADER, ""),
                                         self.headers.get("Idempotency-Key", ""))  # fmt: skip
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (requests are then refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, body: bytes, signature: str, key: str) -> int:
        """The status answered to one request."""
        with self._lock:
            self.requests += 1
            number = self.requests
            self.seen.append(key)
            if not verify_signature(self.secret, signature, body):
                self.bad_signatures += 1
                return 401
            if number <= self.fail_first:
                return 503
            envelope = json.loads(body)
            if key not in self.applied:  # deduplicate by Idempotency-Key: one effect per event
                self.applied[key] = envelope
                self.order.append((envelope["key"], key))
            return 500 if number in self.lose_ack else 200
