"""A local fake face-match vendor: a real HTTP server in a thread, speaking the API ``connectors.face_http`` calls.

A test scripts it as it scripts ``MemoryFaceVendor``: ``answer(similarity, live)`` or ``fault(mode)`` with
``error`` (HTTP 503), ``timeout`` (answers after ``hang`` seconds), ``malformed`` (a 200 that is not an answer)
or ``out_of_range`` (a similarity of 130).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from riskloop.testing.local_http import serve_json
from riskloop.testing.local_http import stop as stop_server


@dataclass
class FaceVendorServer:
    """The vendor; ``start`` serves it on 127.0.0.1 (an ephemeral port), ``calls`` lists the ID numbers asked."""

    similarity: float = 95.0
    live: bool = True
    mode: str = "ok"
    hang: float = 1.0
    api_key: str | None = None
    port: int = 0
    calls: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The vendor's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def answer(self, similarity: float, live: bool = True) -> None:
        """Answer every request with ``similarity`` (0..100) and ``live``."""
        self.similarity, self.live, self.mode = similarity, live, "ok"

    def fault(self, mode: str) -> None:
        """Fail every request as ``mode`` says."""
        self.mode = mode

    def start(self) -> FaceVendorServer:
        """Serve in a daemon thread until ``stop``."""
        self._server = serve_json(self.handle, self.port)
        self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        stop_server(self._server)
        self._server = None

    def handle(self, path: str, body: bytes, authorization: str) -> tuple[int, bytes]:
        """Status and body answered to one request."""
        if path != "/v1/face/compare":
            return 404, b'{"error": "no such path"}'
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            return 401, b'{"error": "bad key"}'
        try:
            request = json.loads(body)
            base64.b64decode(request["image"], validate=True)
            id_number = str(request["id_number"])
        except (ValueError, KeyError, TypeError):
            return 400, b'{"error": "bad request"}'
        with self._lock:
            self.calls.append(id_number)
            mode, similarity, live = self.mode, self.similarity, self.live
        if mode == "timeout":
            time.sleep(self.hang)
        if mode == "error":
            return 503, b'{"error": "busy"}'
        if mode == "malformed":
            return 200, b"<html>gateway</html>"
        if mode == "out_of_range":
            similarity = 130.0
        return 200, json.dumps({"similarity": similarity, "live": live, "request_id": "r1"}).encode()
