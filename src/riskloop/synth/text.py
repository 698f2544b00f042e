"""Chinese names, company names and addresses composed from the embedded vocabulary."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth.arrays import Arr, join, vocab_take, weighted_choice
from riskloop.synth.vocab import vocab

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def person_names(rng: np.random.Generator, n: int) -> pa.Array:
    """Full names: a weighted surname and one or two given-name characters."""
    v = vocab()
    surname = vocab_take(v.surnames, weighted_choice(rng, v.surname_weights, n))
    first = vocab_take(v.given_chars, rng.integers(0, len(v.given_chars), n))
    second = vocab_take(
        (*v.given_chars, ""), rng.integers(0, len(v.given_chars) * 10 // 7, n).clip(max=len(v.given_chars))
    )
    return join(surname, first, second)


def _pick_per_section(rng: np.random.Generator, words: tuple[tuple[str, ...], ...], section: Arr) -> pa.Array:
    flat = [w for group in words for w in group]
    counts = np.array([len(g) for g in words], dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    idx = offsets[section] + (rng.random(len(section)) * counts[section]).astype(np.int64)
    return vocab_take(flat, idx)


def firm_names(rng: np.random.Generator, region: Arr, section: Arr, individual: Arr) -> pa.Array:
    """Registered names: "武汉鑫隆商贸有限公司" for companies, "洪山区鑫隆便利店" for individual businesses."""
    v = vocab()
    n = len(region)
    trade = join(
        vocab_take(v.firm_chars, rng.integers(0, len(v.firm_chars), n)),
        vocab_take(v.firm_chars, rng.integers(0, len(v.firm_chars), n)),
    )
    city_short = vocab_take([c.removesuffix("市") for c in v.cities], region)
    company = join(city_short, trade, _pick_per_section(rng, v.company_words, section), "有限公司")
    shop = join(vocab_take(v.districts, region), trade, _pick_per_section(rng, v.shop_words, section))
    return pc.if_else(pa.array(individual), shop, company)


def street_parts(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """Random road-and-number and building parts of addresses."""
    v = vocab()
    number = pa.array(np.minimum(rng.zipf(1.6, n), 999).astype(np.int64)).cast(pa.string())
    road = join(vocab_take(v.roads, rng.integers(0, len(v.roads), n)), number, "号")
    building = vocab_take(v.buildings, rng.integers(0, len(v.buildings), n))
    return road, building


def addresses(region: Arr, street: pa.Array) -> pa.Array:
    """Canonical registered address: province, city, district and street (municipalities not repeated)."""
    v = vocab()
    prov = [p if p != c else "" for p, c in zip(v.provinces, v.cities, strict=True)]
    return join(vocab_take(prov, region), vocab_take(v.cities, region), vocab_take(v.districts, region), street)


def address_variants(rng: np.random.Generator, region: Arr, street: pa.Array, variant: Arr) -> pa.Array:
    """Write the same place differently.

    Variant 0 is canonical, 1 drops the province, 2 adds a floor, 3 uses full-width digits and spaces,
    4 adds spaces and a room number. All map to one key under ``riskloop.domain.address.normalize_address``.
    """
    v = vocab()
    n = len(region)
    prov = vocab_take([p if p != c else "" for p, c in zip(v.provinces, v.cities, strict=True)], region)
    city = vocab_take(v.cities, region)
    dist = vocab_take(v.districts, region)
    floor = join(pa.array(rng.integers(1, 30, n)).cast(pa.string()), "楼")
    room = join(pa.array(rng.integers(101, 2999, n)).cast(pa.string()), "室")
    wide = street
    for d in "0123456789":
        wide = pc.replace_substring(wide, d, d.translate(_FULLWIDTH))
    options = [
        addresses(region, street),
        join(city, dist, street),
        join(prov, city, dist, street, " ", floor),
        join(prov, city, " ", dist, " ", wide),
        join(city, " ", dist, street, " ", room),
    ]
    return pc.choose(pa.array(variant.astype(np.int8)), *options)
