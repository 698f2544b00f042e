"""Gang detection: communities of applications linked by shared identifiers inside a time window.

Applications and identifiers form a bipartite graph. Hub identifiers are dropped before linking: those used
by more than ``max_degree`` applications, or whose users are spread over more than ``max_span_days`` (a
branch kiosk, a business-centre address, a carrier NAT address). Weak identifiers (an address, a /24
network: different firms legitimately share a building or a provider) link only a crowd (``weak_min_degree``)
inside a burst (``weak_span_days``).
Gangs are the connected components with at least ``min_size`` distinct enterprises. Nothing here reads
ground truth; labels come from which shared identifiers hold the gang together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from riskloop.graph.gang_features import gang_features, gang_label
from riskloop.graph.status import EnterpriseStatus
from riskloop.graph.usage import ROLE_CODE, Usage

DAY = 86_400


@dataclass(frozen=True)
class GangSettings:
    """Parameters of gang detection (the defaults are the ones the benchmarks report)."""

    max_degree: int = 40
    max_span_days: float = 14.0
    weak_roles: tuple[str, ...] = ("address", "ip_subnet")
    weak_span_days: float = 2.0
    weak_min_degree: int = 3
    min_size: int = 3


@dataclass(frozen=True)
class Gang:
    """One detected gang: member applications (positions in ``Usage``), label and features."""

    gang_id: str
    label: str
    members: np.ndarray
    application_ids: list[str]
    credit_codes: list[str]
    features: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "gang_id": self.gang_id,
            "label": self.label,
            "application_ids": self.application_ids,
            "credit_codes": self.credit_codes,
            "features": self.features,
        }


@dataclass(frozen=True)
class Links:
    """The usage rows that link applications: ``app`` x ``ident`` pairs after dropping hubs."""

    app: np.ndarray
    ident: np.ndarray
    role: np.ndarray
    n_idents: int
    by_app: np.ndarray  # row order sorted by application
    app_ptr: np.ndarray  # rows of application a: by_app[app_ptr[a]:app_ptr[a + 1]]


def window_mask(usage: Usage, since: int | None, until: int | None) -> np.ndarray:
    """Applications submitted in ``[since, until]`` (epoch seconds; ``None``: unbounded)."""
    mask = np.ones(usage.n_apps, dtype=bool)
    if since is not None:
        mask &= usage.at >= since
    if until is not None:
        mask &= usage.at <= until
    return mask


def links(usage: Usage, in_window: np.ndarray, settings: GangSettings) -> Links:
    """Distinct (application, identifier) pairs of in-window applications through non-hub identifiers."""
    keep = in_window[usage.app]
    app, key, role = usage.app[keep], usage.key[keep], usage.role[keep]
    keys, ident = np.unique(key, return_inverse=True)
    pair = np.unique(ident.astype(np.int64) * max(usage.n_apps, 1) + app, return_index=True)[1]
    app, ident, role = app[pair], ident[pair], role[pair]
    order = np.argsort(ident, kind="stable")
    app, ident, role = app[order], ident[order], role[order]
    starts = np.flatnonzero(np.r_[True, ident[1:] != ident[:-1]])
    degree = np.diff(np.r_[starts, len(ident)])
    at = usage.at[app]
    if not len(ident):
        return make_links(app, ident, role, len(keys), usage.n_apps)
    span = np.maximum.reduceat(at, starts) - np.minimum.reduceat(at, starts)
    linking = is_linking(degree, span, role[starts], settings)
    kept = np.repeat(linking, degree)
    return make_links(app[kept], ident[kept], role[kept], len(keys), usage.n_apps)


def is_linking(degree: np.ndarray, span: np.ndarray, role: np.ndarray, settings: GangSettings) -> np.ndarray:
    """Which identifiers link applications: not hubs (by degree or time spread); weak ones only in a burst crowd."""
    weak = np.isin(role, [ROLE_CODE[r] for r in settings.weak_roles])
    limit = np.where(weak, settings.weak_span_days, settings.max_span_days)
    floor = np.where(weak, settings.weak_min_degree, 2)
    out: np.ndarray = (degree >= floor) & (degree <= settings.max_degree) & (span <= limit * DAY)
    return out


def make_links(app: np.ndarray, ident: np.ndarray, role: np.ndarray, n_idents: int, n_apps: int) -> Links:
    """Links with their per-application index."""
    by_app = np.argsort(app, kind="stable")
    app_ptr = np.searchsorted(app[by_app], np.arange(n_apps + 1))
    return Links(app, ident, role, n_idents, by_app, app_ptr)


def app_components(n_apps: int, linked: Links) -> np.ndarray:
    """Component label of every application in the application-identifier graph."""
    n = n_apps + linked.n_idents
    graph = coo_matrix(
        (np.ones(len(linked.app), dtype=np.int8), (linked.app, n_apps + linked.ident)), shape=(n, n)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    out: np.ndarray = labels[:n_apps]
    return out


def detect_gangs(
    usage: Usage,
    settings: GangSettings | None = None,
    *,
    status: EnterpriseStatus | None = None,
    since: int | None = None,
    until: int | None = None,
) -> list[Gang]:
    """Detect gangs among applications submitted in ``[since, until]`` (epoch seconds).

    Returns
    -------
    list of Gang
        Largest first; ``gang_id`` is ``G`` plus the earliest member's application id.

    """
    cfg = settings or GangSettings()
    in_window = window_mask(usage, since, until)
    linked = links(usage, in_window, cfg)
    labels = app_components(usage.n_apps, linked)
    return gangs_from_labels(usage, labels, in_window=in_window, linked=linked, settings=cfg, status=status)


def gangs_from_labels(
    usage: Usage,
    labels: np.ndarray,
    *,
    in_window: np.ndarray,
    linked: Links,
    settings: GangSettings,
    status: EnterpriseStatus | None,
) -> list[Gang]:
    """Turn component labels into gangs (components with ``min_size`` distinct enterprises)."""
    apps = np.flatnonzero(in_window)
    sizes = np.bincount(labels[apps], minlength=int(labels.max()) + 1 if len(labels) else 0)
    apps = apps[sizes[labels[apps]] >= settings.min_size]  # most applications are alone
    order = apps[np.lexsort((usage.at[apps], labels[apps]))]
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    codes = usage.credit_code
    gangs: list[Gang] = []
    for members in np.split(order, cuts):
        if len(members) < settings.min_size or len({codes[m] for m in members}) < settings.min_size:
            continue
        features, coverage = gang_features(usage, members, linked, status)
        gangs.append(
            Gang(
                gang_id="G" + usage.application_id[int(members[0])],
                label=gang_label(coverage),
                members=members,
                application_ids=[usage.application_id[m] for m in members],
                credit_codes=sorted({codes[m] for m in members}),
                features=features,
            )
        )
    gangs.sort(key=lambda g: (-len(g.members), g.gang_id))
    return gangs
