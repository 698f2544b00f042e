"""In-memory fakes of the verification vendors: an SMS gateway, a face-match vendor and a carrier.

The SMS fake records every message: it is how tests read the codes sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from riskloop.domain.verification import CarrierAnswer, FaceMatch
from riskloop.errors import DataSourceError

_CODE = re.compile(r"(\d{4,10})")


@dataclass
class MemorySmsSender:
    """Keeps every message; ``fail`` makes the gateway refuse."""

    messages: list[tuple[str, str]] = field(default_factory=list)  # phone, text
    fail: bool = False

    def send(self, phone: str, text: str) -> None:
        """Record the message (or refuse it)."""
        if self.fail:
            raise DataSourceError("sms gateway: refused")
        self.messages.append((phone, text))

    def last_code(self, phone: str) -> str:
        """The code in the last message to ``phone``."""
        text = next(t for p, t in reversed(self.messages) if p == phone)
        found = _CODE.search(text)
        assert found is not None, text
        return found.group(1)


@dataclass
class MemoryFaceVendor:
    """A face-match vendor whose next answers a test scripts (the same script as ``testing.face_vendor``).

    ``similarity`` is on the vendor's 0..100 scale; ``mode`` is ``ok``, ``error``, ``timeout`` or ``malformed``.
    """

    similarity: float = 95.0
    live: bool = True
    mode: str = "ok"
    calls: list[str] = field(default_factory=list)  # resident ids asked about

    def answer(self, similarity: float, live: bool = True) -> None:
        """Answer every request with ``similarity`` (0..100) and liveness ``live``."""
        self.similarity, self.live, self.mode = similarity, live, "ok"

    def fault(self, mode: str) -> None:
        """Fail every request: ``error`` (a 5xx), ``timeout`` or ``malformed`` (a reply that is not an answer)."""
        self.mode = mode

    def match(self, resident_id: str, image: bytes) -> FaceMatch:
        """The scripted answer as the FaceMatcher contract says it."""
        self.calls.append(resident_id)
        if self.mode != "ok":
            return FaceMatch.failed(self.mode)
        if not image or not 0 <= self.similarity <= 100:
            return FaceMatch.failed("malformed")
        return FaceMatch(self.similarity / 100.0, self.live)


@dataclass
class MemoryCarrier:
    """Numbers registered to people: phone -> (resident ID, tenure in months); ``fail`` makes lookups raise."""

    registry: dict[str, tuple[str, int]] = field(default_factory=dict)
    fail: bool = False

    def register(self, phone: str, resident_id: str, tenure_months: int = 36) -> None:
        """Register ``phone`` to ``resident_id``."""
        self.registry[phone] = (resident_id, tenure_months)

    def owner(self, phone: str, resident_id: str) -> CarrierAnswer:
        """Whether ``phone`` is registered to ``resident_id`` (None: the carrier does not know the number)."""
        if self.fail:
            raise DataSourceError("carrier: unavailable")
        found = self.registry.get(phone)
        if found is None:
            return CarrierAnswer(None)
        return CarrierAnswer(found[0] == resident_id, found[1])
