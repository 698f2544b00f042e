"""Propagated alerts: a direct warning raises a derived, decayed alert on each related enterprise (issue 13).

For each direct alert of a run, the enterprises it spreads to (``graph.warning_spread.spread``, as of the
alert's date) get an alert one level lower per step (预警 warning → 关注 attention → 提示 notice → none), with
the path that explains it and the source alert it derives from. A related enterprise keeps one propagated
alert per period: the highest level, then the fewest steps, then the lowest source key (deterministic). An
enterprise already warned directly at that level or higher in the same run gets none. Path nodes are credit
codes for enterprises and keyed tokens for persons, never a raw identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskloop.domain.alert import (
    ATTENTION,
    LEVEL_RANK,
    NOTICE,
    PROPAGATED,
    WARNING,
    Evidence,
    Hop,
    RaisedAlert,
    SignalValue,
)
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.warning_spread import Reached, SpreadRules, enterprise_nodes, invoice_volumes, spread

SIGNAL = "graph_propagation"
DECAY: dict[str, str | None] = {WARNING: ATTENTION, ATTENTION: NOTICE, NOTICE: None}


@dataclass(frozen=True)
class FirmFacts:
    """What an alert on an enterprise carries besides its level: industry, kind and the loan on the book."""

    industry_section: str | None = None
    enterprise_kind: str | None = None
    loan_id: str | None = None


def decayed(level: str, steps: int) -> str | None:
    """``level`` lowered one level per step; None once below notice."""
    out: str | None = level
    for _ in range(steps):
        out = DECAY[out] if out is not None else None
    return out


def propagated_alerts(
    direct: Sequence[RaisedAlert],
    graph: EnterpriseGraph,
    facts: Callable[[str], FirmFacts],
    rules: SpreadRules | Mapping[str, SpreadRules] | None = None,
    as_of: dt.date | None = None,
    *,
    policy: str | None = None,
) -> list[RaisedAlert]:
    """The propagated alerts of ``direct`` alerts over ``graph``, as of ``as_of`` (default: each period's day).

    Parameters
    ----------
    direct:
        The direct alerts of a monitoring run (their ``period`` is an as-of day ``YYYY-MM-DD`` or a month).
    graph:
        The enterprise graph (nodes by credit code or keyed token).
    facts:
        Industry, kind and loan of an enterprise by credit code (for the derived alerts' filters).
    rules:
        Steps, fan-out and relation caps (``SpreadRules``): one for every level, or one per source level (a level
        missing from the mapping does not spread).
    as_of:
        The day whose valid edges are followed (default: each alert's period; a month's first day).
    policy:
        ``name@version`` of the propagation policy that gave ``rules``, carried in each alert's evidence.

    """
    nodes = enterprise_nodes(graph, sorted({a.credit_code for a in direct}))
    volumes: dict[int, np.ndarray] = {}  # invoiced volume of every node, per day followed
    memos: dict[tuple[int, SpreadRules], dict[int, Any]] = {}  # the ties of each node expanded, per day and caps
    own = {(a.credit_code, a.period): LEVEL_RANK[a.level] for a in direct}
    best: dict[tuple[str, str], tuple[tuple[int, int, str], RaisedAlert]] = {}
    for alert in sorted(direct, key=lambda a: (a.credit_code, a.signal, a.period)):
        node, caps = nodes.get(alert.credit_code), _caps(rules, alert.level)
        if node is None or decayed(alert.level, 1) is None or caps.max_steps == 0:
            continue
        when = _epoch(alert.period) if as_of is None else _end_of(as_of)
        if when not in volumes:
            volumes[when] = invoice_volumes(graph, when)
        memo = memos.setdefault((when, caps), {})
        for reached in spread(graph, node, when, caps, volumes=volumes[when], memo=memo):
            level = decayed(alert.level, reached.steps)
            code = graph.token[reached.node]
            if level is None or own.get((code, alert.period), 0) >= LEVEL_RANK[level]:
                continue
            derived = _derived(alert, level, code, reached, graph, facts(code), policy)
            rank = (-LEVEL_RANK[level], reached.steps, f"{alert.credit_code}/{alert.signal}")
            key = (code, alert.period)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, derived)
    return [best[k][1] for k in sorted(best)]


def _caps(rules: SpreadRules | Mapping[str, SpreadRules] | None, level: str) -> SpreadRules:
    if rules is None:
        return SpreadRules()
    if isinstance(rules, SpreadRules):
        return rules
    return rules.get(level, SpreadRules(max_steps=0))


def _derived(  # noqa: PLR0917
    source: RaisedAlert,
    level: str,
    code: str,
    reached: Reached,
    graph: EnterpriseGraph,
    facts: FirmFacts,
    policy: str | None,
) -> RaisedAlert:
    hops = tuple(Hop(graph.token[a], graph.token[b], kind) for a, b, kind in reached.path)
    signals = (
        SignalValue("source_level", source.level),
        SignalValue("source_signal", source.signal),
        SignalValue("steps", reached.steps),
        *([SignalValue("propagation_policy", policy)] if policy else []),
    )
    evidence = Evidence(signals, source.evidence.policy, source.evidence.policy_version, path=hops)
    return RaisedAlert(
        credit_code=code,
        level=level,
        signal=SIGNAL,
        period=source.period,
        origin=PROPAGATED,
        evidence=evidence,
        loan_id=facts.loan_id,
        industry_section=facts.industry_section,
        enterprise_kind=facts.enterprise_kind,
        source=source.key,
    )


def _epoch(period: str) -> int:
    """End of the period's day (a month: its first day) as epoch seconds: the edges valid then."""
    return _end_of(dt.date.fromisoformat(period if len(period) == 10 else f"{period}-01"))


def _end_of(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(23, 59, 59), dt.UTC).timestamp())


class Propagator:
    """Propagation over one graph for the monitoring runs of a process.

    ``graph`` may be a loader, called once when a run first has direct alerts to spread.
    """

    def __init__(
        self, graph: EnterpriseGraph | Callable[[], EnterpriseGraph], rules: SpreadRules | None = None
    ) -> None:
        self._graph, self.rules = graph, rules

    @property
    def graph(self) -> EnterpriseGraph:
        """The graph, loaded on first use."""
        if not isinstance(self._graph, EnterpriseGraph):
            self._graph = self._graph()
        return self._graph

    def __call__(
        self,
        direct: Sequence[RaisedAlert],
        facts: Callable[[str], FirmFacts],
        as_of: dt.date,
        rules: Mapping[str, SpreadRules] | None = None,
        policy: str | None = None,
    ) -> list[RaisedAlert]:
        """The propagated alerts of a run's ``direct`` alerts as of its day.

        ``rules``: the caps by source level of the propagation policy ``policy`` (``name@version``).
        """
        caps = self.rules if rules is None else rules
        return propagated_alerts(direct, self.graph, facts, caps, as_of, policy=policy)


def facts_from(table: Mapping[str, FirmFacts]) -> Callable[[str], FirmFacts]:
    """A ``facts`` lookup over a mapping (unknown enterprises: no facts)."""
    return lambda code: table.get(code, FirmFacts())
