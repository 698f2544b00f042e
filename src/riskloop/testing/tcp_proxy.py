"""A loopback TCP proxy for tests of a database that goes away: forward, refuse, or accept and never answer."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Literal

Mode = Literal["forward", "blackhole"]


class TcpProxy:
    """Listens on 127.0.0.1 (``port``) and forwards to ``target``; ``stop`` cuts every connection and refuses new ones.

    In ``blackhole`` mode it accepts connections and never answers (an unreachable server behind a firewall
    that drops packets looks the same to a client waiting for the handshake).
    """

    def __init__(self, target_host: str, target_port: int, mode: Mode = "forward") -> None:
        self.target = (target_host, target_port)
        self.mode = mode
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stopped
            if self._stopped:
                client.close()
                return
            with self._lock:
                self._sockets.append(client)
            if self.mode == "forward":
                threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.append(upstream)
        threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
        _pipe(upstream, client)

    def blackhole(self) -> None:
        """Cut every connection; from now on accept new ones and never answer."""
        self.mode = "blackhole"
        self._cut()

    def stop(self) -> None:
        """Close the listener and every connection: the server is gone."""
        self._stopped = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept (close alone does not)
        self._listener.close()
        self._cut()
        self._thread.join(timeout=5)

    def _cut(self) -> None:
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
