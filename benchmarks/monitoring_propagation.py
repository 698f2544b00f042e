"""The propagation part of the monitoring benchmark: what spreading warnings over the graph adds, month by month.

For each month end, every enterprise the policy warned directly (a loan ranked attention or warning) spreads its
level over the enterprise graph built from the universe's tables, with the caps of the shipped propagation policy
(``warning-propagation``, evaluated by zen-engine) and one level of decay a step, as a monitoring run does
(``service.alert_propagation``). A loan's rank with propagation is the higher of its own and the propagated rank
of its enterprise that month. Truth is not read here: ``bench_monitoring`` scores both ranks against it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.domain.alert import LEVEL_RANK
from riskloop.graph.build import build_graph
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.spread_policy import PROPAGATION_POLICY, PROPAGATION_VERSION, SOURCE_LEVELS, read_spread_rules
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.warning_spread import enterprise_nodes, invoice_volumes, spread
from riskloop.io.warehouse import Warehouse
from riskloop.monitoring.policy import LEVEL_OF_RANK
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.alert_propagation import decayed

BENCH_KEY = b"monitoring-benchmark-graph-key-32"  # any fixed key: the universe's tables hold raw identifiers


def propagated_ranks(tables: Path, rows: list[dict[str, Any]], column: str) -> dict[tuple[str, dt.date], int]:
    """Per (loan, month end): the rank propagated to the loan's enterprise from the direct ranks in ``column``."""
    con = Warehouse(tables).connect()
    try:
        graph = EnterpriseGraph(build_graph(con, Tokenizer(BENCH_KEY)))
    finally:
        con.close()
    key = f"{PROPAGATION_POLICY}@{PROPAGATION_VERSION}"
    zen = ZenRuleEngine(PackageStrategyLoader())
    caps = {lvl: read_spread_rules(key, lvl, zen.evaluate(key, {"source_level": lvl}).result) for lvl in SOURCE_LEVELS}
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[row["day"]].append(row)
    out: dict[tuple[str, dt.date], int] = {}
    for day, day_rows in sorted(by_day.items()):
        warned: dict[str, int] = {}
        for r in day_rows:
            if r.get(column, 0) >= 2:  # notices do not spread
                warned[r["credit_code"]] = max(warned.get(r["credit_code"], 0), r[column])
        when = int(dt.datetime.combine(day, dt.time(23, 59, 59), dt.UTC).timestamp())
        volumes, memos = invoice_volumes(graph, when), {}
        reached_rank: dict[str, int] = {}
        for code, node in sorted(enterprise_nodes(graph, sorted(warned)).items()):
            level = LEVEL_OF_RANK[warned[code]]
            rules = caps[level]
            memo = memos.setdefault(rules, {})
            for reached in spread(graph, node, when, rules, volumes=volumes, memo=memo):
                lowered = decayed(level, reached.steps)
                if lowered is not None:
                    target = graph.token[reached.node]
                    reached_rank[target] = max(reached_rank.get(target, 0), LEVEL_RANK[lowered])
        for r in day_rows:
            got = reached_rank.get(r["credit_code"], 0)
            if got:
                out[(r["loan_id"], day)] = got
    return out


def summary(ranks: dict[tuple[str, dt.date], int]) -> dict[str, Any]:
    """How many loan-months received a propagated rank, by level."""
    values = np.array(list(ranks.values()), dtype=np.int64)
    return {LEVEL_OF_RANK[k]: int((values == k).sum()) for k in (3, 2, 1)} | {"loan_months": int(values.size)}
