"""Planted fraud rings: their shapes, shared artefacts, time windows and firm overrides.

Four base shapes are planted in every universe; a ``hard`` universe (``UniverseParams.fraud``) adds five more,
each from its own stream (``plant_hard_rings``), whose shared identifiers ``synth/hard_links.py`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.synth import ids
from riskloop.synth.arrays import Arr
from riskloop.synth.firms import STATUS_ACTIVE, STATUS_REVOKED, Firms
from riskloop.synth.params import Stream, UniverseParams, rng

BASE_SHAPES = ("shared_contact", "device_farm", "nominee_rep", "shell_circular")
HARD_SHAPES = ("mixed_chain", "slow_ring", "address_only", "rep_farm", "recycled")
SHAPES = BASE_SHAPES + HARD_SHAPES
SHARED_CONTACT, DEVICE_FARM, NOMINEE_REP, SHELL_CIRCULAR = range(4)
MIXED_CHAIN, SLOW_RING, ADDRESS_ONLY, REP_FARM, RECYCLED = range(4, 9)
_SIZES = ((3, 8), (5, 20), (4, 10), (3, 6), (4, 10), (4, 10), (3, 8), (5, 15), (3, 8))
# mixed chains over 2-21 days, slow rings over 30-90 days, rep farms over 2-6 weeks
_WINDOW_HOURS = ((24, 168), (2, 12), (24, 240), (24, 120), (48, 504), (720, 2160), (24, 240), (336, 1008), (24, 240))
RING_DEFAULT_RATE = (0.35, 0.4, 0.5, 0.55, 0.45, 0.45, 0.4, 0.55, 0.45)
_FAKE_FIRMS = (NOMINEE_REP, SHELL_CIRCULAR, REP_FARM)  # recent, low-capital companies set up for the ring
# rep-farm firms are registered this many days before their ring's window: under a year, past the six months
# a bank's admission rules ask for
_REP_FARM_AGE_DAYS = (200, 330)
RECYCLED_FIRST_DAY = 450  # recycled rings start late enough for honest applications to come before them
ENTERPRISES_PER_RING_OF_SHAPE = 1600  # one ring of every shape per 1,600 enterprises, i.e. one ring per 400
MAX_RINGS_PER_CHUNK = 999
WINDOW_DAYS = (540, 35)  # ring windows start between 540 and 35 days before as-of


@dataclass(frozen=True)
class Rings:
    """The rings planted in one chunk: one row per ring, plus member rows (chunk positions) grouped by ring."""

    number: Arr  # universe-wide ring number (chunk * 1000 + k): keys ring artefacts and ids
    shape: Arr
    size: Arr
    window_start: Arr  # datetime64[s]
    window_end: Arr
    member_rows: Arr  # chunk-local firm positions, ring after ring
    member_ring: Arr  # position (0..rings-1) of each member's ring

    @property
    def count(self) -> int:
        """Number of rings."""
        return len(self.number)

    def ring_ids(self) -> list[str]:
        """Ring identifiers."""
        return [f"RING{n:08d}" for n in self.number.tolist()]


def _empty() -> Rings:
    none = np.zeros(0, dtype=np.int64)
    no_time = np.zeros(0, dtype="datetime64[s]")
    return Rings(none, none, none, no_time, no_time, none, none)


def plant_rings(params: UniverseParams, chunk: int, firms: Firms) -> Rings:
    """Choose ring members among the chunk's firms and override their attributes (in place).

    Nominee and shell rings get recent, low-capital companies with a low latent score; the nominee ring shares
    one legal representative, the shell ring one officer. Members of a ring are always different firms.

    Parameters
    ----------
    params : UniverseParams
        Universe parameters.
    chunk : int
        Chunk number.
    firms : Firms
        The chunk's firms; modified in place.

    Returns
    -------
    Rings
        The planted rings.

    """
    g = rng(params, chunk, Stream.RINGS)
    per_shape = rings_per_shape(firms.n)
    if per_shape == 0:
        return _empty()
    shapes = np.repeat(np.arange(len(BASE_SHAPES)), per_shape)[:MAX_RINGS_PER_CHUNK]
    lo = params.as_of_day - np.timedelta64(WINDOW_DAYS[0], "D")
    span_s = (WINDOW_DAYS[0] - WINDOW_DAYS[1]) * 86400
    return _plant(g, firms, shapes, taken=np.zeros(firms.n, dtype=bool), first=chunk * 1000, window=(lo, span_s))


def rings_per_shape(enterprises: int) -> int:
    """Base rings of each shape in a chunk of ``enterprises`` firms (none below 200)."""
    return 0 if enterprises < 200 else max(1, round(enterprises / ENTERPRISES_PER_RING_OF_SHAPE))


def plant_more(
    g: np.random.Generator, chunk: int, firms: Firms, rings: Rings, *, per_shape: int, window: tuple[np.datetime64, int]
) -> Rings:
    """Plant ``per_shape`` more rings of each base shape, starting within ``window`` (day, seconds), in unringed firms.

    They are drawn as the base rings are (sizes, members, window lengths, firm overrides), from ``g``, and
    appended after ``rings``: positions from ``rings.count`` on are the new ones, numbers continue the chunk's.
    """
    shapes = np.repeat(np.arange(len(BASE_SHAPES)), per_shape)
    return append_rings(g, chunk, firms, rings, shapes=shapes, window=window)


def append_rings(
    g: np.random.Generator, chunk: int, firms: Firms, rings: Rings, *, shapes: Arr, window: tuple[np.datetime64, int]
) -> Rings:
    """Plant rings of ``shapes`` (within the chunk's cap) among firms in no ring yet, appended after ``rings``."""
    shapes = shapes[: max(MAX_RINGS_PER_CHUNK - rings.count, 0)]
    if len(shapes) == 0:
        return rings
    taken = np.zeros(firms.n, dtype=bool)
    taken[rings.member_rows] = True
    more = _plant(g, firms, shapes, taken=taken, first=chunk * 1000 + rings.count, window=window)
    return Rings(
        number=np.concatenate([rings.number, more.number]),
        shape=np.concatenate([rings.shape, more.shape]),
        size=np.concatenate([rings.size, more.size]),
        window_start=np.concatenate([rings.window_start, more.window_start]),
        window_end=np.concatenate([rings.window_end, more.window_end]),
        member_rows=np.concatenate([rings.member_rows, more.member_rows]),
        member_ring=np.concatenate([rings.member_ring, more.member_ring + rings.count]),
    )


def plant_hard_rings(params: UniverseParams, chunk: int, firms: Firms, rings: Rings) -> Rings:
    """Append the hard shapes' rings (as many of each as of each base shape) to ``rings``, from their own stream.

    Each shape's windows start early enough to end a month before as-of; recycled rings start late enough
    (``RECYCLED_FIRST_DAY``) for honest applications to come before them. Firms are overridden in place.
    """
    g = rng(params, chunk, Stream.HARD_RINGS)
    per_shape = rings_per_shape(firms.n)
    for shape in range(len(BASE_SHAPES), len(SHAPES)):
        first = RECYCLED_FIRST_DAY if shape == RECYCLED else WINDOW_DAYS[0]
        last = WINDOW_DAYS[1] + -(-_WINDOW_HOURS[shape][1] // 24)
        start = params.as_of_day - np.timedelta64(first, "D")
        window = (start, (first - last) * 86400)
        rings = append_rings(g, chunk, firms, rings, shapes=np.full(per_shape, shape), window=window)
    return rings


def _plant(
    g: np.random.Generator, firms: Firms, shapes: Arr, *, taken: Arr, first: int, window: tuple[np.datetime64, int]
) -> Rings:
    """Rings of ``shapes`` among firms not ``taken``, numbered from ``first``, starting within ``window``."""
    sizes = np.array([g.integers(_SIZES[s][0], _SIZES[s][1] + 1) for s in shapes.tolist()], dtype=np.int64)
    eligible = firms.status != STATUS_REVOKED
    companies = g.permutation(np.flatnonzero(eligible & ~firms.individual))
    anyone = g.permutation(np.flatnonzero(eligible))
    rows: list[Arr] = []
    for shape, size in zip(shapes.tolist(), sizes.tolist(), strict=True):
        pool = companies if shape in _FAKE_FIRMS else anyone
        free = pool[~taken[pool]][:size]
        taken[free] = True
        rows.append(free)
    keep = np.array([len(r) >= _SIZES[s][0] for r, s in zip(rows, shapes.tolist(), strict=True)], dtype=bool)
    rows = [r for r, k in zip(rows, keep.tolist(), strict=True) if k]
    shapes = shapes[keep]
    if not rows:
        return _empty()
    sizes = np.array([len(r) for r in rows], dtype=np.int64)
    lo, span_s = window
    starts = lo.astype("datetime64[s]") + g.integers(0, span_s, len(shapes)).astype("timedelta64[s]")
    hours = np.array([g.integers(_WINDOW_HOURS[s][0], _WINDOW_HOURS[s][1] + 1) for s in shapes.tolist()])
    rings = Rings(
        number=first + np.arange(len(shapes), dtype=np.int64),
        shape=shapes.astype(np.int64),
        size=sizes,
        window_start=starts,
        window_end=starts + (hours * 3600).astype("timedelta64[s]"),
        member_rows=np.concatenate(rows),
        member_ring=np.repeat(np.arange(len(shapes), dtype=np.int64), sizes),
    )
    _override(g, firms, rings)
    return rings


def _override(g: np.random.Generator, firms: Firms, rings: Rings) -> None:
    member_shape = rings.shape[rings.member_ring]
    fake = np.isin(member_shape, _FAKE_FIRMS)
    rows = rings.member_rows[fake]
    ring_of = rings.member_ring[fake]
    start_day = rings.window_start[ring_of].astype("datetime64[D]")
    firms.established[rows] = start_day - g.integers(45, 300, len(rows)).astype("timedelta64[D]")
    firms.capital_cents[rows] = g.integers(1, 11, len(rows)) * 1_000_000  # 10k-100k CNY
    firms.headcount[rows] = g.integers(0, 3, len(rows))
    firms.revenue0[rows] = np.exp(g.normal(10.0, 0.5, len(rows)))
    firms.status[rows] = STATUS_ACTIVE
    firms.hub[rows] = -1
    firms.z[rows] = g.normal(-1.0, 0.7, len(rows))
    firms.refresh_views(rows, g)
    farm = rings.member_rows[member_shape == REP_FARM]
    if len(farm):  # registered months before the ring applies
        farm_start = rings.window_start[rings.member_ring[member_shape == REP_FARM]].astype("datetime64[D]")
        firms.established[farm] = farm_start - g.integers(*_REP_FARM_AGE_DAYS, len(farm)).astype("timedelta64[D]")
    all_start = rings.window_start[rings.member_ring].astype("datetime64[D]")
    firms.established[rings.member_rows] = np.minimum(
        firms.established[rings.member_rows], all_start - np.timedelta64(45, "D")
    )
    first = rings.member_rows[np.cumsum(rings.size) - rings.size]  # first member of each ring
    shape = rings.shape[rings.member_ring]
    nominee = np.isin(shape, (NOMINEE_REP, REP_FARM))  # one legal representative for the whole ring
    firms.legal_rep[rings.member_rows[nominee]] = ids.person_index(firms.index[first[rings.member_ring[nominee]]], 0)
    shell = shape == SHELL_CIRCULAR
    firms.is_shell[rings.member_rows[shell]] = True
    firms.officer[rings.member_rows[shell]] = ids.person_index(firms.index[first[rings.member_ring[shell]]], 2)
