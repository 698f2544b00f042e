"""Address keys on the division table: how a Chinese bank's clerks and applicants write one place, one key."""

from __future__ import annotations

import pyarrow as pa
import pytest

from riskloop.graph.divisions import address_key, divisions
from riskloop.graph.normalize import addresses

# Each set: written variants of one place (province with or without 省, city with or without 市, district with or
# without 区, full-width digits, 號, spaces, floor and room, 号楼 / 栋 / 幢 / 座).
SAME = [
    (
        "420111|珞喻路129号",
        [
            "湖北省武汉市洪山区珞喻路129号",
            "武汉市洪山区珞喻路129号",
            "湖北武汉洪山区珞喻路129号",
            "湖北武汉市洪山珞喻路１２９号301室",
            "武汉洪山珞喻路129號 3楼",
            "湖北省 武汉市 洪山区 珞喻路 129 号",
            "洪山区珞喻路129号5F",  # a county name found once in the country places the city
        ],
    ),
    ("110105|建国路88号", ["北京市朝阳区建国路88号", "北京朝阳区建国路88號3F", "北京朝阳建国路88号"]),
    ("310115|世纪大道100号", ["上海市浦东新区世纪大道100号", "上海浦东新区世纪大道１００号1201室"]),
    ("220204|北京路1号", ["吉林省吉林市船营区北京路1号", "吉林市船营区北京路1号", "吉林吉林船营区北京路1号"]),
    (
        "422801|航空大道1号",
        [
            "湖北省恩施土家族苗族自治州恩施市航空大道1号",
            "恩施土家族苗族自治州恩施市航空大道1号",
            "湖北恩施州恩施市航空大道1号",
        ],
    ),
    ("450103|民族大道1号", ["广西壮族自治区南宁市青秀区民族大道1号", "广西南宁青秀区民族大道1号B-301室"]),
    (
        "420111|珞喻路129号3栋",
        ["武汉市洪山区珞喻路129号3号楼", "武汉市洪山区珞喻路129号3栋", "武汉洪山区珞喻路129号3幢"],
    ),
]
DIFFERENT = [
    "武汉市洪山区珞喻路129号",
    "武汉市洪山区珞喻路130号",
    "武汉市武昌区珞喻路129号",
    "黄石市下陆区珞喻路129号",
    "武汉市江汉区江汉路1号",
    "武汉市洪山区珞喻路129号3栋",
    "长春市朝阳区建国路88号",
    "北京市朝阳区建国路88号",
]


@pytest.mark.parametrize(("key", "variants"), SAME)
def test_variants_of_one_place_share_its_key(key: str, variants: list[str]) -> None:
    assert {v: address_key(v) for v in variants} == dict.fromkeys(variants, key)


def test_different_places_keep_different_keys() -> None:
    keys = [address_key(a) for a in DIFFERENT]
    assert None not in keys
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    "vague",
    [
        "珞喻路129号",  # no area: a road of that name exists in many cities
        "湖北省珞喻路129号",  # a province only
        "朝阳区建国路88号",  # 朝阳区 is in Beijing and in Changchun
        "武汉市",  # an area without a street
        "",
    ],
)
def test_an_address_that_locates_nothing_gets_no_key(vague: str) -> None:
    assert address_key(vague) is None


def test_a_street_named_after_a_district_is_a_street() -> None:
    assert address_key("武汉市江汉路1号") == "420100|江汉路1号"  # 江汉路, not 江汉区 + 路1号


def test_the_arrow_form_nulls_what_locates_nothing() -> None:
    keys = addresses(pa.array(["武汉洪山珞喻路129号", None, "珞喻路129号", "湖北省武汉市洪山区珞喻路129号"]))
    assert keys.to_pylist() == ["420111|珞喻路129号", None, None, "420111|珞喻路129号"]


def test_the_table_covers_the_country() -> None:
    table = divisions()
    assert len(table.provinces) >= 34
    assert sum(len(v) for v in table.counties.values()) > 2800
