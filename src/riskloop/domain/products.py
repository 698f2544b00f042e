"""The product catalogue: a bank's credit products as one JDM decision table, and the offer made to a prospect.

The catalogue is the strategy ``products`` (versions, four eyes and audit as for every strategy; ADR 0034). Its
graph is request → ``catalogue`` → response: one decision table with hit policy ``collect`` (every eligible
product comes out, under ``products``), one row per product. Input cells are eligibility conditions over the
prospect profile (``domain.product_conditions``); output cells are the product's terms as literals:

=================  ==========================================================
code               产品代码 unique code (letters, digits, ``_``, ``-``)
name_zh / name_en  产品名称 names
amount_min / max   额度 whole yuan, 0 < min <= max <= 10,000,000 (普惠 ceiling)
tenor_min / max    期限 months, 1..60; ``tenor_default`` between them
rate_low / high    年利率 annual %, 0 < low <= high <= 24
limit_multiple     额度系数 of the forecast 12-month sales, in (0, 1]
priority           推荐优先级 integer 1..999, 1 first
=================  ==========================================================

Every row must hold ``false`` in the ``blacklisted``, ``excluded`` and ``gang`` columns: the table itself never
offers a product to a blacklisted, excluded or gang enterprise (an unknown flag meets no row either).
``parse_catalogue`` checks all of it and names the product and field of the first problem
(``products[piaoyidai].amount_max``).

The offer: the indicative limit is ``limit_multiple`` x the forecast 12-month sales, capped at ``amount_max`` and
rounded down to 10,000 yuan; a product whose limit falls below ``amount_min`` does not fit. Among the products
that fit, the lowest ``priority`` wins, then the larger limit, then the code. The tenor is the default tenor; the
rate is the product's band (priced at the application's decision, not here).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from riskloop.domain.product_conditions import PROFILE_KEYS, Condition, parse_condition
from riskloop.errors import ValidationError

PRODUCTS = "products"  # the strategy holding the catalogue
TABLE = "catalogue"
OUTPUT_PATH = "products"
# every row must hold false in these columns
GATES = {"blacklisted": "a blacklisted enterprise", "excluded": "an excluded enterprise", "gang": "a gang's member"}
AMOUNT_CEILING = 10_000_000  # yuan: the 普惠小微 single-borrower ceiling
MAX_TENOR = 60
MAX_RATE = 24  # annual %: the judicial protection ceiling
LIMIT_STEP = 10_000  # yuan
TERMS = (
    "code", "name_zh", "name_en", "amount_min", "amount_max", "tenor_min", "tenor_max", "tenor_default",
    "rate_low", "rate_high", "limit_multiple", "priority",
)  # fmt: skip
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_STRING = re.compile(r"""^(?:'([^'\\]*)'|"([^"\\]*)")$""")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_GRAPH_KINDS = {"inputNode", "outputNode", "decisionTableNode"}


