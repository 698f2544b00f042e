"""The closed loop's orchestration: idempotent, resumable, one runner at a time, retraining only when triggered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from riskloop.domain.clock import ReplayClock
from riskloop.errors import ConflictError, DataSourceError, NotFoundError, ValidationError
from riskloop.scoring.registry import RegisteredModel
from riskloop.service.loop import LOOP_AUTHOR, ClosedLoop, LoopOptions, backtest_period, propose, retrain_due
from riskloop.testing.memory_loop_steps import MemoryLoopSteps

DAY = dt.date(2026, 6, 30)
START = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)


def champion(observed_on: str = "2026-03-31", oot_from: str | None = "2026-01-01") -> RegisteredModel:
    window = {"observed_on": observed_on, **({"oot_from": oot_from} if oot_from else {})}
    return RegisteredModel(
        "sme-v1", "sme", 1, "fused-ensemble", START, "/models/sme-v1", "0" * 64, window, (), {}, status="active"
    )


@dataclass
class Actions:
    """The LoopActions port in memory: records calls; ``crossed`` is what monitoring finds; ``broken`` steps raise."""

    crossed: list[dict[str, Any]] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    gain: dict[str, float] | None = None
    waiting: list[str] = field(default_factory=list)  # candidates proposed earlier, awaiting approval

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.broken:
            raise DataSourceError(f"{name}: source unreadable")

    def update_outcomes(self, as_of: dt.date) -> dict[str, Any]:
        self._call("outcomes")
        return {"as_of": as_of.isoformat(), "changed": 12}

    def monitor_model(self, as_of: dt.date) -> dict[str, Any]:
        self._call("monitor")
        return {"model": "sme-v1", "metrics": {"score_psi": 0.31}, "alerts": {"crossed": self.crossed, "raised": 1}}

    def champion(self) -> RegisteredModel:
        return champion()

    def collection_policy(self, as_of: dt.date, author: str) -> dict[str, Any]:
        self._call("collection")
        return {"trained": False, "reason": "no collection history ingested"}

    def retrain(self, model: RegisteredModel, as_of: dt.date, author: str, label_months: int | None) -> dict[str, Any]:
        self._call("retrain")
        return {"model_id": "sme-v2", "reused": False, "champion": model.model_id, "meta": {"oot_from": "2026-04-15"}}

    def pending(self, model: RegisteredModel, author: str) -> list[str]:
        return list(self.waiting)

    def backtest(self, old: str, new: str, since: dt.date, until: dt.date) -> dict[str, Any]:
        self._call("backtest")
        gain = self.gain or {"gain": 0.02, "low": 0.005, "high": 0.04}
        return {"period": [since.isoformat(), until.isoformat()], "discrimination": {"gain": gain}, "changes": {}}


PSI_WARNING = {"metric": "score_psi", "level": "warning", "rule": "PSI_HIGH", "value": 0.31, "threshold": 0.25}


def loop(actions: Actions, steps: MemoryLoopSteps, owner: str = "runner-a") -> ClosedLoop:
    return ClosedLoop(steps, actions, ReplayClock(START), owner)


def test_a_drift_warning_retrains_backtests_and_proposes_then_a_rerun_does_nothing():
    actions, steps = Actions(crossed=[PSI_WARNING]), MemoryLoopSteps()
    first = loop(actions, steps).run(LoopOptions(DAY))
    assert first["state"] == "awaiting approval"
    assert first["ran"] == ["outcomes", "monitor", "collection", "retrain", "backtest", "propose"]
    assert actions.calls == ["outcomes", "monitor", "collection", "retrain", "backtest"]
    # the backtest covers what neither model was fitted on: from the challenger's out-of-time start to the day
    assert first["steps"]["backtest"]["result"]["period"] == ["2026-04-15", "2026-07-01"]
    proposal = first["steps"]["propose"]["result"]
    assert (proposal["challenger"], proposal["verdict"]) == ("sme-v2", "challenger better")
    assert [(e.actor, e.action, e.entity_id) for e in steps.audit] == [(LOOP_AUTHOR, "model.proposed", "sme-v2")]
    again = loop(actions, steps, "runner-b").run(LoopOptions(DAY))
    assert again["ran"] == []
    assert again["steps"] == first["steps"]
    assert actions.calls == ["outcomes", "monitor", "collection", "retrain", "backtest"]  # nothing done twice
    assert len(steps.audit) == 1


def test_a_failed_step_is_recorded_and_a_rerun_resumes_there():
    actions, steps = Actions(crossed=[PSI_WARNING], broken={"backtest"}), MemoryLoopSteps()
    with pytest.raises(DataSourceError):
        loop(actions, steps).run(LoopOptions(DAY))
    recorded = loop(actions, steps).status(DAY)
    assert recorded["state"] == "failed"
    assert recorded["steps"]["backtest"]["status"] == "failed"
    assert "source unreadable" in recorded["steps"]["backtest"]["error"]
    actions.broken.clear()
    resumed = loop(actions, steps, "runner-b").run(LoopOptions(DAY))  # the first runner released its claim
    assert resumed["ran"] == ["backtest", "propose"]
    assert resumed["steps"]["backtest"]["attempts"] == 2
    assert actions.calls == ["outcomes", "monitor", "collection", "retrain", "backtest", "backtest"]


def test_without_a_trigger_the_loop_stops_before_retraining_unless_forced():
    actions, steps = Actions(crossed=[{**PSI_WARNING, "level": "notice"}]), MemoryLoopSteps()
    quiet = loop(actions, steps).run(LoopOptions(DAY))
    assert quiet["state"] == "no retraining needed"
    assert quiet["steps"]["retrain"]["result"]["trigger"]["reasons"] == []
    assert actions.calls == ["outcomes", "monitor", "collection"]
    forced = loop(actions, steps).run(LoopOptions(DAY, force=True))
    assert forced["state"] == "awaiting approval"
    assert forced["ran"] == ["retrain", "backtest", "propose"]
    assert forced["steps"]["retrain"]["result"]["trigger"]["reasons"] == ["forced"]


def test_a_second_runner_is_refused_while_the_first_holds_the_day():
    steps = MemoryLoopSteps()
    steps.claim(DAY, "runner-a", START, dt.timedelta(hours=6))
    with pytest.raises(ConflictError, match="runner-a"):
        loop(Actions(), steps, "runner-b").run(LoopOptions(DAY))


@pytest.mark.parametrize(
    ("observed_on", "crossed", "expected"),
    [
        ("2026-03-31", [], []),
        ("2025-06-01", [], ["champion trained on outcomes 394 days old (more than 365)"]),
        ("2026-03-31", [PSI_WARNING], ["score_psi warning (PSI_HIGH)"]),
        ("2026-03-31", [{**PSI_WARNING, "level": "attention"}], ["score_psi attention (PSI_HIGH)"]),
    ],
)
def test_retraining_is_due_on_a_triggering_level_or_a_stale_champion(observed_on, crossed, expected):
    due = retrain_due({"crossed": crossed}, champion(observed_on), DAY, LoopOptions(DAY))
    assert due["reasons"] == expected
    assert due["retrain"] is bool(expected)


def test_the_backtest_period_starts_where_neither_model_was_fitted():
    assert backtest_period(champion(oot_from="2026-05-01"), {"oot_from": "2026-04-15"}, DAY) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 7, 1),
    )
    # a champion without an out-of-time start counts from the day after its outcomes were observed
    assert backtest_period(champion("2026-04-30", None), {"oot_from": "2026-04-15"}, DAY)[0] == dt.date(2026, 5, 1)
    with pytest.raises(NotFoundError, match="no out-of-time applications"):
        backtest_period(champion("2026-06-30", None), {"oot_from": "2026-04-15"}, DAY)


@pytest.mark.parametrize(
    ("gain", "verdict"),
    [
        ({"gain": 0.02, "low": 0.001, "high": 0.04}, "challenger better"),
        ({"gain": -0.02, "low": -0.04, "high": -0.001}, "challenger worse"),
        ({"gain": 0.01, "low": -0.01, "high": 0.03}, "no significant difference"),
        (None, "no known outcomes to compare"),
    ],
)
def test_the_proposal_reads_the_paired_interval(gain, verdict):
    report = {"discrimination": {"gain": gain, "champion_auc": 0.7, "candidate_auc": 0.72}}
    assert propose("sme-v1", "sme-v2", report, LOOP_AUTHOR)["verdict"] == verdict


def test_an_empty_author_is_refused():
    steps = MemoryLoopSteps()
    with pytest.raises(ValidationError, match="author"):
        loop(Actions(), steps).run(LoopOptions(DAY, author=" "))
    assert steps.records == {}  # refused before anything was claimed


def test_a_proposal_awaiting_approval_is_not_followed_by_another():
    actions, steps = Actions(crossed=[PSI_WARNING], waiting=["sme-v2"]), MemoryLoopSteps()
    quiet = loop(actions, steps).run(LoopOptions(DAY))
    assert quiet["state"] == "no retraining needed"
    assert quiet["steps"]["retrain"]["result"]["trigger"]["awaiting_approval"] == ["sme-v2"]
    assert "retrain" not in actions.calls
    forced = loop(actions, steps).run(LoopOptions(DAY, force=True))
    assert forced["state"] == "awaiting approval"
    assert actions.calls.count("retrain") == 1


def test_a_champion_activated_between_retraining_and_backtest_stops_the_loop():
    actions, steps = Actions(crossed=[PSI_WARNING], broken={"backtest"}), MemoryLoopSteps()
    with pytest.raises(DataSourceError):
        loop(actions, steps).run(LoopOptions(DAY))
    actions.broken.clear()
    actions.champion = lambda: RegisteredModel(  # type: ignore[method-assign]
        "sme-v9", "sme", 9, "fused-ensemble", START, "/models/sme-v9", "0" * 64, {}, (), {}, status="active"
    )
    with pytest.raises(ConflictError, match="sme-v9 is active now"):
        loop(actions, steps).run(LoopOptions(DAY))
    assert actions.calls.count("backtest") == 1  # never backtested against a champion it was not trained beside
