"""Gangs kept current as applications arrive: union-find over applications, no rebuild on the request path.

The batch computes components once. Each new application joins the components of the applications it
shares a linking identifier with (``graph.linking`` judges which). If a new use turns an identifier into a hub
(too many enterprises or uses behind it), links it made earlier would not exist in a full rebuild, so the
index marks itself stale and recomputes the components the next time gangs are listed: the result always
equals a full rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from riskloop.graph.gangs import (
    Gang,
    GangSettings,
    app_components,
    detect_gangs,
    gangs_from_labels,
    links,
    make_links,
    window_mask,
)
from riskloop.graph.growth import appended
from riskloop.graph.linking import identities, is_burst, judge_rows, link_groups
from riskloop.graph.status import EnterpriseStatus
from riskloop.graph.usage import ROLE_CODE, Usage

Row = tuple[int, int, bool]  # an identifier's rows in the batch arrays (lo, hi) and whether it is a hub there


@dataclass
class _Ident:
    apps: list[int]
    parties: list[int]
    times: list[int]
    role: int


class GangIndex:
    """Components of the application-identifier graph, updated one application at a time.

    Parameters
    ----------
    usage : Usage
        The batch of applications and identifier uses.
    settings : GangSettings, optional
        Detection parameters.
    since : int, optional
        Start of the window (epoch seconds); earlier applications are ignored.

    """

    def __init__(
        self, usage: Usage, settings: GangSettings | None = None, since: int | None = None, *, replayed: bool = False
    ) -> None:
        self.settings = settings or GangSettings()
        self._burst = self.settings.burst_codes()
        self.since = since
        self.replayed = replayed
        self._load(usage)

    @classmethod
    def replay(cls, usage: Usage, settings: GangSettings | None = None) -> GangIndex:
        """The index as if every application of ``usage`` had been added one at a time, in time order, to an empty one.

        Its components are point in time: an identifier joined an arrival to the ones before it only while
        it was no hub given the uses up to then (as ``add`` judges), whereas the batch constructor judges hubs
        over the whole batch. So a component size read right after ``add`` is the gang size at submission of
        ``graph.features.gang_sizes_at_submission``, for the batch and for every later arrival. Computed
        vectorised (``replay_components``), not by adding the batch one application at a time. ``gangs()`` of
        such an index is a full detection over the batch plus the added applications.
        """
        return cls(usage, settings, replayed=True)

    def _load(self, usage: Usage) -> None:
        self.usage = usage
        self._extra: list[tuple[int, int, int]] = []  # (app, key, role) rows not yet in ``usage``
        self._idents: dict[tuple[int, bool], _Ident] = {}
        self._stale = False
        in_window = window_mask(usage, self.since, None)
        self._linked = links(usage, in_window, self.settings)
        if self.replayed:
            self.parent = replay_components(usage, self.settings).astype(np.int64)
        else:
            self.parent = app_components(usage.n_apps, self._linked).astype(np.int64)
        roots = np.full(max(usage.n_apps, 1), -1, dtype=np.int64)
        first = np.unique(self.parent, return_index=True)
        roots[first[0]] = first[1]  # each component's root is its first application
        self.parent = roots[self.parent]
        self.size = np.bincount(self.parent, minlength=usage.n_apps).astype(np.int64)
        self._load_identifiers(usage, in_window)
        self.application_id = list(usage.application_id)
        self.credit_code = list(usage.credit_code)
        self.at = list(usage.at.tolist())
        self.party = list(usage.party.tolist())
        self._party_of: dict[str, int] | None = None
        self._positions: dict[str, int] | None = None
        self._parent_buffer: np.ndarray | None = None  # ``parent`` and ``size`` grow in these (``growth.appended``)
        self._size_buffer: np.ndarray | None = None
        self._rows: dict[tuple[int, bool], Row | None] = {}  # batch rows the last check looked up

    def _load_identifiers(self, usage: Usage, in_window: np.ndarray) -> None:
        """Per identifier (key and class) of the batch: its applications, role and hub status, sorted for lookups."""
        keep = in_window[usage.app]
        key, app, role = usage.key[keep], usage.app[keep], usage.role[keep]
        burst = is_burst(role, self.settings).astype(np.int64)
        if len(key):
            pairs, first = np.unique(np.stack([key, burst, app]), axis=1, return_index=True)
        else:
            pairs, first = np.zeros((3, 0), np.int64), np.zeros(0, np.int64)
        new = np.r_[True, (pairs[0, 1:] != pairs[0, :-1]) | (pairs[1, 1:] != pairs[1, :-1])] if len(first) else first
        starts = np.flatnonzero(new)
        self._keys, self._class = pairs[0, starts], pairs[1, starts].astype(bool)
        self._ptr = np.r_[starts, pairs.shape[1]]
        self._apps = pairs[2]
        self._role = role[first][starts] if len(starts) else np.zeros(0, np.int8)
        self._hub = _hubs(usage.party[self._apps], np.diff(self._ptr), self.settings)

    def position(self, application_id: str) -> int | None:
        """Position of an application already in the index, or ``None``."""
        if self._positions is None:
            self._positions = {a: i for i, a in enumerate(self.application_id)}
        return self._positions.get(application_id)

    def party_of(self, credit_code: str) -> int:
        """The party number of an enterprise (a new one gets the next number)."""
        if self._party_of is None:
            self._party_of = dict(zip(self.credit_code, self.party, strict=True))
        found = self._party_of.get(credit_code)
        if found is None:
            found = self._party_of[credit_code] = len(self._party_of) + len(self.credit_code)
        return found

    def find(self, app: int) -> int:
        """Root application of ``app``'s component (path halving)."""
        parent = self.parent
        while parent[app] != app:
            parent[app] = parent[parent[app]]
            app = int(parent[app])
        return app

    def _union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb] or (self.size[ra] == self.size[rb] and ra > rb):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def _batch_rows(self, idents: Sequence[tuple[int, bool]]) -> list[Row | None]:
        """``(lo, hi, hub)`` of each identifier in the batch arrays, or None: one search for all."""
        if not idents or not len(self._keys):
            return [None] * len(idents)
        wanted = np.array([k for k, _ in idents], dtype=np.int64)
        cls = np.array([c for _, c in idents], dtype=bool)
        last = len(self._keys) - 1
        pos = np.minimum(self._keys.searchsorted(wanted), last)
        nxt = np.minimum(pos + 1, last)  # a key has at most two identities: personal and shared by nature
        pos = np.where((self._keys[pos] == wanted) & (self._class[pos] == cls), pos, nxt)
        found = ((self._keys[pos] == wanted) & (self._class[pos] == cls)).tolist()
        rows = zip(self._ptr[pos].tolist(), self._ptr[pos + 1].tolist(), self._hub[pos].tolist(), strict=True)
        return [row if ok else None for row, ok in zip(rows, found, strict=True)]

    def _ident_of(self, row: Row | None, role: int) -> _Ident:
        if row is None:
            return _Ident([], [], [], role)
        lo, hi, _ = row
        apps = self._apps[lo:hi]
        return _Ident(apps.tolist(), self.usage.party[apps].tolist(), self.usage.at[apps].tolist(), role)

    def _resolve(self, roles: dict[tuple[int, bool], int]) -> None:
        """Load the identifiers ``roles`` names ((key, class) -> role of a first use) into ``_idents``."""
        wanted = [i for i in roles if i not in self._idents]
        known = self._rows  # an application is usually added right after ``linked_roots`` looked its keys up
        if not all(i in known for i in wanted):
            known = dict(zip(wanted, self._batch_rows(wanted), strict=True))
        self._rows = {}
        for ident in wanted:
            self._idents[ident] = self._ident_of(known[ident], roles[ident])

    def _groups(self, ident: _Ident) -> list[list[int]] | None:
        return link_groups(ident.apps, ident.parties, ident.times, ident.role, self.settings)

    def _links_before(self, ident: _Ident) -> list[list[int]] | None:
        """The groups ``ident`` linked before its last use was appended (asked only when that use made it a hub)."""
        if len(ident.apps) < 2:
            return []
        return link_groups(ident.apps[:-1], ident.parties[:-1], ident.times[:-1], ident.role, self.settings)

    def _joined(self, ident: _Ident, party: int, at: int) -> list[int]:
        """Applications a new use of ``ident`` by ``party`` at ``at`` would link to (nothing is recorded)."""
        groups = link_groups([*ident.apps, -1], [*ident.parties, party], [*ident.times, at], ident.role, self.settings)
        return next((g for g in groups or [] if -1 in g), [])

    def _class_of(self, role_name: str) -> bool:
        return ROLE_CODE[role_name] in self._burst

    def linked(
        self, uses: Sequence[tuple[str, int]], at: int, credit_code: str, exclude: int | None = None
    ) -> list[tuple[str, list[int]]]:
        """Per use of an application of ``credit_code`` arriving at ``at``: the applications it would link to.

        One binary search for all the identifiers not touched since the batch; a hub there stays one.
        """
        party = self.party_of(credit_code)
        out: list[tuple[str, list[int]]] = []
        untouched: list[tuple[int, bool]] = []
        for role_name, key in uses:
            ident = (key, self._class_of(role_name))
            if ident not in self._idents:
                untouched.append(ident)
        rows = dict(zip(untouched, self._batch_rows(untouched), strict=True))
        self._rows = rows  # the batch arrays change only at a reload
        for role_name, key in uses:
            ident = (key, self._class_of(role_name))
            found = self._idents.get(ident)
            if found is None:
                row = rows[ident]
                if row is None or row[2]:
                    continue
                # kept: ``add`` (of this application, right after) would build the same from the batch row, and
                # a second ``linked`` of it (the live features ask too) reads it again. Only the class matters
                # of the role it keeps (``link_groups``), and the class is part of the identifier.
                found = self._idents[ident] = self._ident_of(row, ROLE_CODE[role_name])
            apps = [a for a in self._joined(found, party, at) if a not in (-1, exclude)]
            if apps:
                out.append((role_name, apps))
        return out

    def linked_roots(
        self, uses: Sequence[tuple[str, int]], at: int, credit_code: str, exclude: int | None = None
    ) -> set[int]:
        """Roots of the components an application with ``uses`` arriving at ``at`` would join."""
        return {self.find(a) for _, apps in self.linked(uses, at, credit_code, exclude) for a in apps}

    def add(self, application_id: str, credit_code: str, at: int, uses: Sequence[tuple[str, int]]) -> int:
        """Add one application with its ``(role, identifier key)`` uses; return its position."""
        app = len(self.application_id)
        party = self.party_of(credit_code)
        if self._positions is not None:
            self._positions[application_id] = app
        self.application_id.append(application_id)
        self.credit_code.append(credit_code)
        self.at.append(at)
        self.party.append(party)
        self.parent, self._parent_buffer = appended(self.parent, app, self._parent_buffer)
        self.size, self._size_buffer = appended(self.size, 1, self._size_buffer)
        roles: dict[tuple[int, bool], int] = {}  # each identifier once, with the role of its first use
        for role_name, key in uses:
            self._extra.append((app, key, ROLE_CODE[role_name]))
            roles.setdefault((key, self._class_of(role_name)), ROLE_CODE[role_name])
        self._resolve(roles)
        for ident_key in roles:
            ident = self._idents[ident_key]
            ident.apps.append(app)
            ident.parties.append(party)
            ident.times.append(at)
            after = self._groups(ident)
            if after is None:  # a hub now: earlier links through this identifier are gone, if it had any
                self._stale = self._stale or bool(self._links_before(ident))
                continue
            for group in after:
                if app in group:
                    for other in group:
                        self._union(app, other)
        return app

    def current_usage(self) -> Usage:
        """The batch plus every added application, as one ``Usage``."""
        extra = np.array(self._extra, dtype=np.int64).reshape(-1, 3)
        return Usage(
            application_id=list(self.application_id),
            credit_code=list(self.credit_code),
            at=np.array(self.at, dtype=np.int64),
            app=np.concatenate([self.usage.app, extra[:, 0]]),
            key=np.concatenate([self.usage.key, extra[:, 1]]),
            role=np.concatenate([self.usage.role, extra[:, 2].astype(np.int8)]),
            infrastructure=self.usage.infrastructure,
        )

    def component_size(self, app: int) -> int:
        """Number of applications in ``app``'s component."""
        return int(self.size[self.find(app)])

    def gangs(self, status: EnterpriseStatus | None = None) -> list[Gang]:
        """Current gangs, equal to a full rebuild over the batch plus the added applications."""
        usage = self.current_usage()
        if self.replayed:  # point-in-time components are not the components of a batch detection
            return detect_gangs(usage, self.settings, status=status, since=self.since)
        if self._stale:
            self._load(usage)
            usage = self.usage
        labels = np.array([self.find(a) for a in range(usage.n_apps)], dtype=np.int64)
        in_window = window_mask(usage, self.since, None)
        linked = links(usage, in_window, self.settings)
        return gangs_from_labels(
            usage, labels, in_window=in_window, linked=linked, settings=self.settings, status=status
        )


