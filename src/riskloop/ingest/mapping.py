"""A declared mapping of a bank's export to the contract: headers, money units, time zone, category values.

A mapping file is JSON (``docs/data-formats.md``, "Bank exports")::

    {"kind": "riskloop.ingest.mapping", "version": 1, "timezone": "Asia/Shanghai",
     "tables": {"invoices": {"files": ["发票明细"], "sheet": "发票", "columns": {
         "发票号码": "invoice_no",
         "金额(元)": {"column": "amount_cents", "unit": "yuan"},
         "发票状态": {"column": "status", "values": {"正常": "normal", "作废": "void", "红冲": "red"}}}}}}

Every problem is a ConfigError naming the file and the key path, checked before anything is read.
"""

from __future__ import annotations

import json
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from riskloop.domain.tables import TABLES_BY_NAME, Table
from riskloop.errors import ConfigError

KIND = "riskloop.ingest.mapping"
VERSIONS = (1,)
DEFAULT_ZONE = "Asia/Shanghai"
# cents per unit; the Chinese spellings are accepted as written in a bank's data dictionary
UNITS: dict[str, Decimal] = {"yuan": Decimal(100), "wan_yuan": Decimal(1_000_000), "cents": Decimal(1)}
UNIT_ALIASES = {"元": "yuan", "万元": "wan_yuan", "分": "cents"}
ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
_TOP_KEYS = {"kind", "version", "name", "timezone", "tables"}
_TABLE_KEYS = {"files", "sheet", "header_row", "columns"}
_COLUMN_KEYS = {"column", "unit", "rounding", "values"}
GENERATOR_ZH = "generator_zh.json"


def header_key(text: str) -> str:
    """How a header is matched: NFKC (full-width brackets and digits as ASCII), outer spaces and line breaks off."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class ColumnMap:
    """One source header: the contract column it fills and how its values are read."""

    header: str
    column: str
    unit: str | None = None  # money columns: yuan, wan_yuan or cents
    rounding: str | None = None  # None: a value finer than a cent is refused
    values: dict[str, str] = field(default_factory=dict)  # source value -> contract value


@dataclass(frozen=True)
class TableMap:
    """How one contract table is found in the export and read."""

    table: str
    columns: tuple[ColumnMap, ...]
    files: tuple[str, ...] = ()  # file stems (without suffix) holding this table, besides its own name
    sheet: str | None = None  # XLSX: the sheet to read
    header_row: int = 1  # XLSX: the row holding the headers (title rows above it are skipped)

    @property
    def headers(self) -> dict[str, str]:
        """Matched header (``header_key``) -> contract column."""
        return {header_key(c.header): c.column for c in self.columns}

    def by_column(self, name: str) -> ColumnMap | None:
        """The mapping of contract column ``name``, if it has one."""
        return next((c for c in self.columns if c.column == name), None)


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: the zone of times without an offset and the tables it maps."""

    tables: dict[str, TableMap]
    timezone: str = DEFAULT_ZONE
    name: str = ""
    source: str = ""  # where it was read from, for messages

    def aliases(self) -> dict[str, str]:
        """File stem -> table, for finding a table's files under other names."""
        return {stem: t.table for t in self.tables.values() for stem in t.files}

    def headers(self, table: str) -> dict[str, str]:
        """Matched header -> contract column of ``table`` (empty when it is not mapped)."""
        mapped = self.tables.get(table)
        return mapped.headers if mapped else {}


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; raise ConfigError naming the file and the key of any problem."""
    where = Path(path)
    try:
        document = json.loads(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"mapping {where}: cannot read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"mapping {where}: not UTF-8 JSON ({exc})") from None
    return parse_mapping(document, str(where))


def generator_mapping() -> Mapping:
    """The shipped mapping of the generator's tables with Chinese headers (``ingest/mappings/generator_zh.json``)."""
    text = resources.files("riskloop.ingest").joinpath("mappings", GENERATOR_ZH).read_text(encoding="utf-8")
    return parse_mapping(json.loads(text), f"riskloop.ingest/mappings/{GENERATOR_ZH}")


