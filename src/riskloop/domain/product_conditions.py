"""The eligibility conditions of the product catalogue: the profile it reads, and the cells riskloop understands.

A catalogue row's input cells are zen-engine unary tests over one prospect profile. zen-engine decides which
products a profile is eligible for; riskloop reads the same cells (``parse_condition``) to refuse a catalogue it
cannot explain, to show each product's conditions, and to cross-check zen in the tests (``Condition.holds``).
The cells read, by the kind of the profile key:

- number: ``< x``, ``<= x``, ``> x``, ``>= x``, ``x`` (equal) or ``[a..b]`` (both ends included);
- text: ``'A', 'B'`` or ``['A', 'B']`` (one of), ``not in ['J', 'K']`` (none of); tax grades and industry
  sections must be known values;
- flag: ``true`` or ``false``;
- an empty cell: any value, unknown included.

An unknown value (``None``) meets no condition but ``not in`` (as in zen-engine). ``normalise_profile`` gives zen
and ``holds`` the same values: numbers rounded to 12 significant digits (zen reads a float as a decimal of about
16 digits, so the last bits of a float would otherwise compare differently), non-finite or absurdly large
numbers and values of the wrong type become unknown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from riskloop.domain.tables import INDUSTRY_SECTIONS, TAX_GRADES
from riskloop.errors import ValidationError

NUMBER, TEXT, FLAG = "number", "text", "flag"
# The profile of the prospect screening seam (docs/products.md): every key the catalogue may read, by kind.
PROFILE_KEYS: Mapping[str, str] = {
    "tax_grade": TEXT,
    "years_in_business": NUMBER,
    "pd": NUMBER,
    "last_12m_sales": NUMBER,
    "sales_12m_forecast": NUMBER,
    "growth_12m": NUMBER,
    "related_risk": NUMBER,
    "propagated_risk": NUMBER,
    "gang": FLAG,
    "bad_neighbours": NUMBER,
    "individual": FLAG,
    "section": TEXT,
    "blacklisted": FLAG,
    "excluded": FLAG,
}
KNOWN_VALUES: Mapping[str, tuple[str, ...]] = {"tax_grade": TAX_GRADES, "section": INDUSTRY_SECTIONS}
MAX_MAGNITUDE = 1e15  # beyond any sales figure or ratio: treated as unknown (zen's decimals overflow near 8e28)
DIGITS = 12

_NUM = r"-?\d+(?:\.\d+)?"
_COMPARE = re.compile(rf"^(<=|>=|<|>)?\s*({_NUM})$")
_BETWEEN = re.compile(rf"^\[\s*({_NUM})\s*\.\.\s*({_NUM})\s*\]$")
_WORD = r"'[^'\\]*'"
_WORDS = rf"{_WORD}(?:\s*,\s*{_WORD})*"
_ONE_OF = re.compile(rf"^(?:\[\s*({_WORDS})\s*\]|({_WORDS}))$")
_NONE_OF = re.compile(rf"^not\s+in\s*\[\s*({_WORDS})\s*\]$")
FORMS = {
    NUMBER: "< x, <= x, > x, >= x, x or [a..b]",
    TEXT: "'A', 'B' or not in ['J', 'K']",
    FLAG: "true or false",
}


@dataclass(frozen=True)
class Condition:
    """One input cell of a product row: ``field op value`` as written in ``text``."""

    field: str
    op: str  # "<", "<=", ">", ">=", "==", "between", "in", "not in"
    value: Decimal | bool | tuple[Decimal, Decimal] | tuple[str, ...]
    text: str

    def holds(self, value: object) -> bool:
        """Whether a (normalised) profile value meets the condition; unknown meets only ``not in``."""
        if self.op == "not in":
            return value not in self.value if isinstance(self.value, tuple) else False
        if value is None:
            return False
        if isinstance(self.value, bool):
            return value is self.value
        if isinstance(self.value, tuple) and self.op == "in":
            return isinstance(value, str) and value in self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return _compare(self.op, Decimal(str(value)), self.value)

    def to_dict(self) -> dict[str, Any]:
        """The field and the cell as written."""
        return {"field": self.field, "condition": self.text}


def _compare(op: str, number: Decimal, bound: object) -> bool:
    if op == "between" and isinstance(bound, tuple):
        low, high = bound
        return bool(low <= number <= high)
    if not isinstance(bound, Decimal):
        return False
    checks = {"<": number < bound, "<=": number <= bound, ">": number > bound, ">=": number >= bound}
    return checks.get(op, number == bound)


def parse_condition(where: str, field: str, cell: object) -> Condition | None:
    """The condition of one cell on ``field`` (None when empty); ValidationError ``where`` naming the cell."""
    if not isinstance(cell, str):
        raise ValidationError(where, f"must be a condition written as text, got {type(cell).__name__}")
    text = cell.strip()
    if not text:
        return None
    kind = PROFILE_KEYS[field]
    found = {NUMBER: _number, TEXT: _text, FLAG: _flag}[kind](field, text)
    if found is None:
        raise ValidationError(where, f"{text!r} is not a condition riskloop reads on a {kind} ({FORMS[kind]})")
    known = KNOWN_VALUES.get(field)
    if known and isinstance(found.value, tuple):
        unknown = [str(v) for v in found.value if v not in known]
        if unknown:
            raise ValidationError(where, f"{', '.join(unknown)} not among the known values ({', '.join(known)})")
    return found


def _number(field: str, text: str) -> Condition | None:
    if compared := _COMPARE.match(text):
        return Condition(field, compared.group(1) or "==", Decimal(compared.group(2)), text)
    if between := _BETWEEN.match(text):
        low, high = Decimal(between.group(1)), Decimal(between.group(2))
        return Condition(field, "between", (low, high), text) if low <= high else None
    return None


def _text(field: str, text: str) -> Condition | None:
    if none_of := _NONE_OF.match(text):
        return Condition(field, "not in", _words(none_of.group(1)), text)
    if one_of := _ONE_OF.match(text):
        return Condition(field, "in", _words(one_of.group(1) or one_of.group(2)), text)
    return None


def _flag(field: str, text: str) -> Condition | None:
    return Condition(field, "==", text == "true", text) if text in {"true", "false"} else None


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"'([^'\\]*)'", text))


def normalise_profile(profile: Mapping[str, object]) -> dict[str, Any]:
    """The profile keys of ``profile`` as zen and ``holds`` read them (missing keys and wrong types: None)."""
    return {key: _value(kind, profile.get(key)) for key, kind in PROFILE_KEYS.items()}


def _value(kind: str, value: object) -> Any:
    if value is not None and not isinstance(value, (bool, int, float, str)):
        item = getattr(value, "item", None)  # a numpy scalar from a batch (numpy floats are floats already)
        value = item() if callable(item) else value
    if kind == FLAG:
        return value if isinstance(value, bool) else None
    if kind == TEXT:
        return str(value) if isinstance(value, str) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or abs(number) >= MAX_MAGNITUDE:
        return None
    return float(f"{number:.{DIGITS}g}")
