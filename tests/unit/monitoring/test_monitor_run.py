"""The monitoring use case on the in-memory fakes: the active policy only, four eyes, idempotent and resumable runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskloop.domain.access import ANALYST, APPROVER
from riskloop.domain.alert import LEVEL_RANK, RaisedAlert
from riskloop.domain.monitor_run import RUNNING, MonitorRun
from riskloop.errors import ForbiddenError, NotFoundError
from riskloop.graph.build import build_graph
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.spread_policy import PROPAGATION_POLICY, SpreadRow, build_propagation_policy
from riskloop.graph.tokens import Tokenizer
from riskloop.io.warehouse import Warehouse
from riskloop.monitoring.engine import DuckDBRunner
from riskloop.monitoring.policy import POLICY_NAME, build_policy
from riskloop.rules.loaders import ChainStrategyLoader, PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.alert_propagation import Propagator
from riskloop.service.alerts import AlertDesk
from riskloop.service.monitor import Monitor, run_days
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.graph_fixtures import TEST_KEY
from riskloop.testing.memory_alerts import MemoryAlerts
from riskloop.testing.memory_monitor_runs import MemoryMonitorRuns
from riskloop.testing.memory_strategies import MemoryStrategies
from riskloop.testing.principals import person

ANN, BOB = person("ann", ANALYST), person("bob", APPROVER)
ANN_BOTH = person("ann", ANALYST, APPROVER)
DAY = dt.date(2026, 3, 31)


class Setup:
    def __init__(self, universe: Path, home: Path) -> None:
        self.clock = SteppingClock(dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC))
        self.strategies = MemoryStrategies()
        self.lifecycle = StrategyLifecycle(self.strategies, self.clock)
        self.alerts = MemoryAlerts()
        self.runs = MemoryMonitorRuns()
        self.universe, self.home = universe, home

    def monitor(self, propagator: Propagator | None = None) -> Monitor:
        rules = ZenRuleEngine(ChainStrategyLoader(_StoreLoader(self.strategies), PackageStrategyLoader()))
        desk = AlertDesk(self.alerts, self.clock)
        runner = DuckDBRunner(self.universe, threads=1)
        return Monitor(runner, self.home, self.runs, self.strategies, rules, desk, self.clock, propagator=propagator)

    def activate(self, name: str = POLICY_NAME, content: str | None = None) -> None:
        v = self.lifecycle.create(ANN, name, build_policy() if content is None else content)
        self.lifecycle.submit(ANN, name, v.version)
        self.lifecycle.approve(BOB, name, v.version)
        self.lifecycle.approve_activation(BOB, self.lifecycle.request_activation(ANN, name, v.version))


class _StoreLoader:
    def __init__(self, store: MemoryStrategies) -> None:
        self.store = store

    def load(self, key: str) -> object:
        from riskloop.rules.engine import Strategy, parse_key

        name, version = parse_key(key)
        content = self.store.content(name, version)
        if content is None:
            raise NotFoundError(key)
        return Strategy.of(name, version, content)


@pytest.fixture
def setup(monitor_universe: Path, tmp_path: Path) -> Setup:
    return Setup(monitor_universe, tmp_path)


def test_no_active_policy_is_refused_naming_how_to_activate(setup: Setup) -> None:
    with pytest.raises(NotFoundError, match=r"warning-reference.*activations"):
        setup.monitor().run(DAY)
    assert setup.runs.runs == {}


def test_a_policy_change_by_its_author_alone_is_refused(setup: Setup) -> None:
    v = setup.lifecycle.create(ANN_BOTH, POLICY_NAME, build_policy())
    setup.lifecycle.submit(ANN_BOTH, POLICY_NAME, v.version)
    with pytest.raises(ForbiddenError):
        setup.lifecycle.approve(ANN_BOTH, POLICY_NAME, v.version)
    setup.lifecycle.approve(BOB, POLICY_NAME, v.version)
    change = setup.lifecycle.request_activation(ANN_BOTH, POLICY_NAME, v.version)
    with pytest.raises(ForbiddenError):
        setup.lifecycle.approve_activation(ANN_BOTH, change)
    with pytest.raises(NotFoundError):
        setup.monitor().run(DAY)  # still nothing active


def test_a_run_raises_direct_alerts_once_and_a_rerun_changes_nothing(setup: Setup) -> None:
    setup.activate()
    first = setup.monitor().run(DAY)
    assert first.policy == "warning-reference@1"
    assert first.loans > 10
    assert first.raised == len(first.direct_alerts) > 0
    assert sum(first.levels.values()) == first.loans
    alert = first.direct_alerts[0]
    assert alert.period == "2026-03"
    assert alert.origin == "direct"
    assert alert.loan_id
    assert alert.evidence.policy == POLICY_NAME
    assert alert.evidence.signals[0].name == alert.signal
    stored = len(setup.alerts.alerts)
    again = setup.monitor().run(DAY)
    assert (again.raised, again.upgraded, again.unchanged) == (0, 0, first.raised)
    assert len(setup.alerts.alerts) == stored
    assert again.levels == first.levels
    assert again.folded is None
    run = setup.runs.get(DAY)
    assert run is not None
    assert run.status == "done"
    assert run.attempts == 2


def test_an_interrupted_run_resumes_to_the_result_of_a_clean_one(setup: Setup, tmp_path: Path) -> None:
    setup.activate()
    clean = setup.monitor().run(DAY)
    other = Setup(setup.universe, tmp_path / "other")
    other.activate()
    # killed after writing its record, before the signals and alerts
    other.runs.put(MonitorRun(DAY, RUNNING, "warning-reference@1", other.clock.now()))
    resumed = other.monitor().run(DAY)
    assert resumed.resumed
    assert (resumed.loans, resumed.levels, resumed.raised) == (clean.loans, clean.levels, clean.raised)
    assert [a.key for a in resumed.direct_alerts] == [a.key for a in clean.direct_alerts]


def test_backfill_runs_month_ends_and_daily_runs_fold_only_new_days(setup: Setup) -> None:
    setup.activate()
    monitor = setup.monitor()
    runs = monitor.backfill(dt.date(2026, 1, 15), dt.date(2026, 3, 31), "month")
    assert [r.as_of for r in runs] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    assert runs[1].folded == (dt.date(2026, 1, 31), dt.date(2026, 2, 28))
    earlier = monitor.run(dt.date(2025, 12, 31))  # a past day: read from what is folded, nothing new
    assert earlier.folded is None
    assert earlier.loans > 0
    assert list(run_days(dt.date(2026, 1, 30), dt.date(2026, 2, 2), "day")) == [
        dt.date(2026, 1, 30),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 2),
    ]


def test_warnings_propagate_over_the_graph_one_level_lower_from_a_direct_warning(setup: Setup) -> None:
    setup.activate()
    con = Warehouse(setup.universe).connect()
    try:
        graph = EnterpriseGraph(build_graph(con, Tokenizer(TEST_KEY)))
    finally:
        con.close()
    without = setup.monitor().run(DAY)
    assert without.propagated_alerts == []
    assert "no graph" in without.propagation
    unapproved = setup.monitor(Propagator(graph)).run(DAY)
    assert unapproved.propagated_alerts == []
    assert "warning-propagation: no active version" in unapproved.propagation
    setup.activate(PROPAGATION_POLICY, build_propagation_policy())
    result = setup.monitor(Propagator(graph)).run(DAY)
    assert result.propagated_alerts, result.propagation
    assert "warning-propagation@1" in result.propagation
    direct = {a.key: a for a in result.direct_alerts}
    for alert in result.propagated_alerts:
        assert alert.source is not None
        source = direct[alert.source]
        assert LEVEL_RANK[alert.level] < LEVEL_RANK[source.level]  # one level lower a step
        ends = [alert.evidence.path[0].src, alert.evidence.path[0].dst]
        assert source.credit_code in ends or alert.evidence.path[0].src != alert.credit_code
        assert alert.credit_code in (alert.evidence.path[-1].src, alert.evidence.path[-1].dst)
    stored = {a.key: a for a in setup.alerts.alerts.values()}
    assert {a.key for a in result.propagated_alerts} <= set(stored)
    assert all(stored[a.key].evidence.source_alert_id for a in result.propagated_alerts)  # linked to the source


def test_the_active_propagation_policy_caps_the_spread_by_source_level(setup: Setup) -> None:
    setup.activate()
    con = Warehouse(setup.universe).connect()
    try:
        graph = EnterpriseGraph(build_graph(con, Tokenizer(TEST_KEY)))
    finally:
        con.close()
    setup.activate(PROPAGATION_POLICY, build_propagation_policy())
    reference = setup.monitor(Propagator(graph)).run(DAY).propagated_alerts
    assert {_steps(a) for a in reference} == {1, 2}  # the reference spreads warnings two steps
    narrow = (
        SpreadRow("P1", "warning", 1, 20, 20, 0.2, "one step"),
        SpreadRow("P2", "", 0, 0, 20, 0.2, "nothing else spreads"),
    )
    setup.activate(PROPAGATION_POLICY, build_propagation_policy(narrow))
    capped = setup.monitor(Propagator(graph)).run(DAY)
    assert "warning-propagation@2" in capped.propagation
    assert capped.propagated_alerts
    assert {_steps(a) for a in capped.propagated_alerts} == {1}
    assert {_source_level(a) for a in capped.propagated_alerts} == {"warning"}
    assert all(_value(a, "propagation_policy") == "warning-propagation@2" for a in capped.propagated_alerts)
    assert {a.credit_code for a in capped.propagated_alerts} < {a.credit_code for a in reference}


def _value(alert: RaisedAlert, name: str) -> object:
    return next(s.value for s in alert.evidence.signals if s.name == name)


def _steps(alert: RaisedAlert) -> object:
    return _value(alert, "steps")


def _source_level(alert: RaisedAlert) -> object:
    return _value(alert, "source_level")
