"""HttpxWebhookSender: the WebhookSender over HTTP with httpx (bounded timeout, no redirects, one pooled client).

A transport failure (refused, reset, timed out) is a reply carrying the error, never an exception: the
dispatcher decides what a failure means. Only the status of an answer is kept, never its body (a receiver's
error page could echo what it was sent).
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from riskloop.domain.outbox import WebhookReply

DEFAULT_TIMEOUT = 10.0  # seconds, connect and read alike


class HttpxWebhookSender:
    """POSTs with one ``httpx.Client``; ``transport`` replaces the network (httpx.MockTransport in tests)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None) -> None:
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        """POST ``body``; the answer's status, or the transport error."""
        try:
            response = self.client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            return WebhookReply(None, f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return WebhookReply(response.status_code)
        return WebhookReply(response.status_code, f"HTTP {response.status_code} {response.reason_phrase}".strip())

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()