def _hubs(party: np.ndarray, per_ident: np.ndarray, settings: GangSettings) -> np.ndarray:
    """Which identifiers of the batch arrays (``per_ident`` rows each) are hubs: too many parties or uses.

    They stay hubs whatever comes, so a check never reads their users.
    """
    n = len(per_ident)
    group = np.repeat(np.arange(n), per_ident)
    pairs = np.unique(np.stack([group, party]), axis=1) if len(group) else np.zeros((2, 0), np.int64)
    parties = np.bincount(pairs[0], minlength=n)
    out: np.ndarray = (parties > settings.max_parties) | (per_ident > settings.max_uses)
    return out


def replay_components(usage: Usage, settings: GangSettings) -> np.ndarray:
    """Component label of every application after adding them one at a time in time order (``GangIndex.add``).

    Each identifier (key and class) links, as ``add`` judges it, while it is no hub given its users so far;
    parties and uses only grow, so it links its users up to the one that made it a hub, judged together
    (``judge_rows`` with ``prefix``): bursts only merge as users come. Ties in time arrive in ``usage`` order.
    """
    n = usage.n_apps
    if not len(usage.key):
        return np.arange(n, dtype=np.int64)
    order = np.argsort(usage.at, kind="stable")
    arrival = np.empty(n, dtype=np.int64)
    arrival[order] = np.arange(n)
    ident = identities(usage.key, usage.role, settings)
    pairs, first = np.unique(np.stack([ident, usage.app]), axis=1, return_index=True)
    ident, app, role = pairs[0], pairs[1], usage.role[first]
    sort = np.lexsort((arrival[app], ident))
    ident, app, role = ident[sort], app[sort], role[sort]
    judged = judge_rows(ident, usage.party[app], usage.at[app], role, settings, prefix=True)
    kept = judged.keep
    numbers, link = np.unique(judged.link[kept], return_inverse=True)
    return app_components(n, make_links(app[kept], link.astype(np.int64), role[kept], len(numbers), n))
