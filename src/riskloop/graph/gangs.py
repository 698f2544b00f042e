"""Gang detection: communities of applications linked by shared identifiers inside a time window.

Applications and identifiers form a bipartite graph. Which uses of an identifier link is judged in
``graph.linking`` (hubs by the diversity of the enterprises behind them, identifiers shared by nature only in a
burst), the same judgement the gang index and the per-application checks make. Gangs are the connected
components with at least ``min_size`` distinct enterprises. Nothing here reads ground truth; labels come from
which shared identifiers hold the gang together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from riskloop.graph.gang_features import gang_features, gang_label
from riskloop.graph.linking import GangSettings, identities, judge_rows
from riskloop.graph.status import EnterpriseStatus
from riskloop.graph.usage import Usage

__all__ = ["Gang", "GangSettings", "Links", "detect_gangs", "links"]


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
    """Distinct (application, identifier) pairs of in-window applications that link (``linking.judge_rows``).

    ``ident`` numbers the links: an identifier, or one burst of an identifier shared by nature.
    """
    keep = in_window[usage.app]
    app, key, role = usage.app[keep], usage.key[keep], usage.role[keep]
    ident = identities(key, role, settings)
    pair = np.unique(ident.astype(np.int64) * max(usage.n_apps, 1) + app, return_index=True)[1]
    app, ident, role = app[pair], ident[pair], role[pair]
    order = np.lexsort((app, usage.at[app], ident))  # by identifier, then time (ties: usage order)
    app, ident, role = app[order], ident[order], role[order]
    judged = judge_rows(ident, usage.party[app], usage.at[app], role, settings)
    kept = judged.keep
    numbers, link = np.unique(judged.link[kept], return_inverse=True)
    return make_links(app[kept], link.astype(np.int64), role[kept], len(numbers), usage.n_apps)


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
