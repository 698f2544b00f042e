"""Gangs kept current as applications arrive: union-find over applications, no rebuild on the request path.

The batch computes components once. Each new application joins the components of the applications it
shares a linking identifier with. If a new use turns an identifier into a hub (too many users, or spread
too long), links it made earlier would not exist in a full rebuild, so the index marks itself stale and
recomputes the components the next time gangs are listed: the result always equals a full rebuild.
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
    is_linking,
    links,
    make_links,
    window_mask,
)
from riskloop.graph.growth import appended
from riskloop.graph.status import EnterpriseStatus
from riskloop.graph.usage import ROLE_CODE, Usage


@dataclass
class _Ident:
    apps: list[int]
    first: int
    last: int
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
        self._weak = {ROLE_CODE[r] for r in self.settings.weak_roles}
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
        self._idents: dict[int, _Ident] = {}
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
        keep = in_window[usage.app]
        key, app, role = usage.key[keep], usage.app[keep], usage.role[keep]
        pairs = np.unique(np.stack([key, app]), axis=1) if len(key) else np.zeros((2, 0), np.int64)
        self._keys, starts = np.unique(pairs[0], return_index=True)
        self._ptr = np.r_[starts, pairs.shape[1]]
        self._apps = pairs[1]
        first_role = np.unique(key, return_index=True)[1]
        self._role = role[first_role]
        at = usage.at[self._apps]
        starts = self._ptr[:-1]
        self._first = np.minimum.reduceat(at, starts) if len(at) else at
        self._last = np.maximum.reduceat(at, starts) if len(at) else at
        self.application_id = list(usage.application_id)
        self.credit_code = list(usage.credit_code)
        self.at = list(usage.at.tolist())
        self._positions: dict[str, int] | None = None
        self._parent_buffer: np.ndarray | None = None  # ``parent`` and ``size`` grow in these (``growth.appended``)
        self._size_buffer: np.ndarray | None = None
        self._rows: dict[int, tuple[int, int, int, int, int] | None] = {}  # batch rows the last check looked up

    def position(self, application_id: str) -> int | None:
        """Position of an application already in the index, or ``None``."""
        if self._positions is None:
            self._positions = {a: i for i, a in enumerate(self.application_id)}
        return self._positions.get(application_id)

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

    def _batch_rows(self, keys: Sequence[int]) -> list[tuple[int, int, int, int, int] | None]:
        """``(lo, hi, first, last, role)`` of each identifier in the batch arrays, or None: one search for all."""
        if not keys or not len(self._keys):
            return [None] * len(keys)
        wanted = np.array(keys, dtype=np.int64)
        pos = np.minimum(self._keys.searchsorted(wanted), len(self._keys) - 1)
        found = (self._keys[pos] == wanted).tolist()
        rows = zip(
            self._ptr[pos].tolist(),
            self._ptr[pos + 1].tolist(),
            self._first[pos].tolist(),
            self._last[pos].tolist(),
            self._role[pos].tolist(),
            strict=True,
        )
        return [row if ok else None for row, ok in zip(rows, found, strict=True)]

    def _resolve(self, roles: dict[int, int]) -> None:
        """Load the identifiers ``roles`` names (key -> role of a first use) into ``_idents``."""
        keys = [k for k in roles if k not in self._idents]
        known = self._rows  # an application is usually added right after ``linked_roots`` looked its keys up
        if not all(k in known for k in keys):
            known = dict(zip(keys, self._batch_rows(keys), strict=True))
        self._rows = {}
        for key, row in ((k, known[k]) for k in keys):
            if row is None:
                self._idents[key] = _Ident([], 2**62, -(2**62), roles[key])
            else:
                lo, hi, first, last, role = row
                self._idents[key] = _Ident(self._apps[lo:hi].tolist(), first, last, role)

    def _links(self, ident: _Ident) -> bool:
        return self._linking(len(ident.apps), ident.last - ident.first, ident.role)

    def _linking(self, degree: int, span: int, role: int) -> bool:
        """Scalar twin of ``is_linking`` (the request path cannot afford numpy per identifier)."""
        cfg = self.settings
        weak = role in self._weak
        limit = cfg.weak_span_days if weak else cfg.max_span_days
        floor = cfg.weak_min_degree if weak else 2
        return floor <= degree <= cfg.max_degree and span <= limit * 86_400

    def peek(self, key: int, role: str, at: int) -> list[int]:
        """Applications a new use of identifier ``key`` at ``at`` would link to (nothing is recorded)."""
        found = self._idents.get(key)
        if found is not None:
            if found.apps and self._linking(
                len(found.apps) + 1, max(found.last, at) - min(found.first, at), found.role
            ):
                return found.apps
            return []
        row = self._batch_rows([key])[0]
        if row is None:
            return []
        lo, hi, first, last, code = row
        if not self._linking(hi - lo + 1, max(last, at) - min(first, at), code):
            return []
        apps: list[int] = self._apps[lo:hi].tolist()
        return apps

    def linked_roots(self, uses: Sequence[tuple[str, int]], at: int, exclude: int | None = None) -> set[int]:
        """Roots of the components an application with ``uses`` arriving at ``at`` would join.

        The roots of ``peek`` of every use but ``exclude``'s, with one binary search for all the identifiers
        not touched since the batch.
        """
        roots: set[int] = set()
        untouched: list[int] = []
        for _, key in uses:
            found = self._idents.get(key)
            if found is None:
                untouched.append(key)
            elif found.apps and self._linking(
                len(found.apps) + 1, max(found.last, at) - min(found.first, at), found.role
            ):
                roots.update(self.find(a) for a in found.apps if a != exclude)
        rows = self._batch_rows(untouched)
        self._rows = dict(zip(untouched, rows, strict=True))  # the batch arrays change only at a reload
        for row in rows:
            if row is not None and self._linking(row[1] - row[0] + 1, max(row[3], at) - min(row[2], at), row[4]):
                roots.update(self.find(a) for a in self._apps[row[0] : row[1]].tolist() if a != exclude)
        return roots

    def add(self, application_id: str, credit_code: str, at: int, uses: Sequence[tuple[str, int]]) -> int:
        """Add one application with its ``(role, identifier key)`` uses; return its position."""
        app = len(self.application_id)
        if self._positions is not None:
            self._positions[application_id] = app
        self.application_id.append(application_id)
        self.credit_code.append(credit_code)
        self.at.append(at)
        self.parent, self._parent_buffer = appended(self.parent, app, self._parent_buffer)
        self.size, self._size_buffer = appended(self.size, 1, self._size_buffer)
        roles: dict[int, int] = {}  # each identifier once, with the role of its first use
        for role_name, key in uses:
            self._extra.append((app, key, ROLE_CODE[role_name]))
            roles.setdefault(key, ROLE_CODE[role_name])
        self._resolve(roles)
        for key in roles:
            ident = self._idents[key]
            before = self._links(ident) if ident.apps else False
            ident.apps.append(app)
            ident.first, ident.last = min(ident.first, at), max(ident.last, at)
            after = self._links(ident)
            if before and not after:
                self._stale = True  # earlier links through this identifier are gone
            elif after:
                for other in ident.apps[:-1] if before else ident.apps:
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


def replay_components(usage: Usage, settings: GangSettings) -> np.ndarray:
    """Component label of every application after adding them one at a time in time order (``GangIndex.add``).

    Per identifier, its k-th distinct user (in arrival order) links to the users before it when ``k`` users
    spread from the first one's time to its own are no hub (``is_linking``). Degree and spread only grow, so an
    identifier links from its ``floor``-th user until its last linking one, ``L``, and never again: its first
    ``L`` users end up in one component. Ties in time arrive in ``usage`` order, as in the replay.
    """
    n = usage.n_apps
    if not len(usage.key):
        return np.arange(n, dtype=np.int64)
    order = np.argsort(usage.at, kind="stable")
    arrival = np.empty(n, dtype=np.int64)
    arrival[order] = np.arange(n)
    pairs, first = np.unique(np.stack([usage.key, usage.app]), axis=1, return_index=True)
    key, app, role = pairs[0], pairs[1], usage.role[first]
    sort = np.lexsort((arrival[app], key))
    key, app, role = key[sort], app[sort], role[sort]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    group = np.cumsum(np.r_[False, key[1:] != key[:-1]])
    rank = np.arange(len(key)) - starts[group]
    at = usage.at[app]
    # an identifier's role is its first user's; weak roles (address, /24 network) have identifier kinds of their own
    linking = is_linking(rank + 1, at - at[starts][group], role[starts][group], settings)
    last = np.full(len(starts), -1, dtype=np.int64)
    np.maximum.at(last, group[linking], rank[linking])
    keep = rank <= last[group]
    return app_components(n, make_links(app[keep], group[keep], role[keep], len(starts), n))