@dataclass(frozen=True)
class Product:
    """One row of the catalogue: its terms and eligibility conditions."""

    code: str
    name_zh: str
    name_en: str
    amount_min: int  # yuan
    amount_max: int
    tenor_min: int  # months
    tenor_max: int
    tenor_default: int
    rate_low: float  # annual %
    rate_high: float
    limit_multiple: float
    priority: int
    conditions: tuple[Condition, ...] = ()
    description: str = ""

    def admits(self, profile: Mapping[str, object]) -> bool:
        """Whether a normalised profile meets every condition (as riskloop reads the cells; zen decides)."""
        return all(c.holds(profile.get(c.field)) for c in self.conditions)

    def limit(self, forecast: object) -> int | None:
        """The indicative limit in yuan for forecast 12-month sales ``forecast``; None when it does not fit."""
        if isinstance(forecast, bool) or not isinstance(forecast, int | float) or not math.isfinite(forecast):
            return None
        raw = min(float(self.limit_multiple) * float(forecast), float(self.amount_max))
        limit = int(raw // LIMIT_STEP) * LIMIT_STEP if raw > 0 else 0
        return limit if limit >= self.amount_min else None

    def to_dict(self) -> dict[str, Any]:
        """The terms and conditions, JSON-ready."""
        terms = {name: getattr(self, name) for name in TERMS}
        return {**terms, "description": self.description, "conditions": [c.to_dict() for c in self.conditions]}


@dataclass(frozen=True)
class Catalogue:
    """The products of one catalogue version, in table order."""

    products: tuple[Product, ...]

    def product(self, code: str) -> Product:
        """The product ``code``; KeyError when the catalogue has none."""
        for product in self.products:
            if product.code == code:
                return product
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The product codes in table order."""
        return tuple(p.code for p in self.products)

    def to_dict(self) -> dict[str, Any]:
        """Every product, JSON-ready."""
        return {"products": [p.to_dict() for p in self.products]}


@dataclass(frozen=True)
class ProductOffer:
    """The product recommended to a prospect, with its indicative limit, tenor and rate band."""

    code: str
    name_zh: str
    name_en: str
    limit_cents: int
    tenor_months: int
    rate_low: float  # annual %
    rate_high: float
    catalogue: str  # "products@<version>"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "limit_cents": self.limit_cents,
            "tenor_months": self.tenor_months,
            "rate_low": self.rate_low,
            "rate_high": self.rate_high,
            "catalogue": self.catalogue,
        }


def offer(catalogue_key: str, product: Product, forecast: object) -> ProductOffer | None:
    """``product`` offered at its indicative limit for ``forecast``; None when the limit does not fit."""
    limit = product.limit(forecast)
    if limit is None:
        return None
    return ProductOffer(
        product.code, product.name_zh, product.name_en, limit * 100, product.tenor_default,
        product.rate_low, product.rate_high, catalogue_key,
    )  # fmt: skip


def best_offer(catalogue_key: str, products: Iterable[Product], forecast: object) -> ProductOffer | None:
    """Of the (eligible) ``products``, the offer that fits: lowest priority, then larger limit, then code."""
    ranked = []
    for product in products:
        made = offer(catalogue_key, product, forecast)
        if made is not None:
            ranked.append((product.priority, -made.limit_cents, made.code, made))
    return min(ranked, key=lambda r: r[:3])[3] if ranked else None


def parse_catalogue(content: str) -> Catalogue:
    """The catalogue of a ``products`` graph; ValidationError naming the product and field of the first problem."""
    table = _table(_graph(content))
    fields = _columns(table)
    rows = table.get("rules")
    if not isinstance(rows, list) or not rows:
        raise ValidationError("products", "the catalogue needs at least one product row")
    products: list[Product] = []
    for index, row in enumerate(rows):
        product = _product(index, row, fields)
        if product.code in {p.code for p in products}:
            raise ValidationError(f"products[{product.code}].code", "must be unique in the catalogue")
        products.append(product)
    return Catalogue(tuple(products))


def _graph(content: str) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ValidationError("strategy", f"not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise ValidationError("strategy", "a JDM graph needs a 'nodes' list")
    return data


def _table(data: Mapping[str, Any]) -> Mapping[str, Any]:
    nodes = [n for n in data["nodes"] if isinstance(n, dict)]
    kinds = sorted({str(n.get("type")) for n in nodes} - _GRAPH_KINDS)
    if kinds:
        raise ValidationError("catalogue", f"a catalogue is request → catalogue → response; no {', '.join(kinds)}")
    tables = [n for n in nodes if n.get("type") == "decisionTableNode"]
    if len(tables) != 1 or tables[0].get("name") != TABLE:
        raise ValidationError("catalogue", f"must be the one decision table, named {TABLE!r}")
    table = tables[0].get("content")
    if not isinstance(table, dict):
        raise ValidationError("catalogue", "has no content")
    if table.get("hitPolicy") != "collect":
        raise ValidationError("catalogue.hitPolicy", "must be collect: every eligible product comes out")
    if table.get("outputPath") != OUTPUT_PATH:
        raise ValidationError("catalogue.outputPath", f"must be {OUTPUT_PATH!r}: where the eligible products go")
    if table.get("inputField") or table.get("executionMode", "single") != "single":
        raise ValidationError("catalogue.executionMode", "must be single, on the whole profile (no inputField)")
    return table


def _columns(table: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Column id → (input or output, field); ValidationError naming an unknown, repeated or missing field."""
    found: dict[str, tuple[str, str]] = {}
    for side, known in (("inputs", tuple(PROFILE_KEYS)), ("outputs", TERMS)):
        columns = table.get(side)
        seen: list[str] = []
        for column in columns if isinstance(columns, list) else []:
            field = column.get("field") if isinstance(column, dict) else None
            if field not in known:
                raise ValidationError(f"catalogue.{side}", f"{field!r} is not one of {', '.join(known)}")
            if field in seen:
                raise ValidationError(f"catalogue.{side}", f"{field!r} appears twice")
            seen.append(str(field))
            found[str(column.get("id"))] = (side, str(field))
        required = tuple(GATES) if side == "inputs" else TERMS
        missing = [f for f in required if f not in seen]
        if missing:
            why = "the exclusion flags gate every product" if side == "inputs" else "every term is a column"
            raise ValidationError(f"catalogue.{side}", f"missing {', '.join(missing)} ({why})")
    return found


def _product(index: int, row: object, columns: Mapping[str, tuple[str, str]]) -> Product:
    if not isinstance(row, dict):
        raise ValidationError(f"products[#{index + 1}]", "must be a row object")
    cells: dict[str, dict[str, object]] = {"inputs": {}, "outputs": {}}
    for column, (side, field) in columns.items():
        cells[side][field] = row.get(column, "")
    terms = cells["outputs"]
    code = _literal(f"products[#{index + 1}].code", terms["code"])
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValidationError(f"products[#{index + 1}].code", "must be 1-32 letters, digits, '_' or '-' in quotes")
    product = _terms(code, terms)
    conditions = _conditions(code, cells["inputs"])
    description = row.get("_description")
    return Product(**{**product, "conditions": conditions, "description": str(description or "")})


def _literal(where: str, cell: object) -> str | Decimal:
    text = cell.strip() if isinstance(cell, str) else ""
    if quoted := _STRING.match(text):
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if _NUMBER.match(text):
        return Decimal(text)
    raise ValidationError(where, f"must be a literal (a number or a quoted text), got {cell!r}")


def _terms(code: str, cells: Mapping[str, object]) -> dict[str, Any]:
    """The product's terms, each checked in the order of ``TERMS`` against those before it."""
    terms: dict[str, Any] = {"code": code}
    for name in TERMS[1:]:
        where = f"products[{code}].{name}"
        terms[name] = _CHECKS[name](where, _literal(where, cells[name]), terms)
    return terms


def _name(where: str, value: str | Decimal, _: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(where, "must be a non-empty quoted text")
    if len(value) > 40:
        raise ValidationError(where, f"must be at most 40 characters, got {len(value)}")
    return value


def _whole(where: str, value: str | Decimal, low: int, high: int, unit: str = "") -> int:
    if not isinstance(value, Decimal) or value != value.to_integral_value():
        raise ValidationError(where, f"must be a whole number{' of ' + unit if unit else ''}")
    number = int(value)
    if not low <= number <= high:
        raise ValidationError(where, f"must be from {low:,} to {high:,}{' ' + unit if unit else ''}, got {number:,}")
    return number


def _decimal(where: str, value: str | Decimal) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValidationError(where, "must be a number")
    return value


def _amount_min(where: str, value: str | Decimal, _: Mapping[str, Any]) -> int:
    if isinstance(value, Decimal) and value <= 0:
        raise ValidationError(where, f"must be more than 0 yuan, got {value}")
    return _whole(where, value, 1, AMOUNT_CEILING, "yuan")


def _amount_max(where: str, value: str | Decimal, terms: Mapping[str, Any]) -> int:
    number = _whole(where, value, 1, 10**12, "yuan")
    if number < terms["amount_min"]:
        raise ValidationError(where, f"must be at least amount_min ({terms['amount_min']})")
    if number > AMOUNT_CEILING:
        raise ValidationError(where, f"must be at most {AMOUNT_CEILING:,} yuan (普惠小微 ceiling), got {number:,}")
    return number


def _tenor_min(where: str, value: str | Decimal, _: Mapping[str, Any]) -> int:
    return _whole(where, value, 1, MAX_TENOR, "months")


def _tenor_max(where: str, value: str | Decimal, terms: Mapping[str, Any]) -> int:
    number = _whole(where, value, 1, MAX_TENOR, "months")
    if number < terms["tenor_min"]:
        raise ValidationError(where, f"must be at least tenor_min ({terms['tenor_min']})")
    return number


def _tenor_default(where: str, value: str | Decimal, terms: Mapping[str, Any]) -> int:
    low, high = terms["tenor_min"], terms["tenor_max"]
    number = _whole(where, value, 1, MAX_TENOR, "months")
    if not low <= number <= high:
        raise ValidationError(where, f"must be from tenor_min ({low}) to tenor_max ({high}), got {number}")
    return number


def _rate_low(where: str, value: str | Decimal, _: Mapping[str, Any]) -> float:
    number = _decimal(where, value)
    if not 0 < number <= MAX_RATE:
        raise ValidationError(where, f"must be more than 0 and at most {MAX_RATE} (annual %), got {number}")
    return float(number)


def _rate_high(where: str, value: str | Decimal, terms: Mapping[str, Any]) -> float:
    number = _decimal(where, value)
    if number < Decimal(str(terms["rate_low"])):
        raise ValidationError(where, f"must be at least rate_low ({terms['rate_low']})")
    if number > MAX_RATE:
        raise ValidationError(where, f"must be at most {MAX_RATE} (annual %), got {number}")
    return float(number)


def _limit_multiple(where: str, value: str | Decimal, _: Mapping[str, Any]) -> float:
    number = _decimal(where, value)
    if not 0 < number <= 1:
        raise ValidationError(where, f"must be more than 0 and at most 1 (of the forecast sales), got {number}")
    return float(number)


def _priority(where: str, value: str | Decimal, _: Mapping[str, Any]) -> int:
    return _whole(where, value, 1, 999)


_CHECKS: Mapping[str, Callable[[str, str | Decimal, Mapping[str, Any]], Any]] = {
    "name_zh": _name,
    "name_en": _name,
    "amount_min": _amount_min,
    "amount_max": _amount_max,
    "tenor_min": _tenor_min,
    "tenor_max": _tenor_max,
    "tenor_default": _tenor_default,
    "rate_low": _rate_low,
    "rate_high": _rate_high,
    "limit_multiple": _limit_multiple,
    "priority": _priority,
}


def _conditions(code: str, cells: Mapping[str, object]) -> tuple[Condition, ...]:
    for gate, who in GATES.items():
        cell = cells[gate]
        if not isinstance(cell, str) or cell.strip() != "false":
            raise ValidationError(f"products[{code}].{gate}", f"must be false: no product is offered to {who}")
    found = [parse_condition(f"products[{code}].{field}", field, cell) for field, cell in cells.items()]
    return tuple(c for c in found if c is not None)
