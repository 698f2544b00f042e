"""A real credit-bureau gateway for tests: a threaded HTTP server on 127.0.0.1 that can misbehave on purpose.

Each POST is logged (arrival time on the injected clock, path, the JSON body: subject, purpose, consent id,
request id) before it is answered. ``mode`` (or the next entry of ``script``) chooses the answer: ``ok`` (the
subject's report), ``timeout`` (sleep ``delay`` seconds, past the client's timeout, then answer), ``5xx`` (503),
``malformed`` (broken JSON), ``wrong_schema`` (JSON of the wrong shape: a score as text).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from riskloop.testing.local_http import serve_json
from riskloop.testing.local_http import stop as stop_server

MODES = ("ok", "timeout", "5xx", "malformed", "wrong_schema")


def default_report(subject: str) -> dict[str, Any]:
    """A deterministic report summary for ``subject`` (the same subject, the same report)."""
    n = sum(subject.encode())
    return {
        "report_id": f"RPT-{n:06d}",
        "bureau_score": 550 + n % 300,
        "existing_debt_cents": (n % 50) * 1_000_000,
        "overdue_accounts": n % 3,
        "inquiries_3m": n % 7,
        "legal_rep_name": "张三",  # a field no purpose may keep: the puller drops it
    }


@dataclass
class GatewayRequest:
    """One request the gateway received."""

    at: dt.datetime
    path: str
    body: dict[str, Any]


@dataclass
class FakeGateway:
    """The gateway; ``start`` serves on an ephemeral port until ``stop``."""

    mode: str = "ok"
    delay: float = 1.0  # seconds a ``timeout`` answer sleeps
    script: list[str] = field(default_factory=list)  # modes of the next requests, then ``mode``
    report: Callable[[str], dict[str, Any]] = default_report
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    port: int = 0
    log: list[GatewayRequest] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """Where to POST."""
        return f"http://127.0.0.1:{self.port}/v1/reports"

    def start(self) -> FakeGateway:
        """Serve in a daemon thread."""
        self._server = serve_json(lambda path, body, _auth: self.handle(path, body), self.port)
        self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        stop_server(self._server)
        self._server = None

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def handle(self, path: str, raw: bytes) -> tuple[int, bytes]:
        """Log the request, then the status and body of its answer (sleeping first in ``timeout`` mode)."""
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unparsed": raw.decode("utf-8", "replace")}
        with self._lock:
            self.log.append(GatewayRequest(self.now(), path, body))
            mode = self.script.pop(0) if self.script else self.mode
        if mode == "timeout":
            time.sleep(self.delay)
        if mode == "5xx":
            return 503, b'{"error": "upstream unavailable"}'
        if mode == "malformed":
            return 200, b'{"report_id": "RPT-1", "bureau_score": 7'
        if mode == "wrong_schema":
            return 200, json.dumps({"report_id": "RPT-1", "bureau_score": "seven hundred"}).encode()
        return 200, json.dumps(self.report(str(body.get("subject", ""))), ensure_ascii=False).encode()
