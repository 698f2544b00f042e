"""What a pull asks a source, what can go wrong, and what is kept: validation and PIPL minimum necessary.

A payload is a JSON object. It is validated against the source's declared fields (a malformed body or a field of
the wrong type is a DataSourceError naming the source and the field), then cut to the fields the purpose may keep
before anything is stored or returned.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskloop.domain.source_settings import SourceSettings
from riskloop.errors import DataSourceError


@dataclass(frozen=True)
class SourceQuery:
    """One request to a source about a subject (``subject`` is the written identifier: it leaves only to the source)."""

    source: str
    subject: str
    subject_kind: str
    purpose: str
    request_id: str
    consent_id: str
    fields: tuple[str, ...]  # what the purpose may keep: the source is asked for these only

    def body(self) -> dict[str, Any]:
        """The JSON body sent to a gateway."""
        return {
            "subject": self.subject,
            "subject_kind": self.subject_kind,
            "purpose": self.purpose,
            "request_id": self.request_id,
            "consent_id": self.consent_id,
            "fields": list(self.fields),
        }


class SourceError(DataSourceError):
    """A source did not answer usefully; ``retryable`` says whether trying again may help (timeouts, 5xx)."""

    def __init__(self, source: str, problem: str, *, retryable: bool, kind: str = "error") -> None:
        super().__init__(f"source {source}: {problem}")
        self.source, self.problem, self.retryable, self.kind = source, problem, retryable, kind


class MalformedPayloadError(SourceError):
    """A payload that is not the declared shape: ``field`` names where (``body`` for unparseable JSON)."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        super().__init__(source, f"malformed payload: {field}: {problem}", retryable=False, kind="malformed")
        self.field = field


@dataclass(frozen=True)
class RawPayload:
    """A pulled payload with its lineage; ``body`` is the kept fields as canonical JSON (stored sealed)."""

    payload_id: str
    source: str
    request_id: str
    consent_id: str
    subject_token: str
    purpose: str
    fetched_at: dt.datetime
    sha256: str  # of the bytes the source sent, before anything was dropped
    body: str
    fields: tuple[str, ...]


def parse_payload(settings: SourceSettings, raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw`` checked against the source's fields; MalformedPayloadError naming the field."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayloadError(settings.name, "body", f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise MalformedPayloadError(settings.name, "body", f"must be a JSON object, got {type(data).__name__}")
    for field in settings.required:
        if data.get(field) is None:
            raise MalformedPayloadError(settings.name, field, "missing")
    for field, kind in settings.fields.items():
        value = data.get(field)
        if value is not None and not _is(kind, value):
            raise MalformedPayloadError(
                settings.name, field, f"must be {kind}, got {type(value).__name__} {value!r:.40}"
            )
    return data


def keep_allowed(settings: SourceSettings, purpose: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields ``purpose`` may keep (PIPL minimum necessary); anything else the source sent is dropped."""
    return {name: data.get(name) for name in settings.allowed(purpose)}


def canonical(data: Mapping[str, Any]) -> str:
    """Sorted, compact JSON (what is sealed and stored)."""
    return json.dumps(dict(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _is(kind: str, value: object) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, str)
