"""HttpCoreBanking: the CoreBanking port over the core's HTTP API (signed, idempotent, one pooled client).

The API as riskloop speaks it: ``POST {base}/v1/payments`` with the instruction as compact sorted JSON, the
``X-Riskloop-Signature`` of that body and ``Idempotency-Key: <instruction_id>``, answers 200/201 with a
``CoreAnswer`` body; ``GET {base}/v1/payments/{id}`` (signed over its path, as it has no body) answers the same,
or 404 for an id the core never received. Anything else (a timeout, a refused connection, another status, a
body that is not an answer for that id) is ``UNANSWERED`` with a short reason, never an exception (the port's
contract). Reasons name only exception types and statuses, so the account number cannot leak into them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from riskloop.domain.clock import Clock, SystemClock
from riskloop.domain.disbursal import CoreAnswer, CoreStatus, Instruction
from riskloop.domain.outbox import SIGNATURE_HEADER, signature

DEFAULT_TIMEOUT = 2.0  # seconds: a drawdown waits on it, and a lost answer is recovered by asking later
PAYMENT_ANSWERS = frozenset({CoreStatus.CONFIRMED, CoreStatus.REJECTED, CoreStatus.PENDING})
REDACTED = "[account]"


def payment_body(instruction: Instruction) -> bytes:
    """The bytes sent and signed: compact, sorted keys, so a repeat sends the very same body."""
    return json.dumps(instruction.to_dict(), separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def payment_path(instruction_id: str) -> str:
    """The path of one payment; the id is quoted whole so no character of it can change the path."""
    return f"/v1/payments/{quote(instruction_id, safe='')}"


class HttpCoreBanking:
    """Pays through the core at ``base_url``; ``secret`` signs every request; ``transport`` replaces the network."""

    def __init__(
        self,
        base_url: str,
        secret: bytes,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.secret = secret
        self.clock: Clock = clock or SystemClock()
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    def disburse(self, instruction: Instruction) -> CoreAnswer:
        """Send ``instruction`` once more or for the first time; the core's answer or ``UNANSWERED``."""
        body = payment_body(instruction)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": instruction.instruction_id,
            SIGNATURE_HEADER: self._sign(body),
        }
        answer = self._exchange(instruction.instruction_id, "POST", self.base + "/v1/payments", body, headers)
        if answer.status not in PAYMENT_ANSWERS and answer.status is not CoreStatus.UNANSWERED:
            return _unanswered(instruction.instruction_id, f"malformed reply: {answer.status.value} to a payment")
        return _redacted(answer, instruction.account)

    def status(self, instruction_id: str) -> CoreAnswer:
        """What the core knows of ``instruction_id`` (``UNKNOWN`` on its 404)."""
        url = httpx.URL(self.base + payment_path(instruction_id))
        headers = {SIGNATURE_HEADER: self._sign(url.raw_path)}
        return self._exchange(instruction_id, "GET", url, b"", headers)

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()

    def _sign(self, message: bytes) -> str:
        return signature(self.secret, int(self.clock.now().timestamp()), message)

    def _exchange(
        self, instruction_id: str, method: str, url: httpx.URL | str, body: bytes, headers: dict[str, str]
    ) -> CoreAnswer:
        """One request and its answer; every failure is ``UNANSWERED`` (the exception's text is never kept)."""
        try:
            response = self.client.request(method, url, content=body or None, headers=headers)
        except httpx.TimeoutException:
            return _unanswered(instruction_id, "timeout")
        except Exception as exc:  # the port never raises, whatever the transport throws
            return _unanswered(instruction_id, f"transport: {type(exc).__name__}")
        if method == "GET" and response.status_code == 404:
            return CoreAnswer(instruction_id, CoreStatus.UNKNOWN)
        if response.status_code not in (200, 201):
            return _unanswered(instruction_id, f"core answered HTTP {response.status_code}")  # body never kept
        return _read(instruction_id, response)


def _read(instruction_id: str, response: httpx.Response) -> CoreAnswer:
    """The answer in ``response``'s body, if it is one about ``instruction_id``."""
    try:
        data: Any = response.json()
        answer = CoreAnswer.from_dict(data)
    except Exception:  # not JSON, or not an answer: malformed, whatever the parser raised
        return _unanswered(instruction_id, "malformed reply: not an answer")
    if answer.instruction_id != instruction_id:
        return _unanswered(instruction_id, "malformed reply: an answer about another instruction")
    return answer


def _unanswered(instruction_id: str, reason: str) -> CoreAnswer:
    return CoreAnswer(instruction_id, CoreStatus.UNANSWERED, reason=reason)


def _redacted(answer: CoreAnswer, account: str) -> CoreAnswer:
    """``answer`` with the account number masked out of the core's reason (a core may echo what it was sent)."""
    if answer.reason is None or account not in answer.reason:
        return answer
    reason = answer.reason.replace(account, REDACTED)
    return CoreAnswer(answer.instruction_id, answer.status, answer.core_ref, reason, answer.at)
