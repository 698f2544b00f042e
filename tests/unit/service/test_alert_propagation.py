"""Propagated alerts over a hand-made graph whose relations are known: who is reached, at which level, by which path."""

from __future__ import annotations

import datetime as dt

from riskloop.domain.alert import ATTENTION, DIRECT, NOTICE, PROPAGATED, WARNING, Evidence, RaisedAlert, SignalValue
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.warning_spread import SpreadRules
from riskloop.service.alert_propagation import SIGNAL, FirmFacts, decayed, facts_from, propagated_alerts
from riskloop.testing.graph_fixtures import tiny_graph
from riskloop.testing.tables import credit_code, resident_id

NAMES = ("A", "B", "C", "D", "E", "F", "H", "I", "J", "K", "L1", "L2", "L3")
CODE = {name: credit_code(i + 1) for i, name in enumerate(NAMES)}
LATER = int(dt.datetime(2025, 7, 15, tzinfo=dt.UTC).timestamp())
PERIOD = "2025-06-30"
RULES = SpreadRules(max_steps=2, max_fanout=20, max_person_firms=3, main_counterparty_share=0.6)


def _graph() -> EnterpriseGraph:
    nodes = [("enterprise", CODE[n]) for n in NAMES] + [("person", resident_id(1)), ("person", resident_id(2))]
    at = {n: i for i, n in enumerate(NAMES)}
    p, q = len(NAMES), len(NAMES) + 1
    edges = [
        (at["C"], at["A"], "guarantee"),  # C guarantees A's loan
        (at["A"], at["D"], "shareholding"),  # A holds D, D holds E: E is two steps away
        (at["D"], at["E"], "shareholding"),
        (p, at["A"], "legal_rep"),  # A and B share a legal representative
        (p, at["B"], "legal_rep"),
        (at["A"], at["F"], "invoice_trade"),  # F sells only to A: a main counterparty
        (at["A"], at["H"], "invoice_trade"),  # H sells to A, I and J: A is not its main buyer, nor H A's seller
        (at["H"], at["I"], "invoice_trade"),
        (at["H"], at["J"], "invoice_trade"),
        (at["K"], at["A"], "guarantee", LATER, None),  # a guarantee signed after the as-of day
        *[(q, at[n], "legal_rep") for n in ("A", "L1", "L2", "L3")],  # a nominee for four firms: no relation
    ]
    return EnterpriseGraph(tiny_graph(nodes, edges))


def _alert(name: str, level: str, period: str = PERIOD) -> RaisedAlert:
    evidence = Evidence((SignalValue("inflow_drop", 0.7, 0.5),), "warning-reference", 3)
    return RaisedAlert(CODE[name], level, "inflow_drop", period, DIRECT, evidence, loan_id=f"L-{name}")


def _by_name(alerts: list[RaisedAlert]) -> dict[str, RaisedAlert]:
    names = {code: name for name, code in CODE.items()}
    return {names[a.credit_code]: a for a in alerts}


def test_a_warning_reaches_each_relation_one_level_lower_a_step_with_its_path() -> None:
    graph = _graph()
    facts = facts_from({CODE["C"]: FirmFacts("C", "company", "L-C")})
    got = _by_name(propagated_alerts([_alert("A", WARNING)], graph, facts, RULES))

    assert {n: a.level for n, a in got.items()} == {
        "B": ATTENTION, "C": ATTENTION, "D": ATTENTION, "F": ATTENTION, "E": NOTICE,
    }  # fmt: skip
    assert all(a.origin == PROPAGATED and a.signal == SIGNAL and a.period == PERIOD for a in got.values())
    assert all(a.source == _alert("A", WARNING).key for a in got.values())
    assert [(h.src, h.dst, h.edge_kind) for h in got["E"].evidence.path] == [
        (CODE["A"], CODE["D"], "shareholding"),
        (CODE["D"], CODE["E"], "shareholding"),
    ]
    person = graph.token[len(NAMES)]
    assert [(h.src, h.dst, h.edge_kind) for h in got["B"].evidence.path] == [
        (CODE["A"], person, "legal_rep"),
        (person, CODE["B"], "legal_rep"),
    ]
    assert len(person) == 24  # a keyed token: no resident ID in the evidence
    assert resident_id(1) not in str(got["B"].evidence.to_dict())
    assert (got["C"].loan_id, got["C"].industry_section, got["C"].enterprise_kind) == ("L-C", "C", "company")
    assert got["C"].evidence.policy_version == 3


def test_time_caps_and_direct_alerts_limit_the_spread() -> None:
    graph = _graph()
    facts = facts_from({})
    later = _by_name(propagated_alerts([_alert("A", WARNING, "2025-07-31")], graph, facts, RULES))
    assert later["K"].level == ATTENTION  # the guarantee is in force by then
    one_step = _by_name(propagated_alerts([_alert("A", WARNING)], graph, facts, SpreadRules(max_steps=1)))
    assert "E" not in one_step
    assert set(one_step) >= {"B", "C", "D", "L1", "L2", "L3"}  # four firms are under the default nominee cap of 20
    both = _by_name(propagated_alerts([_alert("A", WARNING), _alert("C", ATTENTION)], graph, facts, RULES))
    assert "C" not in both  # already warned directly at the level it would get
    assert propagated_alerts([_alert("A", NOTICE)], graph, facts, RULES) == []  # a notice does not spread
    fanout = propagated_alerts([_alert("A", WARNING)], graph, facts, SpreadRules(max_fanout=2, max_person_firms=3))
    assert len({a.credit_code for a in fanout if len(a.evidence.path) == 1}) <= 2


def test_levels_decay_one_per_step() -> None:
    assert [decayed(WARNING, s) for s in range(4)] == [WARNING, ATTENTION, NOTICE, None]
    assert decayed(ATTENTION, 2) is None
