"""Device-fingerprint consistency: device id vs OS and model, the SDK's risk signals, identities per device.

Pure rules on what the channel's SDK reports. An iOS device id is an IDFV (an upper-case UUID); an Android one is
an ANDROID_ID (16 hex digits) or an OAID (a UUID or 64 hex digits); Apple models run iOS only. Each failed rule
is a reason code (``rules/reason_catalog.json``); any reason makes the device not ok.

Examples
--------
>>> report = DeviceReport("0f3c2a1b9d8e7f60", "android", "SM-G9910")
>>> check_device(report, identities=1, companies=1, max_identities=2).ok
True
>>> check_device(DeviceReport("0f3c2a1b9d8e7f60", "ios", "iPhone14,2"), 1, 1, 2).reasons
('IDV_DEVICE_ID_FORMAT',)

"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskloop.errors import ValidationError

OS_NAMES = ("ios", "android", "harmonyos")
SIGNALS = ("emulator", "rooted", "hooked")  # what the SDK reports it saw
_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_ID_FORMATS = {
    "ios": re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$"),  # IDFV
    "android": re.compile(rf"^(?:[0-9a-f]{{16}}|{_UUID}|[0-9a-f]{{64}})$"),  # ANDROID_ID or OAID
    "harmonyos": re.compile(rf"^(?:{_UUID}|[0-9a-f]{{64}})$"),  # ODID / OAID
}
_APPLE_MODEL = re.compile(r"^(?:iPhone|iPad|iPod)", re.IGNORECASE)
ID_FORMAT, MODEL_MISMATCH, MANY_IDENTITIES = "IDV_DEVICE_ID_FORMAT", "IDV_DEVICE_MODEL_MISMATCH", "IDV_DEVICE_SHARED"
SIGNAL_REASONS = {"emulator": "IDV_DEVICE_EMULATOR", "rooted": "IDV_DEVICE_ROOTED", "hooked": "IDV_DEVICE_HOOKED"}


@dataclass(frozen=True)
class DeviceReport:
    """What the SDK reported: device id, OS, model and the risk signals it detected."""

    device_id: str
    os: str
    model: str
    emulator: bool = False
    rooted: bool = False  # rooted (Android) or jailbroken (iOS)
    hooked: bool = False  # a hooking framework (Xposed, Frida) in the process

    def __post_init__(self) -> None:
        if self.os not in OS_NAMES:
            raise ValidationError("os", f"{self.os!r} is not one of {', '.join(OS_NAMES)}")
        if not self.model.strip() or len(self.model) > 60:
            raise ValidationError("model", "must be 1 to 60 characters")


@dataclass(frozen=True)
class DeviceCheck:
    """The result: ok when no rule failed; the reason codes of those that did, in a fixed order."""

    reasons: tuple[str, ...]
    identities: int
    companies: int

    @property
    def ok(self) -> bool:
        """True when every rule passed."""
        return not self.reasons


def check_device(report: DeviceReport, identities: int, companies: int, max_identities: int) -> DeviceCheck:
    """Check ``report``; ``identities``/``companies``: distinct applicants/enterprises seen on the device lately."""
    reasons: list[str] = []
    if not _ID_FORMATS[report.os].match(report.device_id):
        reasons.append(ID_FORMAT)
    if (report.os == "ios") != bool(_APPLE_MODEL.match(report.model)):
        reasons.append(MODEL_MISMATCH)
    reasons += [SIGNAL_REASONS[s] for s in SIGNALS if getattr(report, s)]
    if max(identities, companies) > max_identities:
        reasons.append(MANY_IDENTITIES)
    return DeviceCheck(tuple(reasons), identities, companies)