def parse_mapping(document: Any, source: str = "mapping") -> Mapping:
    """Check a parsed mapping document; raise ConfigError naming ``source`` and the key of any problem."""
    check = _Checker(source)
    top = check.obj(document, "")
    check.keys(top, _TOP_KEYS, "")
    if top.get("kind") != KIND:
        check.fail("kind", f"must be {KIND!r}")
    if top.get("version") not in VERSIONS:
        check.fail("version", f"must be one of {', '.join(map(str, VERSIONS))} (got {top.get('version')!r})")
    zone = top.get("timezone", DEFAULT_ZONE)
    try:
        zoneinfo.ZoneInfo(zone if isinstance(zone, str) else "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check.fail("timezone", f"{zone!r} is not an IANA time zone (e.g. Asia/Shanghai)")
    tables = check.obj(top.get("tables"), "tables")
    parsed = {name: _table(check, name, spec) for name, spec in tables.items()}
    stems = [s for t in parsed.values() for s in t.files]
    if len(stems) != len(set(stems)):
        check.fail("tables", f"a file name is given for two tables: {sorted({s for s in stems if stems.count(s) > 1})}")
    return Mapping(parsed, zone, str(top.get("name", "")), source)


def _table(check: _Checker, name: str, raw: Any) -> TableMap:
    at = f"tables.{name}"
    if name not in TABLES_BY_NAME:
        check.fail(at, f"not a contract table; valid: {', '.join(sorted(TABLES_BY_NAME))}")
    spec = TABLES_BY_NAME[name]
    body = check.obj(raw, at)
    check.keys(body, _TABLE_KEYS, at)
    files = body.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        check.fail(f"{at}.files", "must be a list of file names without suffix")
    sheet = body.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        check.fail(f"{at}.sheet", "must be a sheet name")
    header_row = body.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        check.fail(f"{at}.header_row", "must be a row number from 1")
    raw_columns = check.obj(body.get("columns", {}), f"{at}.columns")
    columns = [_column(check, spec, f"{at}.columns.{h}", h, v) for h, v in raw_columns.items()]
    targets = [c.column for c in columns]
    repeated = sorted({t for t in targets if targets.count(t) > 1})
    if repeated:
        check.fail(f"{at}.columns", f"two headers fill the same column: {', '.join(repeated)}")
    keys = [header_key(c.header) for c in columns]
    if len(keys) != len(set(keys)):
        check.fail(f"{at}.columns", "two headers are the same once spaces and full-width forms are folded")
    unmapped = [c.name for c in spec.columns if c.kind in ("money", "signed_money") and c.name not in targets]
    if unmapped and columns:
        check.fail(f"{at}.columns", f"money columns without a header and unit: {', '.join(unmapped)}")
    return TableMap(name, tuple(columns), tuple(files), sheet, header_row)


def _column(check: _Checker, spec: Table, at: str, header: str, raw: Any) -> ColumnMap:
    entry = {"column": raw} if isinstance(raw, str) else check.obj(raw, at)
    check.keys(entry, _COLUMN_KEYS, at)
    name = entry.get("column")
    if name not in spec.column_names:
        check.fail(f"{at}.column", f"{name!r} is not a column of {spec.name}; valid: {', '.join(spec.column_names)}")
    column = spec.column(name)
    unit, rounding = entry.get("unit"), entry.get("rounding")
    money = column.kind in ("money", "signed_money")
    if money and unit is None:
        check.fail(f"{at}.unit", f"{name} is money: say its unit ({', '.join(UNITS)})")
    if unit is not None:
        unit = UNIT_ALIASES.get(unit, unit)
        if not money:
            check.fail(f"{at}.unit", f"{name} is not a money column")
        if unit not in UNITS:
            check.fail(f"{at}.unit", f"{entry['unit']!r} is not a unit; valid: {', '.join([*UNITS, *UNIT_ALIASES])}")
    if rounding is not None and (not money or rounding not in ROUNDINGS):
        check.fail(f"{at}.rounding", f"must be one of {', '.join(ROUNDINGS)}, on a money column")
    values = check.obj(entry.get("values", {}), f"{at}.values")
    for source, target in values.items():
        if not isinstance(target, str) or (column.values and target not in column.values):
            allowed = ", ".join(column.values) or "a text"
            check.fail(f"{at}.values.{source}", f"{target!r} is not a value of {name}; valid: {allowed}")
    return ColumnMap(header, name, unit, rounding, dict(values))


class _Checker:
    """Raises ConfigError naming the mapping and the key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ConfigError(f"mapping {self.source}: {key or '(top level)'}: {problem}")

    def obj(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"must be a JSON object (got {type(value).__name__})")
        return value

    def keys(self, value: dict[str, Any], allowed: set[str], key: str) -> None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            where = f"{key}.{unknown[0]}" if key else unknown[0]
            self.fail(where, f"unknown key; valid: {', '.join(sorted(allowed))}")
