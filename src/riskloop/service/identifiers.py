"""An applicant's identifiers of a stored decision, as the reader's role may see them: masked, or whole (audited).

Decision inputs keep the identifiers sealed (ADR 0016). An auditor sees them whole; a channel or a reviewer
sees them masked (``138****8000``), enough to match a caller on the phone. Either way opening them is a
decryption, so each read writes a ``pii.reveal`` audit row naming the reader and the view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from riskloop.domain.access import AUDITOR, Principal
from riskloop.domain.clock import Clock
from riskloop.domain.decision_record import StoredDecision
from riskloop.domain.identifiers import mask_phone, mask_resident_id
from riskloop.privacy.fields import REQUEST_FIELDS

FULL_VIEW = frozenset({AUDITOR})  # the roles that see identifiers whole


class SealedDecisions(Protocol):
    """The decision store, as far as identifiers go."""

    def revealed(self, stored: Sequence[StoredDecision], *, actor: str, purpose: str, at: Any) -> list[StoredDecision]:
        """``stored`` with their identifiers opened, each opening audited."""
        ...


def _mask_ip(value: str) -> str:
    return ".".join([*value.split(".")[:2], "*", "*"]) if value.count(".") == 3 else value[:4] + "****"


def _mask_device(value: str) -> str:
    return value[:4] + "****"


def _mask_address(value: str) -> str:
    return value[:6] + "****"  # the province and city, as the graph's labels show an address


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def _mask_account(value: str) -> str:
    return "*" * max(0, len(value) - 4) + value[-4:]


_MASKS: dict[str, Callable[[str], str]] = {
    "applicant_id": mask_resident_id,
    "phone": mask_phone,
    "ip": _mask_ip,
    "device_id": _mask_device,
    "address": _mask_address,
    "email": _mask_email,
    "bank_account": _mask_account,
}


def applicant_identifiers(
    store: SealedDecisions, clock: Clock, stored: StoredDecision, reader: Principal
) -> dict[str, Any]:
    """The identifiers of ``stored``'s application for ``reader``: whole for an auditor, else masked.

    ``stored`` is a decision ``reader`` may read (``DecisionLookup.get``: a channel reads its own only).
    """
    full = not reader.roles.isdisjoint(FULL_VIEW)
    view = "full" if full else "masked"
    [opened] = store.revealed([stored], actor=reader.name, purpose=f"identifiers:{view}", at=clock.now())
    request = opened.inputs.get("request") or {}
    values: dict[str, Any] = {}
    for name in REQUEST_FIELDS:
        value = request.get(name)
        values[name] = value if full or not isinstance(value, str) else _MASKS[name](value)
    return {"decision_id": stored.decision_id, "view": view, **values}
