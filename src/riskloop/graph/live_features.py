"""The graph features of one arriving application: what ``graph.features.graph_features`` gives it in batch.

The decision path holds the graph and records every checked application in it (``GraphChecks.record``).
``LiveFeatures`` keeps beside it what the batch features are computed from, so an application checked now
gets, from what is known now, the values a batch run over the same data gives it later (same names, window
and definitions; ``tests/integration/graph/test_live_features.py`` replays a universe to show it):

- identifier reuse: distinct earlier applications within the window per identifier, any role (the batch's
  uses, then every recorded arrival), max over the application's identifiers of each role: two binary
  searches per identifier;
- gang size at submission: the component size right after arriving in a point-in-time gang index
  (``GangIndex.replay``) that every recorded arrival joins;
- new companies behind the legal representative: the legal-representative edges by person and start date;
- propagated and related-party risk: the snapshot at the start of the 30-day period (since the epoch) the
  application falls in, over the graph with its overlay. It is computed once per period: the first check of
  a period pays for it (about as long as the risk arrays of a graph load), unless ``prepare`` did.

What the values can lack online is data, not definitions: identifiers the application does not carry (the
request's address, e-mail and settlement account are optional), and logins the graph does not know yet (login
events reach it with a build, or through ``incremental.record_login``).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Sequence

import numpy as np

from riskloop.graph.features import DAY, REUSE_ROLES, SHIFT, SNAPSHOT_DAYS, WINDOW_DAYS, grouped_times
from riskloop.graph.gang_index import GangIndex
from riskloop.graph.gangs import GangSettings
from riskloop.graph.kinds import EDGE_CODE
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.propagation import ALPHA, propagated_risk
from riskloop.graph.related import related_scores
from riskloop.graph.status import RECENT_DAYS, EnterpriseStatus
from riskloop.graph.usage import Usage

REUSE_FEATURE = {role: f"graph_{role}_reuse" for role in REUSE_ROLES}
FEATURES: tuple[str, ...] = (
    *REUSE_FEATURE.values(),
    "graph_gang_size",
    "graph_rep_new_companies",
    "graph_propagated_risk",
    "graph_related_risk",
)
_BAD = ("dishonest", "enforcement", "default")


class LiveFeatures:
    """Point-in-time graph features of arriving applications, kept current by ``record``.

    Parameters
    ----------
    graph : EnterpriseGraph
        The graph the checks read (its overlay grows as applications are recorded).
    usage : Usage
        Every application the graph was built with and its identifier uses (``read_usage``), no window.
    status : EnterpriseStatus
        Known-bad status dates, for the risk snapshots.

    """

    def __init__(
        self,
        graph: EnterpriseGraph,
        usage: Usage,
        status: EnterpriseStatus,
        *,
        settings: GangSettings | None = None,
        window_days: float = WINDOW_DAYS,
        snapshot_days: int = SNAPSHOT_DAYS,
    ) -> None:
        self.graph, self.status = graph, status
        self.index = GangIndex.replay(usage, settings)
        self.window = int(window_days * DAY)
        self.step = snapshot_days * DAY
        # distinct (identifier, application) uses of the batch, as (identifier group, time) sorted
        pairs = np.unique(np.stack([usage.key, usage.app]), axis=1) if len(usage.key) else np.zeros((2, 0), np.int64)
        self._keys, group = np.unique(pairs[0], return_inverse=True)
        self._times = np.sort(grouped_times(group.reshape(-1), usage.at[pairs[1]]))
        self._recorded: dict[int, list[int]] = {}  # identifier -> times of the recorded arrivals that used it
        sel = graph.ekind == EDGE_CODE["legal_rep"]
        self._reps = np.sort(grouped_times(graph.src[sel], graph.vfrom[sel]))
        self._snapshot: tuple[int, np.ndarray, np.ndarray] | None = None

    def features(
        self,
        *,
        application_id: str,
        credit_code: str,
        uses: Sequence[tuple[str, int]],
        firm: int | None,
        rep: int | None,
        at: int,
    ) -> dict[str, float]:
        """The ``graph_*`` features of an application arriving at ``at`` (epoch seconds), before it is recorded.

        ``uses`` are its ``(role, key)`` identifier uses in role order (``GraphChecks.uses``), ``firm`` its
        enterprise's node and ``rep`` the node of that enterprise's legal representative.
        """
        out = self.reuse(uses, at)
        out["graph_gang_size"] = float(self.gang_size(application_id, credit_code, uses, at))
        out["graph_rep_new_companies"] = float(self.rep_new_companies(rep, at))
        out["graph_propagated_risk"], out["graph_related_risk"] = self.risk(firm, at)
        return out

    def reuse(self, uses: Sequence[tuple[str, int]], at: int) -> dict[str, float]:
        """Per role: distinct earlier applications in the window that used one of its identifiers (max)."""
        out = dict.fromkeys(REUSE_FEATURE.values(), 0.0)
        role_of: dict[int, str] = {}
        for role, key in uses:
            role_of.setdefault(key, role)  # an identifier counts under the first role it appears in, as in batch
        if not role_of:
            return out
        counts = [0] * len(role_of)
        if len(self._keys):
            keys = np.fromiter(role_of, dtype=np.int64, count=len(role_of))
            group = np.minimum(self._keys.searchsorted(keys), len(self._keys) - 1)
            end = group * SHIFT + (at + 2**32)  # grouped_times(group, at)
            bounds = self._times.searchsorted(np.concatenate([end - self.window, end]))  # [start, at): strictly earlier
            counts = ((bounds[len(keys) :] - bounds[: len(keys)]) * (self._keys[group] == keys)).tolist()
        for (key, role), in_batch in zip(role_of.items(), counts, strict=True):
            name = REUSE_FEATURE.get(role)
            if name is None:
                continue
            recorded = self._recorded.get(key)
            later = bisect_left(recorded, at) - bisect_left(recorded, at - self.window) if recorded else 0
            out[name] = max(out[name], float(in_batch + later))
        return out

    def gang_size(self, application_id: str, credit_code: str, uses: Sequence[tuple[str, int]], at: int) -> int:
        """Size of the gang component the application would be in right after arriving (1 when alone)."""
        idx = self.index
        roots = idx.linked_roots(uses, at, credit_code, idx.position(application_id))
        return 1 + sum(idx.component_size(r) for r in roots)

    def rep_new_companies(self, rep: int | None, at: int) -> int:
        """Enterprises the legal representative ``rep`` set up in the year up to ``at``."""
        if rep is None:
            return 0
        base = rep * SHIFT + 2**32
        hi = int(np.searchsorted(self._reps, base + at, side="right"))
        return hi - int(np.searchsorted(self._reps, base + at - RECENT_DAYS * DAY, side="right"))

    def risk(self, firm: int | None, at: int) -> tuple[float, float]:
        """Propagated and related-party risk of enterprise node ``firm`` at the snapshot of ``at``'s period."""
        if firm is None:
            return 0.0, 0.0
        cut = at - at % self.step
        propagated, related = self.snapshot(cut)
        if firm < len(propagated):
            return float(propagated[firm]), float(related[firm])
        # a node added after the snapshot has no edge valid by its cut: only its own known status counts
        row = self.status.index.get(self.graph.token[firm], -1)
        bad = row >= 0 and min(int(self.status.since[s][row]) for s in _BAD) <= cut
        return (1.0 - ALPHA) * float(bad), 0.0

    def snapshot(self, cut: int) -> tuple[np.ndarray, np.ndarray]:
        """Propagated and related-party risk of every node as of ``cut``, computed once per cut."""
        if self._snapshot is None or self._snapshot[0] != cut:
            self._snapshot = (
                cut,
                propagated_risk(self.graph, self.status, cut),
                related_scores(self.graph, self.status, cut),
            )
        return self._snapshot[1], self._snapshot[2]

    def prepare(self, at: int) -> None:
        """Compute the risk snapshot of ``at``'s period now, so no check pays for it."""
        self.snapshot(at - at % self.step)

    def record(self, application_id: str, credit_code: str, at: int, uses: Sequence[tuple[str, int]]) -> None:
        """Add an application (not in the batch, not recorded before) so later arrivals count it."""
        self.index.add(application_id, credit_code, at, uses)
        for key in {key for _, key in uses}:
            insort(self._recorded.setdefault(key, []), at)
        if self._snapshot is not None and at <= self._snapshot[0]:
            self._snapshot = (
                None  # a late arrival (another worker's, read after the period began): edges valid by the cut
            )
