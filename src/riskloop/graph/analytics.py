"""Everything the decision path and the CLI need, computed once from the persisted graph and the usage table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.graph.build import GraphTables
from riskloop.graph.checks import GraphChecks
from riskloop.graph.gang_index import GangIndex
from riskloop.graph.gangs import Gang, GangSettings
from riskloop.graph.live_features import LiveFeatures
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.propagation import propagated_risk
from riskloop.graph.related import related_scores
from riskloop.graph.status import EnterpriseStatus
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import Usage


@dataclass
class GraphAnalytics:
    """The in-memory graph, the gang index, batch gangs, risk arrays and the per-application checks."""

    graph: EnterpriseGraph
    usage: Usage
    status: EnterpriseStatus
    index: GangIndex
    gangs: list[Gang]
    propagated: np.ndarray
    related: np.ndarray
    checks: GraphChecks

    @classmethod
    def load(
        cls,
        tables: GraphTables,
        usage: Usage,
        status: EnterpriseStatus,
        tokenizer: Tokenizer,
        *,
        as_of: int,
        settings: GangSettings | None = None,
        since: int | None = None,
    ) -> GraphAnalytics:
        """Build the analytic structures as of ``as_of`` (epoch seconds); gangs over ``[since, as_of]``.

        The checks also give the model's graph features (``LiveFeatures`` over all of ``usage``, no window).
        """
        graph = EnterpriseGraph(tables)
        index = GangIndex(usage, settings, since=since)
        gangs = index.gangs(status)
        propagated = propagated_risk(graph, status, as_of)
        related = related_scores(graph, status, as_of)
        live = LiveFeatures(graph, usage, status)  # the features' own gang settings: those the model was trained on
        checks = GraphChecks(
            graph,
            tokenizer=tokenizer,
            gangs=index,
            batch_gangs=gangs,
            propagated=propagated,
            related=related,
            live=live,
        )
        return cls(graph, usage, status, index, gangs, propagated, related, checks)
