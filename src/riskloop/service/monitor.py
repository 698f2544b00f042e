"""The monitoring use case: signals of every loan on the book as of a day, the warning policy, direct alerts.

A run as of ``D``: (1) fold what arrived since the last fold into the daily aggregates (``monitoring.arrivals``:
the new part files' rows dated on or before ``D``, late ones into their own day, and rows of known files coming
due; nothing when nothing arrived and ``D`` is not past the last fold: a backfill reads what is there); (2)
compute the signals of the loans on the book from the aggregates and write them (kept: a resumed run reuses them
while nothing was folded since); (2b) when a behaviour model is active, score every loan (signal
``behaviour_pd`` and its top reasons); (3) run the active version of the warning policy on each loan (a loan
whose input is that of the latest judged day keeps its verdict, each distinct other input is evaluated once:
``monitoring.judging``); (4) raise one direct alert per enterprise, signal and month at the highest level it
fired, through the alert desk (idempotent: a re-run changes nothing; only new and higher alerts are written);
(5) mark the run done.
Every step is idempotent, so an interrupted run resumes by running again.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from riskloop.domain.alert import DIRECT, Evidence, RaisedAlert, SignalValue
from riskloop.domain.clock import Clock
from riskloop.domain.monitor_run import DONE, RUNNING, MonitorRun
from riskloop.errors import ConfigError, NotFoundError, ValidationError
from riskloop.graph.spread_policy import PROPAGATION_POLICY, SOURCE_LEVELS, read_spread_rules
from riskloop.graph.warning_spread import SpreadRules
from riskloop.monitoring.arrivals import FoldOutcome, fold_arrivals
from riskloop.monitoring.behaviour import REASONS, SCORE, with_history
from riskloop.monitoring.engine import SqlRunner, compute_signals
from riskloop.monitoring.firms import FIRM_TABLES, firm_facts_sql
from riskloop.monitoring.judging import judge
from riskloop.monitoring.policy import NONE, POLICY_NAME, RANKS, Verdict, read_verdict
from riskloop.monitoring.store import DailyStore, SignalStore
from riskloop.rules.engine import RuleEngine, RuleOutcome
from riskloop.scoring.behaviour import BehaviourModel
from riskloop.service.alert_propagation import FirmFacts, Propagator, facts_from
from riskloop.service.alerts import AlertDesk
from riskloop.service.monitor_ports import MonitorRuns
from riskloop.service.strategy_ports import ActiveVersions

ACTOR = "monitor"  # who raises the direct alerts in the audit trail
Progress = Callable[[str, int, int], None]
BehaviourSource = Callable[[], BehaviourModel | None]  # the active behaviour model, None when there is none
NO_BEHAVIOUR = "no active behaviour model (riskloop behaviour train, then approve and activate by another person)"


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class MonitorResult:
    """What one run as of ``as_of`` did; ``direct_alerts`` are for the propagation step to take."""

    as_of: dt.date
    policy: str
    loans: int
    levels: dict[str, int]
    raised: int
    upgraded: int
    unchanged: int
    folded: tuple[dt.date, dt.date] | None
    resumed: bool
    signals_path: Path
    direct_alerts: list[RaisedAlert] = field(default_factory=list)
    propagated_alerts: list[RaisedAlert] = field(default_factory=list)
    propagation: str = "not run"
    behaviour: str = NO_BEHAVIOUR
    fold: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (the alerts as a count)."""
        return {
            "as_of": self.as_of.isoformat(),
            "policy": self.policy,
            "loans": self.loans,
            "levels": dict(self.levels),
            "alerts": {"raised": self.raised, "upgraded": self.upgraded, "unchanged": self.unchanged},
            "direct_alerts": len(self.direct_alerts),
            "propagated_alerts": len(self.propagated_alerts),
            "propagation": self.propagation,
            "behaviour": self.behaviour,
            "folded": None if self.folded is None else [d.isoformat() for d in self.folded],
            "fold": dict(self.fold),
            "resumed": self.resumed,
            "signals": str(self.signals_path),
        }


