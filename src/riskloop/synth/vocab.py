"""Embedded zh_CN word lists (regions, roads, names, industries) loaded once from ``data/zh_cn.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.synth.arrays import Arr


@dataclass(frozen=True)
class Vocab:
    """Word lists and weights used to compose names and addresses."""

    region_codes: tuple[str, ...]
    provinces: tuple[str, ...]
    cities: tuple[str, ...]
    districts: tuple[str, ...]
    region_weights: Arr
    court_prefix: dict[str, str]
    roads: tuple[str, ...]
    buildings: tuple[str, ...]
    hub_addresses: tuple[tuple[str, str], ...]
    firm_chars: tuple[str, ...]
    given_chars: tuple[str, ...]
    surnames: tuple[str, ...]
    surname_weights: Arr
    company_weights: Arr  # industry-section weights for companies, in INDUSTRY_SECTIONS order
    individual_weights: Arr  # ... and for individual businesses
    company_words: tuple[tuple[str, ...], ...]
    shop_words: tuple[tuple[str, ...], ...]
    litigation_causes: tuple[str, ...]
    email_domains: tuple[str, ...]


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """Return the embedded vocabulary."""
    raw = json.loads(resources.files("riskloop.synth").joinpath("data/zh_cn.json").read_text(encoding="utf-8"))
    regions = raw["regions"]
    industries = raw["industries"]
    return Vocab(
        region_codes=tuple(r[0] for r in regions),
        provinces=tuple(r[1] for r in regions),
        cities=tuple(r[2] for r in regions),
        districts=tuple(r[3] for r in regions),
        region_weights=np.array([r[4] for r in regions], dtype=np.float64),
        court_prefix=dict(raw["court_prefix"]),
        roads=tuple(raw["roads"]),
        buildings=tuple(raw["buildings"]),
        hub_addresses=tuple((h[0], h[1]) for h in raw["hub_addresses"]),
        firm_chars=tuple(raw["firm_chars"]),
        given_chars=tuple(raw["given_chars"]),
        surnames=tuple(s[0] for s in raw["surnames"]),
        surname_weights=np.array([s[1] for s in raw["surnames"]], dtype=np.float64),
        company_weights=np.array([industries[s][0] for s in INDUSTRY_SECTIONS], dtype=np.float64),
        individual_weights=np.array([industries[s][1] for s in INDUSTRY_SECTIONS], dtype=np.float64),
        company_words=tuple(tuple(industries[s][2]) for s in INDUSTRY_SECTIONS),
        shop_words=tuple(tuple(industries[s][3]) for s in INDUSTRY_SECTIONS),
        litigation_causes=tuple(raw["litigation_causes"]),
        email_domains=tuple(raw["email_domains"]),
    )
