"""Personal identifiers masked in every output: resident ID, phone, bank account, email; ``reveal()`` for storage."""

from __future__ import annotations

import re
from typing import Any, ClassVar, NoReturn, Self

from riskloop.domain.identifiers import mask_phone, mask_resident_id, normalize_phone, validate_resident_id
from riskloop.errors import IdentifierError

# How a protected value at rest starts (ADR 0016): a keyed token with a masked label (``tok1:`` links in the graph;
# ``tok0:`` is a value that does not normalise, kept by token and linking nothing), or an envelope-sealed value.
KEYED_PREFIX = "tok1:"
UNLINKED_PREFIX = "tok0:"
SEALED_PREFIX = "pii1:"
PROTECTED_PREFIXES = (KEYED_PREFIX, UNLINKED_PREFIX, SEALED_PREFIX)

_EMAIL_RE = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)+$")
_ACCOUNT_JUNK_RE = re.compile(r"[\s\-]")


def text(value: object, field: str) -> str:
    """Require a string and return it stripped."""
    if not isinstance(value, str):
        raise IdentifierError(field, f"must be a string, got {type(value).__name__}")
    return value.strip()


class _Masked:
    """An immutable identifier whose raw value never appears in repr, str or format; see ``reveal()``."""

    __slots__ = ("_value",)
    _value: str
    default_field: ClassVar[str] = "value"

    def __init__(self, raw: str, field: str | None = None) -> None:
        object.__setattr__(self, "_value", self._normalize(raw, field or self.default_field))

    @classmethod
    def parse(cls, raw: object, field: str | None = None) -> Self:
        """Validate and normalise ``raw``; errors name ``field``."""
        return cls(raw, field)  # type: ignore[arg-type]

    @staticmethod
    def _normalize(raw: object, field: str) -> str:
        raise NotImplementedError

    def _mask(self) -> str:
        raise NotImplementedError

    def reveal(self) -> str:
        """The raw value: only for storage, hashing and the one place that must show it."""
        return self._value

    @property
    def masked(self) -> str:
        """The masked form shown in every output."""
        return self._mask()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Masked) and type(other) is type(self) and other._value == self._value

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._mask()!r})"

    def __str__(self) -> str:
        return self._mask()

    def __format__(self, spec: str) -> str:
        return format(self._mask(), spec)

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    def __reduce__(self) -> tuple[type[Self], tuple[str]]:
        return (type(self), (self._value,))


class ResidentId(_Masked):
    """A resident identity number (身份证号), check digit verified, masked in every output.

    Examples
    --------
    >>> rid = ResidentId("11010519491231002x")
    >>> rid, str(rid), f"{rid}"
    (ResidentId('110105**********2X'), '110105**********2X', '110105**********2X')
    >>> rid.reveal()
    '11010519491231002X'

    """

    __slots__ = ()
    default_field = "person_id"

    @staticmethod
    def _normalize(raw: object, field: str) -> str:
        return validate_resident_id(text(raw, field), field)

    def _mask(self) -> str:
        return mask_resident_id(self._value)


class Phone(_Masked):
    """A mainland mobile or landline number normalised to digits, masked in every output.

    Examples
    --------
    >>> Phone("+86 138-0013-8000")
    Phone('138****8000')

    """

    __slots__ = ()
    default_field = "phone"

    @staticmethod
    def _normalize(raw: object, field: str) -> str:
        return normalize_phone(text(raw, field), field)

    def _mask(self) -> str:
        return mask_phone(self._value)


class BankAccount(_Masked):
    """A bank account number (6..32 digits; spaces and hyphens dropped), masked but for the last 4 digits.

    Examples
    --------
    >>> BankAccount("6222 0212 3456 7890 123")
    BankAccount('***************0123')

    """

    __slots__ = ()
    default_field = "bank_account"

    @staticmethod
    def _normalize(raw: object, field: str) -> str:
        value = _ACCOUNT_JUNK_RE.sub("", text(raw, field))
        if not value.isascii() or not value.isdigit() or not 6 <= len(value) <= 32:
            raise IdentifierError(field, "must be 6 to 32 digits")
        return value

    def _mask(self) -> str:
        return "*" * (len(self._value) - 4) + self._value[-4:]


class Email(_Masked):
    """An email address, trimmed and lower-cased; the local part is masked in every output.

    Examples
    --------
    >>> Email(" Zhang.San@Example.COM ")
    Email('z***@example.com')

    """

    __slots__ = ()
    default_field = "email"

    @staticmethod
    def _normalize(raw: object, field: str) -> str:
        value = text(raw, field).lower()
        if len(value) > 254 or not _EMAIL_RE.match(value):
            raise IdentifierError(field, "not a valid email address")
        return value

    def _mask(self) -> str:
        local, _, domain = self._value.partition("@")
        return f"{local[0]}***@{domain}"
