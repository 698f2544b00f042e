"""One judgement of which shared identifiers link applications, for the gang detector, the gang index and the checks.

The batch detector (``graph.gangs``), the gang index the decision path keeps current (``graph.gang_index``) and
the per-application signals the strategy reads (``graph.checks``) all judge identifiers here, so a decision rule
and the detector cannot disagree about who shares what.

An identifier is a **hub** (it links nothing) because of *who* is behind it, never because of how long it has
been in use: more than ``max_parties`` distinct enterprises (a business centre, a registered agent, a carrier
pool or kiosk no list knows), or more than ``max_uses`` applications. Known infrastructure (the bank's own
branch devices, carrier NAT ranges: ``graph.infrastructure``) is left out before anything is judged. Hub status
only grows with uses: once a hub, always one. Below that, a pair is judged by what else it shares:

- **personal identifiers** (phone, device, e-mail, settlement account, the applicant, a login device): an honest
  firm shares them with no unrelated firm, so every use links, however far apart in time. A ring reusing a
  device over weeks, or recycling one an honest applicant used months before, stays linked;
- **identifiers shared by nature** (an address, a network, a legal representative, an officer): neighbours in a
  building, a family's firms or an accountant's clients share them honestly, so uses link only when they also
  share the time: a *burst* (consecutive uses at most ``burst_gap_days`` apart) holding at least
  ``burst_min_parties`` distinct enterprises links its members, and only to each other.

``judge_rows`` is the vectorised form (a batch, or a point-in-time replay of one); ``link_groups`` the scalar
twin the request path runs per identifier (it cannot afford numpy per identifier).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from riskloop.graph.usage import ROLE_CODE

DAY = 86_400


@dataclass(frozen=True)
class GangSettings:
    """Parameters of the link judgement and of gang detection (the defaults are the ones the benchmarks report)."""

    max_parties: int = 30
    max_uses: int = 400
    burst_roles: tuple[str, ...] = ("address", "ip_subnet", "ip", "legal_rep", "officer", "login_ip")
    burst_gap_days: float = 7.0
    burst_min_parties: int = 3
    min_size: int = 3

    def burst_codes(self) -> frozenset[int]:
        """Role codes of the identifiers shared by nature (computed once: every arrival asks for each identifier)."""
        return _burst_codes(self.burst_roles)


@functools.lru_cache(maxsize=16)
def _burst_codes(roles: tuple[str, ...]) -> frozenset[int]:
    return frozenset(ROLE_CODE[r] for r in roles)


def is_burst(role: np.ndarray, settings: GangSettings) -> np.ndarray:
    """Which uses are of an identifier shared by nature (their role is one of ``burst_roles``)."""
    out: np.ndarray = np.isin(role, list(settings.burst_codes()))
    return out


def identities(key: np.ndarray, role: np.ndarray, settings: GangSettings) -> np.ndarray:
    """Identity number of each use: its key and its class.

    One person as an applicant (personal) is apart from the same person as a legal representative (shared by
    nature), and each is judged as such.
    """
    _, k = np.unique(key, return_inverse=True)
    out: np.ndarray = k.astype(np.int64) * 2 + is_burst(role, settings)
    return out


@dataclass(frozen=True)
class Linked:
    """Which rows (distinct identifier x application uses) link, and the link each belongs to."""

    keep: np.ndarray  # bool per row
    link: np.ndarray  # per row: id of the link (an identifier, or one burst of it); meaningful where ``keep``


def judge_rows(
    group: np.ndarray,
    party: np.ndarray,
    at: np.ndarray,
    role: np.ndarray,
    settings: GangSettings,
    *,
    prefix: bool = False,
) -> Linked:
    """Judge distinct (identifier, application) rows sorted by identifier (``group``), then by arrival time.

    ``party`` is the enterprise behind each row, ``role`` the role of each row's use; an identifier's role is its
    first user's. ``prefix``: a point-in-time replay, where each identifier linked while it was no hub given the
    uses up to then (its users before it became a hub keep their links); else the batch judges the whole group.
    """
    n = len(group)
    if not n:
        return Linked(np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64))
    first = np.r_[True, group[1:] != group[:-1]]
    starts = np.flatnonzero(first)
    g = np.cumsum(first) - 1
    rank = np.arange(n) - starts[g]
    parties_upto = _distinct_upto(g, party)
    if prefix:
        alive = (parties_upto <= settings.max_parties) & (rank < settings.max_uses)
    else:
        ends = np.r_[starts[1:], n] - 1
        hub = (parties_upto[ends] > settings.max_parties) | (ends - starts + 1 > settings.max_uses)
        alive = ~hub[g]
    burst = is_burst(role[starts], settings)[g]
    alive_count = np.bincount(g, weights=alive, minlength=len(starts))
    keep = alive & ~burst & (alive_count[g] >= 2)
    link = g.astype(np.int64)
    b = np.flatnonzero(alive & burst)
    if len(b):
        gap = np.diff(at[b], prepend=at[b[0]]) > settings.burst_gap_days * DAY
        seg = np.cumsum(np.r_[True, (g[b][1:] != g[b][:-1]) | gap[1:]]) - 1
        seg_parties = np.zeros(int(seg.max()) + 1, dtype=np.int64)
        np.maximum.at(seg_parties, seg, _distinct_upto(seg, party[b]))
        keep[b] = seg_parties[seg] >= settings.burst_min_parties
        link[b] = len(starts) + seg
    return Linked(keep, link)


def _distinct_upto(group: np.ndarray, party: np.ndarray) -> np.ndarray:
    """Per row: distinct parties among its group's rows up to and including it (rows grouped contiguously)."""
    order = np.lexsort((np.arange(len(group)), party, group))
    sorted_g, sorted_p = group[order], party[order]
    new = np.r_[True, (sorted_g[1:] != sorted_g[:-1]) | (sorted_p[1:] != sorted_p[:-1])]
    first_seen = np.zeros(len(group), dtype=bool)
    first_seen[order] = new  # the first row of each (group, party), in row order
    count: np.ndarray = np.cumsum(first_seen)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    before = np.r_[0, count][starts]
    out: np.ndarray = count - np.repeat(before, np.diff(np.r_[starts, len(group)]))
    return out


def link_groups(
    apps: Sequence[int], parties: Sequence[int], times: Sequence[int], role: int, settings: GangSettings
) -> list[list[int]] | None:
    """Scalar twin of ``judge_rows`` for one identifier: the groups of its applications that link, or None (a hub)."""
    if len(set(parties)) > settings.max_parties or len(apps) > settings.max_uses:
        return None
    if role not in settings.burst_codes():
        return [list(apps)] if len(apps) >= 2 else []
    order = sorted(range(len(apps)), key=lambda i: (times[i], apps[i]))
    limit = settings.burst_gap_days * DAY
    groups: list[list[int]] = []
    run = [order[0]] if order else []
    for prev, i in itertools.pairwise(order):
        if times[i] - times[prev] > limit:
            _close(run, parties, apps, settings, groups)
            run = []
        run.append(i)
    _close(run, parties, apps, settings, groups)
    return groups


def _close(
    run: list[int], parties: Sequence[int], apps: Sequence[int], settings: GangSettings, out: list[list[int]]
) -> None:
    if len({parties[i] for i in run}) >= settings.burst_min_parties:
        out.append([apps[i] for i in run])
