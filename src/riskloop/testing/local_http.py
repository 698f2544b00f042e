"""A real HTTP server on an ephemeral loopback port for the fakes of outside systems (gateway, face vendor)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (path, body, Authorization header) -> (status, JSON body)
Answer = Callable[[str, bytes, str], tuple[int, bytes]]


def serve_json(answer: Answer, port: int = 0) -> ThreadingHTTPServer:
    """Serve ``answer`` to every POST in daemon threads; the bound port is ``server.server_address[1]``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, reply = answer(self.path, body, self.headers.get("Authorization", ""))
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:  # the client gave up (timed out) first
                return

        def log_message(self, *_: object) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a hanging answer must not hold up stop()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer | None) -> None:
    """Stop serving and free the port (nothing when not serving)."""
    if server is not None:
        server.shutdown()
        server.server_close()