class Monitor:
    """Runs monitoring as of a day, or over a range of days (backfill)."""

    def __init__(  # noqa: PLR0917 - the ports the use case is built from
        self,
        runner: SqlRunner,
        warehouse: Path,
        runs: MonitorRuns,
        policies: ActiveVersions,
        rules: RuleEngine,
        alerts: AlertDesk,
        clock: Clock,
        policy: str = POLICY_NAME,
        propagator: Propagator | None = None,
        behaviour: BehaviourSource | None = None,
    ) -> None:
        self.runner, self.runs, self.policies, self.rules, self.alerts = runner, runs, policies, rules, alerts
        self.daily, self.signals = DailyStore(warehouse), SignalStore(warehouse)
        self.clock, self.policy, self.propagator = clock, policy, propagator
        self.behaviour = behaviour

    def active_policy(self) -> str:
        """``name@version`` of the active warning policy; NotFoundError naming how to activate one."""
        active = self.policies.active(self.policy)
        if active is None:
            raise NotFoundError(
                f"warning policy {self.policy}: no active version; author one (POST /v1/strategies/{self.policy}"
                f"/versions with the content of riskloop/rules/strategies/warning-reference-v1.json), submit and "
                f"approve it, then activate it (POST /v1/strategies/{self.policy}/activations, approved by another "
                "approver)"
            )
        return active.key

    def run(self, as_of: dt.date, progress: Progress = _quiet) -> MonitorResult:
        """Monitor the book as of ``as_of`` (see the module); re-running a day gives the same result."""
        with collector_paused():
            return self._run(as_of, progress)

    def _run(self, as_of: dt.date, progress: Progress) -> MonitorResult:
        key = self.active_policy()
        earlier = self.runs.get(as_of)
        resumed = earlier is not None and earlier.status == RUNNING
        attempts = 1 if earlier is None else earlier.attempts + 1
        started = MonitorRun(as_of, RUNNING, key, self.clock.now(), attempts=attempts)
        self.runs.put(started)
        progress("aggregates", 0, 4)
        fold = fold_arrivals(self.runner, self.daily, as_of)
        seq = self.daily.ledger()[0]
        progress("signals", 1, 4)
        table = self.signals.read(as_of, seq) if resumed or earlier is not None else None
        if table is None:
            table = compute_signals(self.runner, self.daily.files(as_of), as_of)
            self.signals.write(as_of, table, seq)
        rows, behaviour = self._score(table, as_of)
        verdicts = self._judge(key, rows, as_of, progress)
        progress("alerts", 3, 4)
        raised = direct_alerts(verdicts, rows, key, as_of)
        spread, propagation = self._spread(raised, as_of)
        outcome = self.alerts.raise_counted([*raised, *spread], actor=ACTOR)
        levels = dict(Counter(v.level for v in verdicts))
        done = replace(
            started,
            status=DONE,
            finished_at=self.clock.now(),
            loans=len(rows),
            levels=levels,
            raised=outcome.raised,
            upgraded=outcome.upgraded,
            unchanged=outcome.unchanged,
        )
        self.runs.put(done)
        progress("done", 4, 4)
        return MonitorResult(
            as_of,
            key,
            len(rows),
            levels,
            outcome.raised,
            outcome.upgraded,
            outcome.unchanged,
            None if fold is None else fold.window,
            resumed,
            self.signals.path(as_of),
            raised,
            spread,
            propagation,
            behaviour,
            _fold_counts(fold),
        )

    def _score(self, table: Any, as_of: dt.date) -> tuple[list[dict[str, Any]], str]:
        """The signal rows, with ``behaviour_pd`` and its reasons when a behaviour model is active (else empty)."""
        model = None if self.behaviour is None else self.behaviour()
        if model is None or table.num_rows == 0:
            return table.to_pylist(), NO_BEHAVIOUR if model is None else f"{model.version}: no loan on the book"
        scores = model.score(with_history(self.runner, table, as_of))
        rows = table.to_pylist()
        for row, pd_, reasons in zip(rows, scores.pd, scores.reasons, strict=True):
            row[SCORE], row[REASONS] = round(float(pd_), 6), reasons
        return rows, f"{model.version}: {len(rows):,} loans scored"

    def _spread(self, raised: list[RaisedAlert], as_of: dt.date) -> tuple[list[RaisedAlert], str]:
        """The propagated alerts of ``raised`` over the graph, and how propagation went (said in the result)."""
        if self.propagator is None:
            return [], "no graph built (run: riskloop graph build): alerts not propagated"
        active = self.policies.active(PROPAGATION_POLICY)
        if active is None:
            return [], (
                f"propagation policy {PROPAGATION_POLICY}: no active version (author one with the content of "
                f"riskloop/rules/strategies/{PROPAGATION_POLICY}-v1.json, approve and activate it with four eyes): "
                "alerts not propagated"
            )
        if not raised:
            return [], "nothing to propagate"
        caps = self._spread_caps(active.key)
        rows = self.runner.run(firm_facts_sql(as_of), FIRM_TABLES, {}).to_pylist()
        table = {r["credit_code"]: FirmFacts(r["industry_section"], r["enterprise_kind"], r["loan_id"]) for r in rows}
        spread = self.propagator(raised, facts_from(table), as_of, caps, active.key)
        return spread, f"{len(spread)} propagated from {len(raised)} direct ({active.key})"

    def _spread_caps(self, key: str) -> dict[str, SpreadRules]:
        """How far a warning of each level spreads, by the propagation policy ``key``."""
        caps = {}
        for level in SOURCE_LEVELS:
            outcome = self.rules.evaluate(key, {"source_level": level})
            if outcome.error is not None:
                raise ConfigError(f"propagation policy {key} failed for {level}: {outcome.error.message}")
            caps[level] = read_spread_rules(key, level, outcome.result)
        return caps

    def backfill(
        self, start: dt.date, end: dt.date, every: str = "day", progress: Progress = _quiet
    ) -> list[MonitorResult]:
        """Run every day (or every month end) from ``start`` to ``end``, oldest first."""
        days = list(run_days(start, end, every))
        out = []
        for i, day in enumerate(days):
            progress(f"as of {day}", i, len(days))
            out.append(self.run(day))
        progress("done", len(days), len(days))
        return out

    def _judge(self, key: str, rows: list[dict[str, Any]], as_of: dt.date, progress: Progress) -> list[Verdict]:
        """The policy's verdict on each row: inputs unchanged since the latest judged day keep their result."""
        progress("policy", 0, len(rows))
        judgement = judge(rows, key, partial(self._evaluate, key, progress), self.signals.latest_judged(as_of))
        verdicts = []
        for row, outcome in zip(rows, judgement.outcomes, strict=True):
            if outcome.error is not None:
                raise ConfigError(f"warning policy {key} failed on loan {row['loan_id']}: {outcome.error.message}")
            verdicts.append(read_verdict(row, outcome.result))
        if judgement.judged is not None:
            self.signals.write_judged(as_of, judgement.judged)
        return verdicts

    def _evaluate(self, key: str, progress: Progress, contexts: Sequence[Mapping[str, Any]]) -> list[RuleOutcome]:
        out: list[RuleOutcome] = []
        for start in range(0, len(contexts), 5000):
            progress("policy", start, len(contexts))
            out += self.rules.evaluate_many(key, contexts[start : start + 5000])
        return out


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold CPython's automatic cyclic garbage collection off while a batch runs, then restore it.

    A run builds a few small objects per loan and per alert (rows, verdicts, alerts: millions at a 1M-enterprise
    universe) that live until it ends; every full collection rescans all of them, for nothing (they hold no cycles:
    reference counting frees them). At 1M enterprises, 13 full collections took 8 s of a 31 s daily run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fold_counts(fold: FoldOutcome | None) -> dict[str, int]:
    return {} if fold is None else fold.to_dict()


