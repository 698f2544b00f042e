"""Stand-ins for verification vendors a workspace has not configured: nothing is ever verified through them.

No SMS gateway: sending a code is a DataSourceError (503). No face vendor: every face is ``failed``. No carrier:
every lookup raises, so the phone is unmatched. Real vendors plug in behind the same ports (ADR 0030).
"""

from __future__ import annotations

from riskloop.domain.verification import CarrierAnswer, FaceMatch
from riskloop.errors import DataSourceError


class NoSmsGateway:
    """Refuses every message."""

    def send(self, phone: str, text: str) -> None:
        """Raise: no gateway is configured."""
        raise DataSourceError("sms: no SMS gateway is configured for this workspace")


class NoFaceVendor:
    """Verifies no face."""

    def match(self, resident_id: str, image: bytes) -> FaceMatch:
        """Not verified: no vendor is configured."""
        return FaceMatch.failed("no face-match vendor is configured")


class NoCarrier:
    """Knows no number."""

    def owner(self, phone: str, resident_id: str) -> CarrierAnswer:
        """Raise: no carrier is configured."""
        raise DataSourceError("carrier: no carrier lookup is configured for this workspace")
