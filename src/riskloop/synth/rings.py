"""Planted fraud rings: four shapes, each with its shared artefacts, time window and firm overrides."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.synth import ids
from riskloop.synth.arrays import Arr
from riskloop.synth.firms import STATUS_ACTIVE, STATUS_REVOKED, Firms
from riskloop.synth.params import Stream, UniverseParams, rng

SHAPES = ("shared_contact", "device_farm", "nominee_rep", "shell_circular")
SHARED_CONTACT, DEVICE_FARM, NOMINEE_REP, SHELL_CIRCULAR = range(4)
_SIZES = ((3, 8), (5, 20), (4, 10), (3, 6))
_WINDOW_HOURS = ((24, 168), (2, 12), (24, 240), (24, 120))
RING_DEFAULT_RATE = (0.35, 0.4, 0.5, 0.55)
ENTERPRISES_PER_RING_OF_SHAPE = 1600  # one ring of every shape per 1,600 enterprises, i.e. one ring per 400
MAX_RINGS_PER_CHUNK = 999


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
    per_shape = max(1, round(firms.n / ENTERPRISES_PER_RING_OF_SHAPE))
    if firms.n < 200:
        return _empty()
    shapes = np.repeat(np.arange(len(SHAPES)), per_shape)[:MAX_RINGS_PER_CHUNK]
    sizes = np.array([g.integers(_SIZES[s][0], _SIZES[s][1] + 1) for s in shapes.tolist()], dtype=np.int64)
    eligible = firms.status != STATUS_REVOKED
    companies = g.permutation(np.flatnonzero(eligible & ~firms.individual))
    anyone = g.permutation(np.flatnonzero(eligible))
    taken = np.zeros(firms.n, dtype=bool)
    rows: list[Arr] = []
    for shape, size in zip(shapes.tolist(), sizes.tolist(), strict=True):
        pool = companies if shape in (NOMINEE_REP, SHELL_CIRCULAR) else anyone
        free = pool[~taken[pool]][:size]
        taken[free] = True
        rows.append(free)
    keep = np.array([len(r) >= _SIZES[s][0] for r, s in zip(rows, shapes.tolist(), strict=True)], dtype=bool)
    rows = [r for r, k in zip(rows, keep.tolist(), strict=True) if k]
    shapes = shapes[keep]
    if not rows:
        return _empty()
    sizes = np.array([len(r) for r in rows], dtype=np.int64)
    lo = params.as_of_day - np.timedelta64(540, "D")
    span_s = (540 - 35) * 86400
    starts = lo.astype("datetime64[s]") + g.integers(0, span_s, len(shapes)).astype("timedelta64[s]")
    hours = np.array([g.integers(_WINDOW_HOURS[s][0], _WINDOW_HOURS[s][1] + 1) for s in shapes.tolist()])
    rings = Rings(
        number=chunk * 1000 + np.arange(len(shapes), dtype=np.int64),
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
    fake = np.isin(member_shape, (NOMINEE_REP, SHELL_CIRCULAR))
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
    all_start = rings.window_start[rings.member_ring].astype("datetime64[D]")
    firms.established[rings.member_rows] = np.minimum(
        firms.established[rings.member_rows], all_start - np.timedelta64(45, "D")
    )
    first = rings.member_rows[np.cumsum(rings.size) - rings.size]  # first member of each ring
    shape = rings.shape[rings.member_ring]
    nominee = shape == NOMINEE_REP
    firms.legal_rep[rings.member_rows[nominee]] = ids.person_index(firms.index[first[rings.member_ring[nominee]]], 0)
    shell = shape == SHELL_CIRCULAR
    firms.is_shell[rings.member_rows[shell]] = True
    firms.officer[rings.member_rows[shell]] = ids.person_index(firms.index[first[rings.member_ring[shell]]], 2)
