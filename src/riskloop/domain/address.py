"""Address normalisation: one key for written variants of the same place, different keys for different places."""

from __future__ import annotations

import re
import unicodedata

from riskloop.errors import IdentifierError

ADDRESS_MAX = 300  # characters as written (the applications table's column)

# Traditional / variant characters that appear in addresses, mapped to simplified forms.
_VARIANTS = str.maketrans(
    {
        "號": "号",
        "樓": "楼",
        "層": "层",
        "區": "区",
        "縣": "县",
        "鎮": "镇",
        "鄉": "乡",
        "街": "街",
        "門": "门",
        "棟": "栋",
        "單": "单",
        "東": "东",
        "廣": "广",
        "園": "园",
        "廈": "厦",
        "#": "号",
    }
)
_PROVINCES = (
    "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南",
    "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
)  # fmt: skip
_REGIONS = {
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
}
_MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
_PROVINCE_RE = re.compile(
    "^(?:"
    + "|".join(f"{p}(?:省)?" for p in _PROVINCES)
    + "|"
    + "|".join(f"{short}(?:{full[len(short) :]}|自治区)?" for short, full in _REGIONS.items())
    + r")(?=[^省区]{1,12}?(?:市|自治州|地区|盟))"
)
_MUNICIPALITY_RE = re.compile("^(" + "|".join(_MUNICIPALITIES) + ")(?:市)?")
_NUMERAL = r"(?:[0-9]+|[一二三四五六七八九十]+|[A-Za-z]?[0-9]+[A-Za-z]?)"
# Trailing floor / room details: "3楼", "第3层", "3F", "301室", "301房", "B-301室", "301号房".
_TRAILING_UNIT_RE = re.compile(rf"(?:第?{_NUMERAL}(?:楼|层|F|f)|[A-Za-z0-9\-]*[0-9][A-Za-z0-9\-]*(?:号房|室|房间|房))$")
_SPACE_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[,，、。;；:：'\"“”‘’]")


def normalize_address(raw: str) -> str:
    """Return the matching key of a written address.

    Full-width characters become half-width, whitespace and separators go, traditional 號/樓/區 become
    simplified, a leading province is dropped when a city follows, a municipality is written with 市,
    and trailing floor / room details ("3楼", "301室") are dropped. The street number is kept.

    Examples
    --------
    >>> normalize_address("湖北省 武汉市洪山区珞喻路１２９号 301室")
    '武汉市洪山区珞喻路129号'
    >>> normalize_address("北京朝阳区建国路88號3F")
    '北京市朝阳区建国路88号'

    """
    text = unicodedata.normalize("NFKC", raw)
    text = _SPACE_RE.sub("", text)
    text = _PUNCT_RE.sub("", text).translate(_VARIANTS)
    text = _PROVINCE_RE.sub("", text, count=1)
    text = _MUNICIPALITY_RE.sub(r"\1市", text, count=1)
    previous = None
    while previous != text:
        previous = text
        stripped = _TRAILING_UNIT_RE.sub("", text)
        text = stripped.rstrip("-") if stripped else text
    return text.upper()


def validate_address(raw: object, field: str = "address") -> str:
    """A written address, trimmed; else IdentifierError naming ``field``.

    The written form is kept (a room number, the province). At most 300 characters, no control characters, and
    something left once written one way (``normalize_address``). Whether it can be placed is the graph's to say
    (``graph.divisions.placed_address``): the domain is the standard library only.

    >>> validate_address("  湖北省武汉市洪山区珞喻路129号 301室 ")
    '湖北省武汉市洪山区珞喻路129号 301室'
    """
    if not isinstance(raw, str):
        raise IdentifierError(field, f"must be a string, got {type(raw).__name__}")
    value = raw.strip()
    if len(value) > ADDRESS_MAX:
        raise IdentifierError(field, f"must be at most {ADDRESS_MAX} characters, got {len(value)}")
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn")), None)
    if bad is not None:
        raise IdentifierError(field, f"contains the control or unassigned character U+{ord(bad):04X}")
    if not normalize_address(value):
        raise IdentifierError(field, "must not be empty")
    return value
