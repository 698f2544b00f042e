"""Which stored fields are personal identifiers, and how each is protected (sealed, tokenised, never repeated)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from riskloop.domain.tables import TABLES
from riskloop.privacy.envelope import Sealer, is_sealed

# decisions.inputs["request"]: sealed (replay opens them; the decision never reads them, the graph signals are stored).
REQUEST_FIELDS = ("applicant_id", "phone", "device_id", "ip", "address", "email", "bank_account")
# Ingested columns holding a person's identifier or contact: a quarantine reason never repeats their value.
PERSONAL_COLUMNS = frozenset(
    {"person_id", "applicant_id", "legal_rep_id", "holder_id", "phone", "name", "address", "email", "bank_account"}
    | {c.name for t in TABLES for c in t.columns if c.personal}
)
QUARANTINE_RAW = "quarantine.raw"


def seal_inputs(sealer: Sealer, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Stored decision inputs with the request's identifiers sealed (one data key per record)."""
    request = inputs.get("request")
    if not isinstance(request, Mapping):
        return dict(inputs)
    return {**inputs, "request": sealer.seal_fields(request, REQUEST_FIELDS, "request")}


def open_inputs(sealer: Sealer, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Stored decision inputs with the request's identifiers opened (raw ones stay as they are)."""
    request = inputs.get("request")
    if not isinstance(request, Mapping):
        return dict(inputs)
    return {**inputs, "request": sealer.open_fields(request, REQUEST_FIELDS, "request")}


def sealed_fields(inputs: Mapping[str, Any]) -> bool:
    """Whether any identifier of stored inputs is sealed (so opening them is a decryption to audit)."""
    request = inputs.get("request")
    return isinstance(request, Mapping) and any(is_sealed(request.get(n)) for n in REQUEST_FIELDS)


def seal_raw(sealer: Sealer, raw: str) -> str:
    """A quarantined row's JSON text, sealed whole (it may hold any personal column)."""
    return raw if is_sealed(raw) else sealer.record().seal(QUARANTINE_RAW, raw)


def open_raw(sealer: Sealer, raw: str) -> Any:
    """A quarantined row as read (JSON), from its sealed text."""
    return json.loads(sealer.open(QUARANTINE_RAW, raw))
