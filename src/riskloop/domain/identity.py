"""Identifier value objects: credit code, address, device, IP; re-exports the masked personal identifiers."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from riskloop.domain.address import normalize_address
from riskloop.domain.identifiers import validate_uscc
from riskloop.domain.pii import BankAccount, Email, Phone, ResidentId, text
from riskloop.errors import IdentifierError

__all__ = ["Address", "BankAccount", "CreditCode", "DeviceId", "Email", "IpAddress", "Phone", "ResidentId"]

_DEVICE_RE = re.compile(r"^[\x21-\x7e]{1,64}$")


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A unified social credit code (统一社会信用代码), check digit verified; lower case is upper-cased.

    Examples
    --------
    >>> CreditCode("91350100m000100y43")
    CreditCode('91350100M000100Y43')

    """

    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", validate_uscc(text(self.value, "credit_code").upper()))

    @classmethod
    def parse(cls, raw: object, field: str = "credit_code") -> CreditCode:
        """Validate ``raw``; errors name ``field``."""
        return cls(validate_uscc(text(raw, field).upper(), field))

    def __repr__(self) -> str:
        return f"CreditCode({self.value!r})"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Address:
    """An address as written plus its matching key (see :func:`normalize_address`).

    Examples
    --------
    >>> Address("湖北省武汉市洪山区珞喻路129号3楼").same_place(Address("武汉市洪山区珞喻路129号"))
    True

    """

    raw: str
    normalized: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        raw = self.raw
        if not isinstance(raw, str) or not raw.strip():
            raise IdentifierError("address", "must be a non-empty string")
        if len(raw) > 300:
            raise IdentifierError("address", f"must be at most 300 characters, got {len(raw)}")
        object.__setattr__(self, "normalized", normalize_address(raw))

    @classmethod
    def parse(cls, raw: object, field: str = "address") -> Address:
        """Validate ``raw``; errors name ``field``."""
        try:
            return cls(raw)  # type: ignore[arg-type]
        except IdentifierError as err:
            raise IdentifierError(field, err.problem) from None

    def same_place(self, other: Address) -> bool:
        """True when both addresses normalise to the same key."""
        return self.normalized == other.normalized

    def __str__(self) -> str:
        return self.raw


@dataclass(frozen=True, slots=True)
class DeviceId:
    """A device fingerprint id: 1..64 printable ASCII characters, no spaces.

    Examples
    --------
    >>> DeviceId("dev-3f9a")
    DeviceId(value='dev-3f9a')

    """

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _DEVICE_RE.match(self.value):
            raise IdentifierError("device_id", "must be 1 to 64 printable ASCII characters without spaces")

    @classmethod
    def parse(cls, raw: object, field: str = "device_id") -> DeviceId:
        """Validate ``raw``; errors name ``field``."""
        value = text(raw, field)
        if not _DEVICE_RE.match(value):
            raise IdentifierError(field, "must be 1 to 64 printable ASCII characters without spaces")
        return cls(value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class IpAddress:
    """An IPv4 or IPv6 address in canonical (compressed) form.

    Examples
    --------
    >>> IpAddress("2001:0db8:0000:0000:0000:0000:0000:0001"), IpAddress("10.0.0.1").version
    (IpAddress(value='2001:db8::1'), 4)

    """

    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", str(_parse_ip(self.value, "ip")))

    @classmethod
    def parse(cls, raw: object, field: str = "ip") -> IpAddress:
        """Validate ``raw``; errors name ``field``."""
        return cls(str(_parse_ip(raw, field)))

    @property
    def version(self) -> int:
        """4 or 6."""
        return ipaddress.ip_address(self.value).version

    def __str__(self) -> str:
        return self.value


def _parse_ip(raw: object, field: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text(raw, field))
    except ValueError:
        raise IdentifierError(field, f"not an IP address: {raw!r}") from None
