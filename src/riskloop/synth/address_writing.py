"""One place written many ways: the variants applicants write, and which go beyond the basic ones.

The basic variants (province dropped or shortened, full-width digits, spaces, a floor or room after the place,
traditional characters) are what the textual key (``riskloop.domain.address.normalize_address``) folds; the
others (市 or 区 left out, Chinese numerals, 号楼 or 幢 for 栋, abbreviations) are what a bank also meets and
the textual key does not fold (the graph's key on the division table, ``graph.divisions``, folds some).
Truth records which was written (``hard_variant``), never whether it folds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.synth.vocab import vocab

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CHINESE_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
BASIC = ("canonical", "no_province", "province_short", "fullwidth_digits", "spaced_floor", "room", "traditional")
HARD = ("city_no_suffix", "district_no_suffix", "chinese_numerals", "unit_haolou", "unit_zhuang", "abbreviated")
VARIANTS = BASIC + HARD


@dataclass(frozen=True)
class Place:
    """A place: region parts, road, number, building (may be empty) and building unit (栋, 0: none)."""

    province: str  # empty for a municipality
    city: str
    district: str
    road: str
    number: int
    building: str
    unit: int

    def write(self, variant: str, floor: int = 3, room: int = 301) -> str:
        """The place as written in ``variant`` (one of ``VARIANTS``); ``floor`` and ``room`` where it adds them.

        Examples
        --------
        >>> p = Place("湖北省", "武汉市", "洪山区", "珞喻路", 129, "国际大厦", 3)
        >>> p.write("canonical"), p.write("city_no_suffix")
        ('湖北省武汉市洪山区珞喻路129号国际大厦3栋', '湖北武汉洪山区珞喻路129号国际大厦3栋')

        """
        p, c, d = self.province, self.city, self.district
        street = f"{self.road}{self.number}号{self.building}"
        unit = f"{self.unit}栋" if self.unit else ""
        short_p, short_c, short_d = p.removesuffix("省"), c.removesuffix("市"), d.removesuffix("区")
        written = {
            "canonical": f"{p}{c}{d}{street}{unit}",
            "no_province": f"{c}{d}{street}{unit}",
            "province_short": f"{short_p}{c}{d}{street}{unit}",
            "fullwidth_digits": f"{p}{c}{d}{street}{unit}".translate(_FULLWIDTH),
            "spaced_floor": f"{p}{c} {d} {street}{unit} {floor}楼",
            "room": f"{c}{d}{street}{unit}{room}室",
            "traditional": f"{p}{c}{d.replace('区', '區')}{street.replace('号', '號')}{unit.replace('栋', '棟')}",
            "city_no_suffix": f"{short_p}{short_c}{d}{street}{unit}",
            "district_no_suffix": f"{c}{short_d}{street}{unit}",
            "chinese_numerals": f"{c}{d}{self.road}{str(self.number).translate(_CHINESE_DIGITS)}号{self.building}"
            + unit,
            "unit_haolou": f"{c}{d}{street}{self.unit}号楼" if self.unit else f"{c}{d}{street}",
            "unit_zhuang": f"{c}{d}{street}{self.unit}幢" if self.unit else f"{c}{d}{street}",
            "abbreviated": f"{short_c}{short_d}{street}{unit}",
        }
        return written[variant]


def random_place(g: np.random.Generator, region: int, *, unit: bool) -> Place:
    """A place in ``region`` (vocabulary index): a road, number and building, and a building unit if ``unit``."""
    v = vocab()
    province, city = v.provinces[region], v.cities[region]
    buildings = [b for b in v.buildings if b]
    return Place(
        province="" if province == city else province,
        city=city,
        district=v.districts[region],
        road=v.roads[int(g.integers(0, len(v.roads)))],
        number=int(g.integers(1, 400)),
        building=buildings[int(g.integers(0, len(buildings)))],
        unit=int(g.integers(1, 31)) if unit else 0,
    )


def distinct_writings(g: np.random.Generator, place: Place, count: int) -> list[tuple[str, str]]:
    """``count`` (or as many as there are) different writings of ``place``: ``(variant, text)`` pairs, shuffled.

    Variants that give the same text (a municipality has no province to drop) count once.
    """
    floor, room = int(g.integers(2, 30)), int(g.integers(101, 2999))
    seen: dict[str, str] = {}
    for variant in VARIANTS:
        seen.setdefault(place.write(variant, floor, room), variant)
    pairs = [(variant, text) for text, variant in seen.items()]
    order = g.permutation(len(pairs))
    return [pairs[i] for i in order[:count].tolist()]
