"""The closed loop's unattended part as of a day: outcomes, monitoring, collection policy, retraining, proposal.

It stops at the approval: the proposed challenger is a candidate that an approver other than the loop's author
approves and activates (``riskloop models approve|activate``). Every step's result is recorded
(``LoopSteps``), so the loop is idempotent (a re-run as of the same day returns the recorded results and does
nothing again) and resumable (a failed or interrupted run starts again at its first step not done). One runner
at a time holds a day's loop: a second gets a ConflictError until the first ends or its lease expires.

The collection step trains a candidate collection policy on the logged rounds (the bank's and those recorded on
riskloop's plans) once enough new rounds have been logged since the latest policy's, estimated off-policy and
registered for the same four-eyes release; never while a candidate it trained earlier awaits approval.

Retraining is triggered by the model-monitoring policy (an alert of level ``warning`` or ``attention`` crossed
as of the day), by a champion whose training outcomes are older than ``max_age_days``, or by ``force``; not while
a challenger the loop proposed earlier still awaits its approval (a daily run would otherwise propose daily).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.loop_run import CLAIM, DONE, FAILED, LoopStep
from riskloop.errors import ConflictError, NotFoundError, ValidationError
from riskloop.scoring.registry import RegisteredModel
from riskloop.service.ports import Progress, no_progress

OUTCOMES, MONITOR, RETRAIN, BACKTEST, PROPOSE = "outcomes", "monitor", "retrain", "backtest", "propose"
COLLECTION = "collection"
STEPS = (OUTCOMES, MONITOR, COLLECTION, RETRAIN, BACKTEST, PROPOSE)
LOOP_AUTHOR = "riskloop-loop"  # the principal the loop trains as: it can never approve what it proposes
TRIGGER_LEVELS = frozenset({"warning", "attention"})
MAX_AGE_DAYS = 365
LEASE = dt.timedelta(hours=6)


class LoopSteps(Protocol):
    """Where the loop records its claim and each step (``storage.loop_steps``; a fake in ``testing``)."""

    def steps(self, as_of: dt.date) -> dict[str, LoopStep]:
        """Every record of the loop as of ``as_of`` by step."""
        ...

    def claim(self, as_of: dt.date, owner: str, at: dt.datetime, lease: dt.timedelta) -> None:
        """Take the day's loop for ``owner``; ConflictError while another runner's lease holds."""
        ...

    def release(self, as_of: dt.date, owner: str, at: dt.datetime) -> None:
        """End ``owner``'s claim."""
        ...

    def put(self, step: LoopStep, entry: AuditEntry | None = None) -> None:
        """Store ``step`` and ``entry`` (an audit row) together."""
        ...


class LoopActions(Protocol):
    """The use cases the loop runs (wired by the workspace)."""

    def update_outcomes(self, as_of: dt.date) -> dict[str, Any]:
        """Mark the book's outcomes as of ``as_of``; the run's counts."""
        ...

    def monitor_model(self, as_of: dt.date) -> dict[str, Any]:
        """Model monitoring as of ``as_of`` with alerts raised; the report."""
        ...

    def champion(self) -> RegisteredModel:
        """The active application model; NotFoundError when there is none."""
        ...

    def collection_policy(self, as_of: dt.date, author: str) -> dict[str, Any]:
        """Train a candidate collection policy on the rounds logged by ``as_of`` when due; what was done."""
        ...

    def retrain(
        self, champion: RegisteredModel, as_of: dt.date, author: str, label_months: int | None
    ) -> dict[str, Any]:
        """Train (or find) the challenger of ``champion`` on outcomes observed ``as_of`` (``label_months``: matured)."""
        ...

    def backtest(self, champion: str, challenger: str, since: dt.date, until: dt.date) -> dict[str, Any]:
        """The model backtest of the applications of ``[since, until)`` (no writes)."""
        ...

    def pending(self, champion: RegisteredModel, author: str) -> list[str]:
        """Candidates ``author`` trained after ``champion`` that nobody has approved or retired yet."""
        ...


