"""Address matching keys on China's administrative divisions: the area's division code and the street address.

Written variants of one place differ mostly in how they name the area: with or without the province, with or
without the 省 / 市 / 区 / 县 suffixes (``湖北省武汉市洪山区``, ``武汉市洪山区``, ``湖北武汉洪山区``, ``武汉洪山``).
The area is read from the start of the address against the national division table (province, prefecture,
county level, 3,500 entries) and replaced by its six-digit division code; the rest, the street address, is
written one way (``domain.address.normalize_address``: half-width digits, simplified characters, no floor or
room). An address whose area cannot be placed at least at prefecture level locates nothing and gets no key.

The table is the one the ``cpca`` package (MIT) ships (``cpca/resources/adcodes.csv``), read as a file: the
package's own matcher is not imported (it loads its data through the deprecated ``pkg_resources``).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from riskloop.domain.address import normalize_address, validate_address
from riskloop.errors import ConfigError, IdentifierError

MUNICIPALITIES = ("11", "12", "31", "50")  # Beijing, Tianjin, Shanghai, Chongqing: districts under the province
# A name is the place (two characters at least), then any ethnic groups, then the kind of division.
_PROVINCE_SUFFIX = re.compile(r"^(.{2,}?)(?:省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$")
_CITY_SUFFIX = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,8}?族)*(?:自治州|地区|盟|市)$")
_COUNTY_SUFFIX = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,8}?族)*(?:自治县|自治旗|新区|区|县|市|旗)$")
# A short county name followed by one of these is a street named after it (江汉路), not the county.
_STREET_AFTER = ("路", "街", "道", "大道", "巷", "弄", "胡同", "大街", "广场", "桥", "港", "湾", "门")
_ABBREVIATED = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
_SUFFIX_CHARS = frozenset("省市区县旗州盟")
_BUILDING = re.compile(r"(?:号楼|幢|座|栋)")


@dataclass(frozen=True)
class Division:
    """One division: its code (six digits), name and level (0 province, 1 prefecture, 2 county)."""

    code: str
    name: str
    level: int

    @property
    def province(self) -> str:
        """The code's province part."""
        return self.code[:2]

    @property
    def prefecture(self) -> str:
        """The code's prefecture part (province and prefecture digits)."""
        return self.code[:4]


@dataclass(frozen=True)
class Divisions:
    """The division table indexed for reading an address's area from its start."""

    provinces: dict[str, list[Division]]  # written name (full or short) → divisions of that name
    prefectures: dict[str, list[Division]]
    counties: dict[str, list[Division]]
    shorts: frozenset[str]  # names written without their suffix (湖北, 武汉, 洪山), at any level
    longest: int

    def area(self, text: str) -> tuple[str | None, str]:
        """The code of the most precise area written at the start of ``text`` (None: not placed), and the rest.

        A leading name that is both a province's short name and a prefecture's (吉林) is read as the prefecture
        when reading it as the province places nothing further.
        """
        code, rest = self._area(text, with_province=True)
        return (code, rest) if code is not None else self._area(text, with_province=False)

    def _area(self, text: str, *, with_province: bool) -> tuple[str | None, str]:
        pos, province, prefecture, county = 0, None, None, None
        if with_province and (found := self._match(text, pos, self.provinces, _anywhere)) is not None:
            province, pos = found
        if province is None or province.province not in MUNICIPALITIES:
            inside = _anywhere if province is None else _under(province.province)
            if (found := self._match(text, pos, self.prefectures, inside)) is not None:
                prefecture, pos = found
        within = prefecture.prefecture if prefecture else province.province if province else ""
        if (found := self._match(text, pos, self.counties, _under(within))) is not None:
            county, pos = found
        placed = county or prefecture
        return (placed.code if placed else None), text[pos:]

    def _match(
        self, text: str, pos: int, names: dict[str, list[Division]], keep: Callable[[Division], bool]
    ) -> tuple[Division, int] | None:
        """The longest name at ``pos`` naming exactly one division that ``keep`` accepts, and the position after."""
        for end in range(min(len(text), pos + self.longest), pos + 1, -1):
            name = text[pos:end]
            if name not in names:
                continue
            if name in self.shorts and not self._short_fits(names, name, text[end:]):
                continue
            candidates = [d for d in names[name] if keep(d)]
            if len(candidates) == 1:
                return candidates[0], end
        return None

    def _short_fits(self, names: dict[str, list[Division]], name: str, after: str) -> bool:
        """Whether a name written without its suffix stands for the division here.

        Not when the text goes on with a suffix (朝阳区 is not 朝阳市 followed by 区) nor, for a county, with a
        street word (江汉路 is a road, not 江汉区).
        """
        if after[:1] in _SUFFIX_CHARS and all(d.name != name for d in names[name]):
            return False
        return not (names is self.counties and after.startswith(_STREET_AFTER))


def _anywhere(_division: Division) -> bool:
    return True


def _under(prefix: str) -> Callable[[Division], bool]:
    return lambda d: d.code.startswith(prefix)


def _short(name: str, suffix: re.Pattern[str]) -> str | None:
    found = suffix.match(name)
    return found.group(1) if found else None


def _table_path() -> Path:
    spec = importlib.util.find_spec("cpca")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the cpca package (its division table) is not installed: pip install cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def divisions() -> Divisions:
    """The national division table, read once."""
    names: dict[int, dict[str, list[Division]]] = {0: defaultdict(list), 1: defaultdict(list), 2: defaultdict(list)}
    shorts: set[str] = set()
    suffixes = {0: _PROVINCE_SUFFIX, 1: _CITY_SUFFIX, 2: _COUNTY_SUFFIX}
    with _table_path().open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, name = row["adcode"][:6], row["name"]
            level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            division = Division(code, name, level)
            names[level][name].append(division)
            short = _short(name, suffixes[level])
            if short is not None:
                names[level][short].append(division)
                shorts.add(short)
                for full, abbreviated in _ABBREVIATED.items():  # 恩施州 for 恩施土家族苗族自治州
                    if name.endswith(full):
                        names[level][short + abbreviated].append(division)
    longest = max(len(n) for level in names.values() for n in level)
    return Divisions(dict(names[0]), dict(names[1]), dict(names[2]), frozenset(shorts), longest)


def address_key(raw: str) -> str | None:
    """The matching key of a written address: ``<division code>|<street address>``; None when it locates nothing.

    Examples
    --------
    >>> address_key("湖北省武汉市洪山区珞喻路１２９号301室") == address_key("湖北武汉洪山珞喻路129号")
    True
    >>> address_key("珞喻路129号") is None  # no area: could be anywhere
    True

    """
    text = normalize_address(raw)
    code, street = divisions().area(text)
    street = _BUILDING.sub("栋", street)
    if code is None or len(street) < 2:
        return None
    return f"{code}|{street}"


def placed_address(raw: object, field: str = "address") -> str:
    """A written address (``domain.address.validate_address``) that ``address_key`` places; else IdentifierError.

    What a decision request may carry: an address that links nothing (no area, or only a province) is refused
    rather than silently ignored.

    Examples
    --------
    >>> placed_address(" 武汉洪山珞喻路129号 ")
    '武汉洪山珞喻路129号'

    """
    value = validate_address(raw, field)
    if address_key(value) is None:
        raise IdentifierError(field, "cannot be placed: write its city (or district) before the street and number")
    return value
