"""A sign-up on the lending platform (one registration event) and what screening decides for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from riskloop.domain import _checks as c
from riskloop.domain.identifiers import canonical_ip, normalize_phone, validate_resident_id, validate_uscc
from riskloop.errors import ValidationError

CHANNELS = ("app", "web", "mini_program", "branch", "campaign")
ACCEPT, STEP_UP, BLOCK = "accept", "step_up", "block"
OUTCOMES = (ACCEPT, STEP_UP, BLOCK)  # in order of severity
POLICY_KIND = "registration-policy"  # a bank's thresholds in the model registry (four eyes)
FIELDS = ("registration_id", "phone", "device_id", "ip", "credit_code", "legal_rep_id", "channel", "device_model")


@dataclass(frozen=True)
class Registration:
    """One registration: who signs up (credit code, legal representative) from where (phone, device, IP, channel).

    ``device_model`` is the model and OS the client reports (``"HUAWEI P40/HarmonyOS 3.0"``): not an identifier,
    but what a device farm's copies have in common. Every identifier is normalised on construction.
    """

    registration_id: str
    at: dt.datetime
    phone: str
    device_id: str
    ip: str
    credit_code: str
    legal_rep_id: str
    channel: str
    device_model: str | None = None

    def __post_init__(self) -> None:
        c.text("registration_id", self.registration_id, 40)
        object.__setattr__(self, "at", c.utc_timestamp("registered_at", self.at))
        object.__setattr__(self, "phone", normalize_phone(c.text("phone", self.phone, 32)))
        object.__setattr__(self, "device_id", c.text("device_id", self.device_id, 64).strip())
        object.__setattr__(self, "ip", canonical_ip(c.text("ip", self.ip, 64)))
        object.__setattr__(self, "credit_code", validate_uscc(c.text("credit_code", self.credit_code, 32)))
        legal_rep = validate_resident_id(c.text("legal_rep_id", self.legal_rep_id, 32), "legal_rep_id")
        object.__setattr__(self, "legal_rep_id", legal_rep)
        c.choice("channel", self.channel, CHANNELS)
        model = c.optional_text("device_model", self.device_model, 80)
        object.__setattr__(self, "device_model", None if model is None else " ".join(model.split()).lower())

    @classmethod
    def from_mapping(cls, row: dict[str, Any], at: dt.datetime) -> Registration:
        """A registration from a plain row (the API body, a file's row) at ``at``; unknown keys are ignored."""
        missing = [f for f in FIELDS[:-1] if row.get(f) in (None, "")]
        if missing:
            raise ValidationError(missing[0], "is required")
        values: dict[str, Any] = {f: row.get(f) for f in FIELDS}
        return cls(at=at, **values)


@dataclass(frozen=True)
class Verdict:
    """Screening's outcome for one registration, with its reason codes (most severe first) and the signals."""

    registration_id: str
    outcome: str
    reasons: tuple[str, ...]
    points: int
    signals: tuple[dict[str, Any], ...] = ()
    policy: str = ""  # the thresholds' version and where they came from (the active registered one, or shipped)
    held: tuple[str, ...] = ()  # the identifiers a block grey-listed for the decision path

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "registration_id": self.registration_id,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "points": self.points,
            "signals": [dict(s) for s in self.signals],
            "policy": self.policy,
            "held": list(self.held),
        }
