"""Graph features per application, point in time: each row uses only what was visible when it was submitted.

- identifier reuse: how many earlier applications (within ``window_days``) used the same phone, address,
  device, IP, e-mail, account, applicant, legal representative or officer (hubs included: the count says so);
- the size of the application's gang component at submission (applications replayed in time order through
  the incremental gang index);
- how many enterprises the firm's legal representative set up in the year before;
- propagated and related-party risk from the snapshot at the start of the 30-day period (counted from the
  epoch) the application falls in.

Columns: ``application_id`` then ``graph_*`` floats. The decision path computes the same values for one
arriving application from its in-memory graph (``graph.live_features``); these functions are the definition.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.graph.gang_index import GangIndex
from riskloop.graph.gangs import GangSettings
from riskloop.graph.kinds import EDGE_CODE
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.propagation import propagated_risk
from riskloop.graph.related import related_scores
from riskloop.graph.status import RECENT_DAYS, EnterpriseStatus
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import ROLE_CODE, ROLES, Usage

DAY = 86_400
SHIFT = 2**34
WINDOW_DAYS = 90.0  # identifier reuse counts earlier applications within this many days
SNAPSHOT_DAYS = 30  # propagated and related-party risk: snapshots at multiples of this many days since the epoch
REUSE_ROLES = ("phone", "address", "device", "ip", "email", "bank_account", "applicant", "legal_rep", "officer")


def grouped_times(group: np.ndarray, at: np.ndarray | int) -> np.ndarray:
    """One sortable int64 of (group, time): times shifted positive, below 2**34 seconds."""
    out: np.ndarray = group.astype(np.int64) * SHIFT + (np.asarray(at, dtype=np.int64) + 2**32)
    return out


def reuse_counts(usage: Usage, window_days: float = WINDOW_DAYS) -> dict[str, np.ndarray]:
    """Per role: distinct earlier applications within the window that used the same identifier (max over uses)."""
    out = {role: np.zeros(usage.n_apps) for role in REUSE_ROLES}
    if not len(usage.key):
        return out
    pairs, first = np.unique(np.stack([usage.key, usage.app]), axis=1, return_index=True)
    key, app, role = pairs[0], pairs[1], usage.role[first]
    at = usage.at[app]
    order = np.lexsort((at, key))
    key, app, role, at = key[order], app[order], role[order], at[order]
    group = np.r_[0, np.cumsum(key[1:] != key[:-1])]
    combined = grouped_times(group, at)
    lo = np.searchsorted(combined, grouped_times(group, at - int(window_days * DAY)), side="left")
    earlier = np.searchsorted(combined, combined, side="left") - lo  # strictly earlier, inside the window
    for name in REUSE_ROLES:
        sel = role == ROLE_CODE[name]
        np.maximum.at(out[name], app[sel], earlier[sel])
    return out


def gang_sizes_at_submission(usage: Usage, settings: GangSettings | None = None) -> np.ndarray:
    """Size of each application's gang component right after it arrived (time order replay)."""
    none = np.zeros(0, np.int64)
    empty = Usage([], [], none, none, none, np.zeros(0, np.int8))
    index = GangIndex(empty, settings)
    order = np.argsort(usage.app, kind="stable")
    ptr = np.searchsorted(usage.app[order], np.arange(usage.n_apps + 1))
    sizes = np.zeros(usage.n_apps)
    for a in np.argsort(usage.at, kind="stable").tolist():
        rows = order[ptr[a] : ptr[a + 1]]
        uses = [(ROLES[r], k) for r, k in zip(usage.role[rows].tolist(), usage.key[rows].tolist(), strict=True)]
        pos = index.add(usage.application_id[a], usage.credit_code[a], int(usage.at[a]), uses)
        sizes[a] = index.component_size(pos)
    return sizes


def rep_new_companies(usage: Usage, graph: EnterpriseGraph, tokenizer: Tokenizer) -> np.ndarray:
    """Enterprises the firm's legal representative set up in the year before each application."""
    sel = graph.ekind == EDGE_CODE["legal_rep"]
    rep, firm, est = graph.src[sel], graph.dst[sel], graph.vfrom[sel]
    rep_of = np.full(graph.n_nodes, -1, dtype=np.int64)
    rep_of[firm] = rep
    order = np.lexsort((est, rep))
    combined = grouped_times(rep[order], est[order])
    nodes = np.array([graph.lookup(tokenizer.key64("enterprise", c)) or -1 for c in usage.credit_code], np.int64)
    r = np.where(nodes >= 0, rep_of[np.maximum(nodes, 0)], -1)
    hi = np.searchsorted(combined, grouped_times(r, usage.at), side="right")
    lo = np.searchsorted(combined, grouped_times(r, usage.at - RECENT_DAYS * DAY), side="right")
    return np.where(r >= 0, hi - lo, 0).astype(np.float64)


def snapshot_risk(
    usage: Usage,
    graph: EnterpriseGraph,
    status: EnterpriseStatus,
    tokenizer: Tokenizer,
    snapshot_days: int = SNAPSHOT_DAYS,
) -> tuple[np.ndarray, np.ndarray]:
    """Propagated and related-party risk of each application's enterprise at the snapshot before submission."""
    prop, rel = np.zeros(usage.n_apps), np.zeros(usage.n_apps)
    if not usage.n_apps:
        return prop, rel
    nodes = np.array([graph.lookup(tokenizer.key64("enterprise", c)) or -1 for c in usage.credit_code], np.int64)
    step = snapshot_days * DAY
    first = int(usage.at.min()) // step * step
    for cut in range(first, int(usage.at.max()) + step, step):
        sel = (usage.at >= cut) & (usage.at < cut + step) & (nodes >= 0)
        if sel.any():
            prop[sel] = propagated_risk(graph, status, cut)[nodes[sel]]
            rel[sel] = related_scores(graph, status, cut)[nodes[sel]]
    return prop, rel


def graph_features(
    usage: Usage,
    graph: EnterpriseGraph,
    status: EnterpriseStatus,
    tokenizer: Tokenizer,
    *,
    settings: GangSettings | None = None,
    window_days: float = WINDOW_DAYS,
    snapshot_days: int = SNAPSHOT_DAYS,
) -> pa.Table:
    """Point-in-time graph features of every application in ``usage``: ``application_id`` + ``graph_*``."""
    columns: dict[str, object] = {"application_id": pa.array(usage.application_id, pa.string())}
    for role, values in reuse_counts(usage, window_days).items():
        columns[f"graph_{role}_reuse"] = values
    columns["graph_gang_size"] = gang_sizes_at_submission(usage, settings)
    columns["graph_rep_new_companies"] = rep_new_companies(usage, graph, tokenizer)
    prop, rel = snapshot_risk(usage, graph, status, tokenizer, snapshot_days)
    columns["graph_propagated_risk"] = prop
    columns["graph_related_risk"] = rel
    return pa.table(columns)
