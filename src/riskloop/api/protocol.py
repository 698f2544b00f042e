"""uvicorn's HTTP protocol for ``riskloop serve``: httptools' C parser, with TCP_NODELAY on every connection.

httptools parses a request in C where h11 does it in Python: on the decision path that is a tenth of a
millisecond per request on the event loop (ADR 0037). With several workers uvicorn binds the listening socket
itself (protocol number 0), and asyncio only sets TCP_NODELAY on sockets it recognises as TCP by that number:
responses then wait for Nagle's algorithm and the client's delayed ACK (about 40 ms each). Setting it per
connection restores sub-millisecond replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _no_delay(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # not a TCP socket after all: leave it as it is
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that disables Nagle's algorithm on its connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set TCP_NODELAY, then proceed as uvicorn does."""
        _no_delay(transport)
        super().connection_made(transport)


HTTP_PROTOCOL = "riskloop.api.protocol:NoDelayHttpToolsProtocol"
