"""uvicorn's h11 protocol with TCP_NODELAY on every connection.

With several workers uvicorn binds the listening socket itself (protocol number 0), and asyncio only sets
TCP_NODELAY on sockets it recognises as TCP by that number: responses then wait for Nagle's algorithm and
the client's delayed ACK (about 40 ms each). Setting it per connection restores sub-millisecond replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm on its connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set TCP_NODELAY, then proceed as uvicorn does."""
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all: leave it as it is
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


HTTP_PROTOCOL = "riskloop.api.protocol:NoDelayH11Protocol"