def run_days(start: dt.date, end: dt.date, every: str) -> Iterable[dt.date]:
    """Every day, or every month's last day, from ``start`` to ``end`` (both included when they fall on one)."""
    if end < start:
        raise ValidationError("--to", f"{end} is before --from {start}")
    if every not in ("day", "month"):
        raise ValidationError("--every", f"day or month (got {every!r})")
    day = start
    while day <= end:
        nxt = day + dt.timedelta(days=1)
        if every == "day" or nxt.month != day.month:
            yield day
        day = nxt


def direct_alerts(verdicts: list[Verdict], rows: list[dict[str, Any]], key: str, as_of: dt.date) -> list[RaisedAlert]:
    """One alert per enterprise and signal for the month of ``as_of``, at the highest level the signal fired.

    Its evidence lists that signal first, then every other rule that fired on the loan, with the policy.
    """
    name, _, version = key.rpartition("@")
    period = as_of.strftime("%Y-%m")
    row_of = {r["loan_id"]: r for r in rows}
    best: dict[tuple[str, str], RaisedAlert] = {}
    for verdict in verdicts:
        if verdict.level == NONE:
            continue
        row = row_of[verdict.loan_id]
        values = [SignalValue(f.signal, _plain(f.value), f.threshold, f.coefficient) for f in verdict.fired]
        reasons: tuple[SignalValue, ...] | None = None
        for j, fired in enumerate(verdict.fired):
            own = (verdict.credit_code, fired.signal)
            if own in best and RANKS[best[own].level] >= RANKS[fired.level]:
                continue
            reasons = reason_signals(verdict, row) if reasons is None else reasons
            signals = (values[j], *values[:j], *values[j + 1 :], *reasons)  # its own signal first, then the others
            best[own] = RaisedAlert(
                credit_code=verdict.credit_code,
                level=fired.level,
                signal=fired.signal,
                period=period,
                origin=DIRECT,
                evidence=Evidence(signals, name, int(version)),
                loan_id=verdict.loan_id,
                industry_section=row.get("industry_section"),
                enterprise_kind=row.get("enterprise_kind"),
            )
    return [best[k] for k in sorted(best)]


def reason_signals(verdict: Verdict, row: dict[str, Any]) -> tuple[SignalValue, ...]:
    """The behaviour score's top reasons as evidence signals (``behaviour_reason.<input>``) when a rule on it fired."""
    if not any(f.signal == SCORE for f in verdict.fired):
        return ()
    return tuple(SignalValue(f"{REASONS}.{r.feature}", _plain(r.value)) for r in row.get(REASONS) or ())


def _plain(value: Any) -> float | int | None:
    if isinstance(value, float):
        return round(value, 6)
    return value if isinstance(value, int) else None