@dataclass(frozen=True)
class LoopOptions:
    """The day, who the loop acts as, when retraining is due."""

    as_of: dt.date
    author: str = LOOP_AUTHOR
    force: bool = False
    max_age_days: int = MAX_AGE_DAYS
    label_months: int | None = None  # the challenger's label: bad by this many months on book (else the champion's)

    def check(self) -> LoopOptions:
        """``self`` when every field makes sense; else a ValidationError naming it."""
        if not self.author.strip():
            raise ValidationError("author", "name who the loop acts as")
        if self.max_age_days < 1:
            raise ValidationError("max_age_days", f"at least 1 day, got {self.max_age_days}")
        if self.label_months is not None and not 1 <= self.label_months <= 36:
            raise ValidationError("label_months", f"from 1 to 36 months, got {self.label_months}")
        return self


class ClosedLoop:
    """Runs the loop's steps in order, each once per day (see the module)."""

    def __init__(
        self, records: LoopSteps, actions: LoopActions, clock: Clock, owner: str, lease: dt.timedelta = LEASE
    ) -> None:
        self.records, self.actions, self.clock, self.owner, self.lease = records, actions, clock, owner, lease

    def status(self, as_of: dt.date) -> dict[str, Any]:
        """What the loop as of ``as_of`` has done so far (nothing run)."""
        found = self.records.steps(as_of)
        return _report(as_of, found, ran=[])

    def run(self, options: LoopOptions, progress: Progress = no_progress) -> dict[str, Any]:
        """Run the day's steps not done yet; the report of every step (recorded or run now) and where it stopped."""
        options.check()
        as_of = options.as_of
        self.records.claim(as_of, self.owner, self.clock.now(), self.lease)
        ran: list[str] = []
        try:
            done = {k: v for k, v in self.records.steps(as_of).items() if k != CLAIM and v.status == DONE}
            if options.force and _stopped(done):  # forcing overrides the day's recorded "not needed"
                del done[RETRAIN]
            for i, step in enumerate(STEPS):
                progress(step, i, len(STEPS))
                if step in done:
                    continue
                if _stopped(done):
                    break
                done[step] = self._run_step(step, options, done)
                ran.append(step)
            progress("done", len(STEPS), len(STEPS))
        finally:
            self.records.release(as_of, self.owner, self.clock.now())
        return _report(as_of, self.records.steps(as_of), ran)

    def _run_step(self, step: str, options: LoopOptions, done: Mapping[str, LoopStep]) -> LoopStep:
        started = self.clock.now()
        earlier = self.records.steps(options.as_of).get(step)  # a failed attempt
        record = LoopStep(options.as_of, step, DONE, started, attempts=1 if earlier is None else earlier.attempts + 1)
        try:
            result, entry = self._act(step, options, done)
        except Exception as exc:  # recorded, then raised: the next run retries this step
            failed = dataclasses.replace(record, status=FAILED, finished_at=self.clock.now(), error=_error(exc))
            self.records.put(failed)
            raise
        finished = dataclasses.replace(record, finished_at=self.clock.now(), result=result)
        self.records.put(finished, entry)
        return finished

    def _act(
        self, step: str, options: LoopOptions, done: Mapping[str, LoopStep]
    ) -> tuple[dict[str, Any], AuditEntry | None]:
        as_of = options.as_of
        first = {
            OUTCOMES: lambda: self.actions.update_outcomes(as_of),
            MONITOR: lambda: monitor_result(self.actions.monitor_model(as_of)),
            COLLECTION: lambda: self.actions.collection_policy(as_of, options.author),
        }
        if step in first:  # the steps that need no champion
            return first[step](), None
        champion = self.actions.champion()
        if step == RETRAIN:
            due = retrain_due(done[MONITOR].result, champion, as_of, options)
            waiting = self.actions.pending(champion, options.author)
            if due["retrain"] and waiting and not options.force:  # one proposal at a time: a daily run adds none
                due = {**due, "retrain": False, "awaiting_approval": waiting}
            if not due["retrain"]:
                return {"trigger": due, "retrained": False}, None
            trained = self.actions.retrain(champion, as_of, options.author, options.label_months)
            return {"trigger": due, "retrained": True, **_trained(trained)}, None
        retrained = done[RETRAIN].result
        if retrained.get("champion") != champion.model_id:  # activated meanwhile: the backtest would mix champions
            raise ConflictError(
                "champion",
                f"{champion.model_id} is active now, {retrained.get('champion')} was when the "
                "challenger was trained; run the loop as of a later day",
            )
        challenger = str(retrained["model_id"])
        if step == BACKTEST:
            since, until = backtest_period(champion, retrained, as_of)
            return self.actions.backtest(champion.model_id, challenger, since, until), None
        report = done[BACKTEST].result
        proposal = propose(champion.model_id, challenger, report, options.author)
        entry = AuditEntry(self.clock.now(), options.author, "model.proposed", "model", challenger, proposal)
        return proposal, entry


