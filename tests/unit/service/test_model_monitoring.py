"""Model monitoring with in-memory ports: a shifted score population raises one alert per model, metric and month
through the alert desk; a stable one raises none; the threshold policy needs an active, four-eyes version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from riskloop.domain.access import ANALYST, APPROVER, POST_LOAN_OFFICER
from riskloop.domain.alert import MODEL, MODEL_SUBJECT, AlertFilter
from riskloop.domain.monitored import ModelReference, MonitoredDecision
from riskloop.domain.outcome import DecisionOutcome
from riskloop.errors import ForbiddenError, NotFoundError, ValidationError
from riskloop.monitoring.model_figures import build_reference
from riskloop.monitoring.model_policy import MODEL_POLICY, MODEL_POLICY_VERSION
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.alerts import AlertDesk
from riskloop.service.model_monitoring import ModelMonitor, Options
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.alerts import credit_code
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_alerts import MemoryAlerts
from riskloop.testing.memory_strategies import MemoryStrategies
from riskloop.testing.principals import person

AS_OF = dt.date(2026, 3, 31)
CODE = credit_code(1)
NOW = dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC)
ANALYST_P, APPROVER_P = person("ana", ANALYST), person("abe", APPROVER)
rng = np.random.default_rng(11)
TRAIN_PD = rng.beta(2, 30, size=3000)
TRAIN_X = rng.normal(100, 10, size=3000)


class Decisions:
    def __init__(self, rows: list[MonitoredDecision]) -> None:
        self.rows = rows

    def between(self, start: dt.datetime, end: dt.datetime, *, inputs: bool) -> list[MonitoredDecision]:
        return [d for d in self.rows if start <= d.decided_at < end]


class References:
    def active(self) -> ModelReference:
        return ModelReference("sme-v1", build_reference(TRAIN_PD, {"x": TRAIN_X}, {"auc": 0.8, "ks": 0.45}))


class Outcomes:
    def all(self) -> list[DecisionOutcome]:
        return []


def _stored(x: float) -> Mapping[str, Any]:
    request = {"application_id": "A1", "credit_code": CODE, "product_code": "HRT-TAX",
               "amount_cents": 5_000_000, "term_months": 12, "channel": "web", "bureau_score": 650}  # fmt: skip
    features = {"credit_code": CODE, "feature_set": "enterprise", "as_of": "2026-03-01",
                "published_at": "2026-03-01T00:00:00+00:00", "values": {"x": x}}  # fmt: skip
    return {"request": request, "features": features, "graph": None, "failures": []}


def _decisions(pds: np.ndarray, xs: np.ndarray) -> list[MonitoredDecision]:
    start = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    return [
        MonitoredDecision(f"d{i}", start + dt.timedelta(minutes=i), "auto_approve" if p < 0.05 else "manual_review",
                          "reference@1", "sme-v1", float(p), "approved" if p < 0.05 else None, _stored(float(x)))
        for i, (p, x) in enumerate(zip(pds, xs, strict=True))
    ]  # fmt: skip


def _monitor(rows: list[MonitoredDecision], *, release: bool = True) -> tuple[ModelMonitor, MemoryAlerts]:
    strategies, alerts = MemoryStrategies(), MemoryAlerts()
    clock = SteppingClock(NOW)
    if release:
        content = PackageStrategyLoader().load(f"{MODEL_POLICY}@{MODEL_POLICY_VERSION}").content
        life = StrategyLifecycle(strategies, clock)
        version = life.create(ANALYST_P, MODEL_POLICY, content, note="thresholds").version
        life.submit(ANALYST_P, MODEL_POLICY, version)
        life.approve(APPROVER_P, MODEL_POLICY, version)
        life.approve_activation(APPROVER_P, life.request_activation(ANALYST_P, MODEL_POLICY, version))
    engine = ZenRuleEngine(PackageStrategyLoader())
    desk = AlertDesk(alerts, clock)
    return ModelMonitor(Decisions(rows), References(), Outcomes(), strategies, engine, desk), alerts


def test_a_shifted_score_population_raises_one_model_alert_per_metric_and_month() -> None:
    shifted = rng.beta(2, 30, size=400) * 2.5  # PDs 2.5 times the training ones
    monitor, store = _monitor(_decisions(shifted, rng.normal(100, 10, size=400)))
    report = monitor.run(AS_OF)
    assert report["stability"]["decisions"] == 400
    assert report["metrics"]["score_psi"] > 0.25
    assert report["metrics"]["input_psi"] < 0.1  # the input did not move
    assert report["metrics"]["auc_drop"] is None  # nothing matured: reported, not graded
    assert [c["metric"] for c in report["alerts"]["crossed"]] == ["score_psi"]
    assert report["alerts"]["raised"] == 1
    officer = person("olga", POST_LOAN_OFFICER)
    [alert] = AlertDesk(store, SteppingClock(NOW)).list(officer, AlertFilter(origin=MODEL)).alerts
    assert (alert.credit_code, alert.signal, alert.period, alert.level) == (
        MODEL_SUBJECT, "model.score_psi:sme-v1", "2026-03", "warning")  # fmt: skip
    assert alert.evidence.policy == MODEL_POLICY
    again = monitor.run(AS_OF + dt.timedelta(days=1 - 1))
    assert again["alerts"]["unchanged"] == 1
    assert again["alerts"]["raised"] == 0


def test_a_stable_population_raises_no_score_alert_and_shifted_inputs_are_named() -> None:
    same = rng.choice(TRAIN_PD, size=600)
    monitor, _ = _monitor(_decisions(same, rng.normal(120, 10, size=600)))
    report = monitor.run(AS_OF)
    assert report["metrics"]["score_psi"] < 0.1
    assert [c["metric"] for c in report["alerts"]["crossed"]] == ["input_psi"]
    assert next(iter(report["stability"]["inputs"])) == "x"
    assert report["stability"]["characteristic"]["x"]["shift"] > 1
    mix = report["decision_mix"]
    assert mix["decisions"] == 600
    assert mix["by_strategy"]["reference@1"]["approval_rate"] == mix["overall"]["approval_rate"]
    assert mix["by_tier"]["auto_approve"]["straight_through_rate"] == 1.0
    assert mix["by_tier"]["manual_review"]["straight_through_rate"] == 0.0


def test_decisions_outside_the_window_and_too_few_rows_are_not_graded() -> None:
    monitor, _ = _monitor(_decisions(rng.beta(2, 30, size=50) * 3, rng.normal(100, 10, size=50)))
    report = monitor.run(AS_OF, Options(raise_alerts=False))
    assert report["metrics"]["score_psi"] is None
    assert report["stability"]["score"]["psi"] > 0.25  # reported all the same
    assert monitor.run(dt.date(2026, 2, 28))["stability"]["decisions"] == 0
    with pytest.raises(ValidationError, match="window_days"):
        monitor.run(AS_OF, Options(window_days=0))


def test_without_an_active_threshold_policy_nothing_runs_and_the_author_cannot_approve() -> None:
    monitor, _ = _monitor([], release=False)
    with pytest.raises(NotFoundError, match="model-monitoring"):
        monitor.run(AS_OF)
    strategies = MemoryStrategies()
    life = StrategyLifecycle(strategies, SteppingClock(NOW))
    content = PackageStrategyLoader().load(f"{MODEL_POLICY}@{MODEL_POLICY_VERSION}").content
    both = person("sam", ANALYST, APPROVER)
    version = life.create(both, MODEL_POLICY, content, note="alone").version
    life.submit(both, MODEL_POLICY, version)
    with pytest.raises(ForbiddenError):
        life.approve(both, MODEL_POLICY, version)
