"""A real ``riskloop serve`` subprocess on a free loopback port, for the tests that talk HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(args: list[str], log: Path, serve_args: tuple[str, ...] = ()) -> Iterator[str]:
    """Run ``riskloop <args> serve --port <free> <serve_args>`` until the block ends; yields its URL once it answers."""
    port = free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "riskloop"), *args, "serve", "--port", str(port), *serve_args],
            stdout=subprocess.DEVNULL, stderr=sink, env=os.environ.copy(),
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.2)
        else:
            raise AssertionError("serve did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
