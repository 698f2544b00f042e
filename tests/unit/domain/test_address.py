"""Address keys: written variants of one place share a key; different places do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskloop.domain.address import normalize_address
from riskloop.domain.identity import Address
from riskloop.errors import IdentifierError

SAME_PLACE = [
    "武汉市洪山区珞喻路129号",
    "湖北省武汉市洪山区珞喻路129号3楼",
    "湖北省 武汉市洪山区珞喻路１２９号 301室",
    "湖北武汉市洪山区珞喻路129號",
    "湖北省武汉市洪山区珞喻路129#",
    "　武汉市 洪山区 珞喻路 129 号 第3层 ",
    "武汉市洪山区珞喻路129号5F",
    "武汉市洪山区珞喻路129号3楼301室",
]
DIFFERENT_PLACES = [
    "武汉市洪山区珞喻路129号",
    "武汉市洪山区珞喻路130号",
    "武汉市洪山区珞瑜路129号",
    "武汉市武昌区珞喻路129号",
    "黄石市洪山区珞喻路129号",
    "武汉市洪山区珞喻路1290号",
    "武汉市洪山区珞喻路129号1号楼",
]


def test_variants_of_one_place_share_a_key() -> None:
    keys = {normalize_address(a) for a in SAME_PLACE}
    assert keys == {"武汉市洪山区珞喻路129号"}


def test_different_places_keep_different_keys() -> None:
    keys = [normalize_address(a) for a in DIFFERENT_PLACES]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("广西壮族自治区南宁市青秀区民族大道1号", "南宁市青秀区民族大道1号B-301室"),
        ("北京朝阳区建国路88号", "北京市朝阳区建国路88号3层"),
        ("湖北省恩施土家族苗族自治州恩施市航空大道1号", "恩施土家族苗族自治州恩施市航空大道1号"),
        ("吉林省吉林市船营区北京路1号", "吉林市船营区北京路1号"),
    ],
)
def test_more_variants(a: str, b: str) -> None:
    assert Address(a).same_place(Address(b))


def test_province_without_a_following_city_is_kept() -> None:
    assert normalize_address("湖北省洪山区珞喻路129号") != normalize_address("洪山区珞喻路129号")


PROVINCE_CITY = [
    ("湖北", "武汉", "洪山区"),
    ("广东", "深圳", "南山区"),
    ("浙江", "杭州", "西湖区"),
    ("四川", "成都", "武侯区"),
]
ROADS = ["珞喻路", "深南大道", "文三路", "人民南路", "光谷大道"]
Place = tuple[int, int, int]  # indexes into PROVINCE_CITY and ROADS, and a street number
Variant = tuple[str, bool, bool, str, str]  # province form, full width, spaces, 号 form, floor/room suffix
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def places(draw: st.DrawFn) -> tuple[int, int, int]:
    return (
        draw(st.integers(0, len(PROVINCE_CITY) - 1)),
        draw(st.integers(0, len(ROADS) - 1)),
        draw(st.integers(1, 999)),
    )


def _write(place: tuple[int, int, int], province: str, full_width: bool, spaces: bool, hao: str, unit: str) -> str:
    (prov, city, district), road, number = PROVINCE_CITY[place[0]], ROADS[place[1]], place[2]
    parts = [province.format(prov), f"{city}市", district, road, f"{number}{hao}", unit]
    text = (" " if spaces else "").join(p for p in parts if p)
    return text.translate(FULL_WIDTH) if full_width else text


variants = st.tuples(
    st.sampled_from(["", "{}省", "{}"]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["号", "號", "#"]),
    st.sampled_from(["", "3楼", "301室", "第12层", "5F", "2楼201室", "1808房"]),
)


@given(places(), variants, variants)
def test_any_two_writings_of_one_place_share_a_key(place: Place, v1: Variant, v2: Variant) -> None:
    assert normalize_address(_write(place, *v1)) == normalize_address(_write(place, *v2))


@given(places(), places(), variants, variants)
def test_different_places_never_share_a_key(p1: Place, p2: Place, v1: Variant, v2: Variant) -> None:
    if p1 != p2:
        assert normalize_address(_write(p1, *v1)) != normalize_address(_write(p2, *v2))


def test_address_validation_names_the_field() -> None:
    with pytest.raises(IdentifierError) as info:
        Address.parse("   ", field="registered_address")
    assert info.value.field == "registered_address"
    with pytest.raises(IdentifierError, match="300"):
        Address("路" * 301)
    assert str(Address("武汉市洪山区珞喻路129号3楼")) == "武汉市洪山区珞喻路129号3楼"