def monitor_result(report: Mapping[str, Any]) -> dict[str, Any]:
    """What the loop keeps of a monitoring report: the model, the metrics and the thresholds crossed."""
    alerts = report.get("alerts", {})
    return {
        "model": report.get("model"),
        "policy": report.get("policy"),
        "metrics": report.get("metrics", {}),
        "crossed": alerts.get("crossed", []),
        "raised": alerts.get("raised", 0),
    }


def retrain_due(
    monitored: Mapping[str, Any], champion: RegisteredModel, as_of: dt.date, options: LoopOptions
) -> dict[str, Any]:
    """Whether to retrain and why: thresholds crossed at a triggering level, a stale champion, or ``force``."""
    reasons = [
        f"{c['metric']} {c['level']} ({c['rule']})"
        for c in monitored.get("crossed", [])
        if c["level"] in TRIGGER_LEVELS
    ]
    observed = champion.training_window.get("observed_on")
    age = None if observed is None else (as_of - dt.date.fromisoformat(str(observed))).days
    if age is not None and age > options.max_age_days:
        reasons.append(f"champion trained on outcomes {age} days old (more than {options.max_age_days})")
    if options.force:
        reasons.append("forced")
    return {"retrain": bool(reasons), "reasons": reasons, "champion": champion.model_id, "champion_age_days": age}


def backtest_period(champion: RegisteredModel, retrained: Mapping[str, Any], as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The period of applications neither model was fitted on, up to ``as_of`` included.

    Each model was fitted on its applications before its out-of-time start (later ones only evaluated it): the
    period starts at the later of the two starts. A champion without a recorded start counts from the day after
    its outcomes were observed.
    """
    window = champion.training_window
    if window.get("oot_from") is not None:
        champion_start = _day(window["oot_from"])
    else:
        champion_start = _day(window.get("observed_on", "0001-01-01")) + dt.timedelta(days=1)
    since, until = max(_day(retrained["oot_from"]), champion_start), as_of + dt.timedelta(days=1)
    if since >= until:
        raise NotFoundError(f"no out-of-time applications between {since} and {as_of} to backtest on")
    return since, until


def _day(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def propose(champion: str, challenger: str, report: Mapping[str, Any], author: str) -> dict[str, Any]:
    """The proposal an approver reads: the backtest's headline and a verdict on the challenger's AUC gain."""
    ranking = report.get("discrimination", {})
    gain = ranking.get("gain")
    if gain is None:
        verdict = "no known outcomes to compare"
    elif gain["low"] > 0:
        verdict = "challenger better"
    elif gain["high"] < 0:
        verdict = "challenger worse"
    else:
        verdict = "no significant difference"
    return {
        "champion": champion,
        "challenger": challenger,
        "verdict": verdict,
        "auc": {"champion": ranking.get("champion_auc"), "challenger": ranking.get("candidate_auc"), "gain": gain},
        "changes": report.get("changes", {}),
        "next": f"an approver other than {author} runs: riskloop models approve {challenger}; "
        f"riskloop models activate {challenger}",
    }


def _trained(result: Mapping[str, Any]) -> dict[str, Any]:
    meta = result.get("meta", {})
    keep = {k: result.get(k) for k in ("model_id", "reused", "champion", "recipe", "summary", "truth", "report_html")}
    return {**keep, "oot_from": meta.get("oot_from", result.get("oot_from"))}


def _stopped(done: Mapping[str, LoopStep]) -> bool:
    """True when a done step ends the loop early (no retraining needed)."""
    retrained = done.get(RETRAIN)
    return retrained is not None and not retrained.result.get("retrained", False)


def _report(as_of: dt.date, found: Mapping[str, LoopStep], ran: list[str]) -> dict[str, Any]:
    steps = {s: found[s].to_dict() for s in STEPS if s in found}
    proposal = found.get(PROPOSE)
    if proposal is not None and proposal.status == DONE:
        state = "awaiting approval"
    elif _stopped({k: v for k, v in found.items() if v.status == DONE}):
        state = "no retraining needed"
    elif any(s.status == FAILED for s in found.values()):
        state = "failed"
    else:
        state = "not finished" if found else "not run"
    return {"as_of": as_of.isoformat(), "state": state, "ran": ran, "steps": steps}


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
