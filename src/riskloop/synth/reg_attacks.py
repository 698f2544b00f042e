"""Planted registration attacks, with their truth: bursts, slow drips and rotating identities.

An attacker signs up many fake or stolen enterprises to farm sign-up rewards or to stage loan applications. The
identities are bought: credit codes of real firms (stolen) or of shell firms issued in one batch, resident IDs of
real persons, SIM cards of one range. What ties an attack's sign-ups together depends on its shape:

- **burst**: dozens within minutes from one to three devices of a farm and one /24 network;
- **drip**: one every few hours over weeks from a small pool of devices and proxy networks;
- **rotating**: a fresh device and IP every time, linked only by one or two subtler things: nominee legal
  representatives, a range of phone numbers, one device model and OS build, credit codes of one batch.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth import ids
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.signups import APP, MINI, MODELS, WEB, WINDOW_DAYS, Signups, concat, person_models
from riskloop.synth.vocab import vocab

SHAPES = ("burst", "drip", "rotating")
LINKS = ("legal_rep", "phone_range", "device_model", "code_batch")
ENTERPRISES_PER_ATTACK_OF_SHAPE = 4000
_SIZES = {"burst": (15, 60), "drip": (20, 50), "rotating": (15, 40)}
FARM_MODELS = ("generic x86_64/android 9", "redmi 9a/android 10 qp1a.190711.020", "samsung sm-g9550/android 9")
_PROXY_OCTETS = np.array([42, 47, 101, 106, 110, 139, 180])
ATTACK_PHONES = 90_000_000  # person-index offset of attackers' SIM cards (disjoint from persons below 22.5M firms)
QUIET_DAYS = 45  # no attack in the log's first days: a screen deployed on it has watched the platform that long
_PREFIXES = np.array([147, 166, 170, 171, 198])


def attacks_per_shape(enterprises: int) -> int:
    """Attacks of each shape planted in a chunk of ``enterprises`` firms (none below 200)."""
    return 0 if enterprises < 200 else max(1, round(enterprises / ENTERPRISES_PER_ATTACK_OF_SHAPE))


def plant_attacks(params: UniverseParams, chunk: int, n_firms: int) -> tuple[Signups, Arr, list[str]]:
    """The chunk's attack sign-ups, each one's attack position, and per attack ``(attack_id, shape, links)``."""
    g = rng(params, chunk, Stream.REG_ATTACKS)
    per_shape = attacks_per_shape(n_firms)
    parts: list[Signups] = []
    owner: list[Arr] = []
    truth: list[str] = []
    for k, shape in enumerate(np.repeat(np.array(SHAPES), per_shape)):
        number = chunk * 1000 + k
        size = int(g.integers(*_SIZES[str(shape)], endpoint=True))
        links = _links(g) if shape == "rotating" else ()
        parts.append(_attack(params, g, str(shape), number, size, links))
        owner.append(np.full(size, k))
        truth.append(f"ATK{number:08d}\t{shape}\t{'+'.join(links)}")
    if not parts:
        return _none(), np.zeros(0, dtype=np.int64), []
    return concat(*parts), np.concatenate(owner), truth


def _links(g: np.random.Generator) -> tuple[str, ...]:
    chosen = g.choice(len(LINKS), int(g.integers(1, 3)), replace=False)
    return tuple(LINKS[i] for i in sorted(chosen))


def _times(params: UniverseParams, g: np.random.Generator, shape: str, size: int) -> Arr:
    start_day = params.as_of_day - np.timedelta64(WINDOW_DAYS - QUIET_DAYS, "D")
    span = (WINDOW_DAYS - QUIET_DAYS - 30) * 86_400
    start = start_day.astype("datetime64[s]") + np.timedelta64(int(g.integers(0, span)), "s")
    if shape == "burst":
        gaps = g.exponential(g.uniform(5, 90), size)
    elif shape == "drip":
        gaps = g.uniform(2 * 3600, 12 * 3600, size)
    else:
        spread: Arr = start + np.sort(g.uniform(0, g.uniform(1, 14) * 86_400, size)).astype("timedelta64[s]")
        return spread
    out: Arr = start + np.cumsum(gaps).astype("timedelta64[s]")
    return out


def _attack(  # noqa: PLR0917 - one attack's draws
    params: UniverseParams, g: np.random.Generator, shape: str, number: int, size: int, links: tuple[str, ...]
) -> Signups:
    seed = params.seed
    j = np.arange(size)
    fresh = number * 1000 + j
    if shape == "rotating":
        device = ids.device_ids(seed, 31, fresh)
        ip = ids.ips(seed, 32, fresh)
    else:
        pool = int(g.integers(1, 4)) if shape == "burst" else int(g.integers(3, 7))
        device = ids.device_ids(seed, 30, number * 64 + g.integers(0, pool, size))
        ip = _proxy_ips(g, size, networks=1 if shape == "burst" else int(g.integers(2, 4)))
    model = _models(g, seed, shape, links, fresh)
    phone = _range_phones(g, size) if "phone_range" in links else ids.mobiles(seed, ATTACK_PHONES + fresh, firm=False)
    channel = np.array([APP, WEB, MINI])[g.integers(0, 3, size)]
    return Signups(
        _times(params, g, shape, size), phone, device, ip, _codes(params, g, links, size),
        _reps(params, g, links, size), channel, model,
    )  # fmt: skip


def _models(g: np.random.Generator, seed: int, shape: str, links: tuple[str, ...], fresh: Arr) -> pa.Array:
    if shape != "rotating" or "device_model" in links:
        farm = FARM_MODELS[int(g.integers(0, len(FARM_MODELS)))] if g.random() < 0.7 else MODELS[int(g.integers(0, 4))]
        return pa.array([farm] * len(fresh), pa.string())
    return person_models(seed, fresh + 7 * ATTACK_PHONES)


def _proxy_ips(g: np.random.Generator, size: int, networks: int) -> pa.Array:
    first = _PROXY_OCTETS[g.integers(0, len(_PROXY_OCTETS), networks)]
    second, third = g.integers(1, 255, networks), g.integers(1, 255, networks)
    hosts = [g.integers(2, 254, int(g.integers(1, 5))) for _ in range(networks)]
    net = g.integers(0, networks, size)
    host = np.array([hosts[n][int(g.integers(0, len(hosts[n])))] for n in net])
    return ids.ipv4(first[net], second[net], third[net], host)


def _range_phones(g: np.random.Generator, size: int) -> pa.Array:
    prefix = np.full(size, _PREFIXES[int(g.integers(0, len(_PREFIXES)))])
    start = int(g.integers(0, 99_990_000))
    number = start + np.cumsum(g.integers(1, 4, size))
    return ascii_strings(digit_matrix(prefix, 3), digit_matrix(number, 8))


def _codes(params: UniverseParams, g: np.random.Generator, links: tuple[str, ...], size: int) -> pa.Array:
    """Stolen codes of real firms, or a batch of shell firms' codes issued in sequence in one region."""
    if "code_batch" in links:
        region = np.full(size, int(g.integers(0, len(vocab().region_codes))))
        org = int(g.integers(10_000_000, 99_000_000)) + np.cumsum(g.integers(1, 3, size))
        return ids.credit_codes_of(org, region, np.zeros(size, dtype=bool))
    return ids.credit_codes(params.seed, g.integers(0, params.enterprises, size))


def _reps(params: UniverseParams, g: np.random.Generator, links: tuple[str, ...], size: int) -> pa.Array:
    """Bought resident IDs of real persons; nominee representatives (two to four) reused over an attack."""
    persons = params.enterprises * ids.PERSON_SLOTS
    if "legal_rep" in links:
        nominees = g.integers(0, persons, int(g.integers(2, 5)))
        return ids.resident_ids(params.seed, nominees[g.integers(0, len(nominees), size)])
    return ids.resident_ids(params.seed, g.integers(0, persons, size))


def _none() -> Signups:
    empty = pa.array([], pa.string())
    return Signups(np.zeros(0, dtype="datetime64[s]"), empty, empty, empty, empty, empty, np.zeros(0, np.int64), empty)
