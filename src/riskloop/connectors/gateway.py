"""HttpGatewaySource: a DataSource over the bank's HTTP data gateway with httpx (timeout per call, no redirects).

A query is POSTed as JSON to the source's endpoint; the answer's bytes are the payload. Timeouts, refused or reset
connections, 429 and 5xx are retryable faults; other statuses are not (the puller decides). A body larger than
``MAX_BODY`` is refused without reading further. Only the status of an error answer is kept, never its body.
"""

from __future__ import annotations

import httpx

from riskloop.domain.source_payload import SourceError, SourceQuery

MAX_BODY = 1_000_000  # bytes: a report summary is a few kilobytes


class HttpGatewaySource:
    """One source behind one endpoint; ``transport`` replaces the network (httpx.MockTransport in tests)."""

    def __init__(self, name: str, endpoint: str, transport: httpx.BaseTransport | None = None) -> None:
        self.name, self.endpoint = name, endpoint
        self.client = httpx.Client(follow_redirects=False, transport=transport)

    def fetch(self, query: SourceQuery, timeout: float) -> bytes:
        """The gateway's answer to ``query`` within ``timeout`` seconds per phase; SourceError otherwise."""
        try:
            with self.client.stream("POST", self.endpoint, json=query.body(), timeout=httpx.Timeout(timeout)) as r:
                if r.status_code == 429 or r.status_code >= 500:
                    raise SourceError(self.name, f"HTTP {r.status_code}", retryable=True, kind="http_5xx")
                if r.status_code != 200:
                    raise SourceError(self.name, f"HTTP {r.status_code}", retryable=False, kind="http_error")
                return _read(self.name, r)
        except httpx.TimeoutException as exc:
            raise SourceError(self.name, f"timed out after {timeout:g} s ({type(exc).__name__})", retryable=True,
                              kind="timeout") from None  # fmt: skip
        except httpx.TransportError as exc:
            raise SourceError(self.name, f"unreachable ({type(exc).__name__}: {exc})", retryable=True,
                              kind="unreachable") from None  # fmt: skip

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()


def _read(name: str, response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise SourceError(name, f"answer larger than {MAX_BODY} bytes", retryable=False, kind="too_large")
        chunks.append(chunk)
    return b"".join(chunks)
