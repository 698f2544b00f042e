"""HttpFaceMatcher: the FaceMatcher over a vendor's HTTP API (bounded timeout, no redirects, one pooled client).

The vendor's API as riskloop speaks it: ``POST {base}/v1/face/compare`` with JSON ``{"id_number", "image"}``
(the image base64) answers ``{"similarity": 0..100, "live": bool}``. Anything else (a timeout, a refused
connection, a non-200 status, a body that is not that shape, a similarity outside 0..100) is
``FaceMatch.failed(why)``: not verified, never an exception (the FaceMatcher contract).
"""

from __future__ import annotations

import base64
import math
from typing import Any

import httpx

from riskloop.domain.verification import FaceMatch

DEFAULT_TIMEOUT = 3.0  # seconds: a face match runs while the applicant waits


class HttpFaceMatcher:
    """Asks the vendor at ``base_url``; ``api_key`` goes as a bearer token; ``transport`` replaces the network."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = base_url.rstrip("/") + "/v1/face/compare"
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport, headers=headers)

    def match(self, resident_id: str, image: bytes) -> FaceMatch:
        """The vendor's answer for ``image`` against the ID photo of ``resident_id``."""
        body = {"id_number": resident_id, "image": base64.b64encode(image).decode("ascii")}
        try:
            response = self.client.post(self.url, json=body)
        except httpx.TimeoutException:
            return FaceMatch.failed("timeout")
        except httpx.HTTPError as exc:
            return FaceMatch.failed(f"transport: {type(exc).__name__}")
        if response.status_code != 200:
            return FaceMatch.failed(f"vendor answered HTTP {response.status_code}")  # its body is never kept
        return _read(response)

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()


def _read(response: httpx.Response) -> FaceMatch:
    try:
        data: Any = response.json()
    except ValueError:
        return FaceMatch.failed("malformed reply: not JSON")
    similarity = data.get("similarity") if isinstance(data, dict) else None
    live = data.get("live") if isinstance(data, dict) else None
    if isinstance(similarity, bool) or not isinstance(similarity, int | float) or not isinstance(live, bool):
        return FaceMatch.failed("malformed reply: no similarity and live")
    if not math.isfinite(similarity) or not 0 <= similarity <= 100:
        return FaceMatch.failed(f"malformed reply: similarity {similarity!r} outside 0..100")
    return FaceMatch(float(similarity) / 100.0, live)
