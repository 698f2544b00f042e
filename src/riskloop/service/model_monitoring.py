"""Model monitoring as of a day: drift, decay on matured vintages, decision mix, and alerts on crossed thresholds.

As of ``D`` (decisions decided before ``D + 1``, outcomes read as they stood on ``D``):

1. **Stability**: PSI of the PD of the active model's champion decisions of the last ``window_days`` against its
   training sample, on the bins fixed at training (``monitoring_reference.json``), and of every model input;
   characteristic analysis: each input's mean per score band now against training.
2. **Performance** on vintages as they mature: loans drawn on the model's decisions whose ``horizon`` months on
   book have passed by ``D``, by disbursal month: AUC, KS, predicted (mean PD) and observed bad rate; over the
   latest ``recent_vintages`` matured months: AUC and KS against the training baseline, calibration by score band.
3. **Decision mix**: approval rate, straight-through rate (no human in the decision) and bad rate, by tier and
   by strategy version, over the window's champion decisions (bad rates over every matured loan).
4. **Thresholds**: the active version of the ``model-monitoring`` policy (JDM, four eyes) grades each metric;
   what crosses a row is raised through the alert desk, once per model, metric and month (a higher level upgrades
   it), in the same store and lifecycle as post-loan alerts. A figure on too few rows is reported, not graded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskloop.domain.alert import MODEL, MODEL_SUBJECT, Evidence, RaisedAlert, SignalValue
from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import DecisionRequest, GraphSignals
from riskloop.domain.monitored import MonitoredDecision
from riskloop.domain.outcome import DecisionOutcome, horizon_view
from riskloop.errors import ConfigError, NotFoundError, ValidationError
from riskloop.features.online import PublishedFeatures
from riskloop.monitoring import model_figures as fig
from riskloop.monitoring.model_policy import MODEL_POLICY, Crossed, read_crossed
from riskloop.privacy.fields import REQUEST_FIELDS
from riskloop.rules.engine import RuleEngine
from riskloop.service.alerts import AlertDesk
from riskloop.service.decide import model_inputs
from riskloop.service.model_monitoring_ports import ModelReferences, MonitoredDecisions, OutcomeRecords
from riskloop.service.strategy_ports import ActiveVersions

ACTOR = "model-monitor"  # who raises model alerts in the audit trail
MIN_ROWS = 100  # fewer rows: the figure is reported but not graded against the thresholds
MIN_BADS = 5
TOP_INPUTS = 10


@dataclass(frozen=True)
class Options:
    """What a run looks at: the window of recent decisions, the bad horizon, the matured vintages compared."""

    window_days: int = 30
    horizon: int = 6
    recent_vintages: int = 3
    raise_alerts: bool = True

    def check(self) -> Options:
        """``self`` when every field is in range; else a ValidationError naming it."""
        if not 1 <= self.window_days <= 366:
            raise ValidationError("window_days", "from 1 to 366 days")
        if self.horizon not in {3, 6, 12}:
            raise ValidationError("horizon", "3, 6 or 12 months on book")
        if not 1 <= self.recent_vintages <= 24:
            raise ValidationError("recent_vintages", "from 1 to 24 months")
        return self


class ModelMonitor:
    """Monitors the active application model (see the module)."""

    def __init__(  # noqa: PLR0917 - the ports of the use case
        self,
        decisions: MonitoredDecisions,
        references: ModelReferences,
        outcomes: OutcomeRecords,
        policies: ActiveVersions,
        rules: RuleEngine,
        alerts: AlertDesk,
    ) -> None:
        self.decisions, self.references, self.outcomes = decisions, references, outcomes
        self.policies, self.rules, self.alerts = policies, rules, alerts

    def active_policy(self) -> str:
        """``name@version`` of the active threshold policy; NotFoundError naming how to activate one."""
        active = self.policies.active(MODEL_POLICY)
        if active is None:
            raise NotFoundError(
                f"model-monitoring policy {MODEL_POLICY}: no active version; author one with the content of "
                f"riskloop/rules/strategies/{MODEL_POLICY}-v1.json (riskloop demo releases it), submit and approve "
                "it, then activate it with another approver"
            )
        return active.key

    def run(self, as_of: dt.date, options: Options = Options()) -> dict[str, Any]:
        """The monitoring report as of ``as_of`` (JSON-ready); alerts raised unless ``options.raise_alerts``."""
        options.check()
        key = self.active_policy()
        model = self.references.active()
        ref = model.reference
        end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        start = end - dt.timedelta(days=options.window_days)
        window = self.decisions.between(start, end, inputs=True)
        scored = [d for d in window if d.model == model.model_id and d.pd is not None]
        records = [r for r in self.outcomes.all() if r.outcome.disbursed_date <= as_of]
        pds = self._pds(records, as_of)
        report: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "model": model.model_id,
            "policy": key,
            "window": {"from": start.date().isoformat(), "to": as_of.isoformat(), "days": options.window_days},
            "horizon_months": options.horizon,
            "stability": stability(ref, scored),
            "performance": performance(ref, matured(records, pds, model.model_id, as_of, options.horizon), options),
            "decision_mix": decision_mix(window, records, as_of, options.horizon),
        }
        report["metrics"] = metrics(report)
        report["alerts"] = self._grade(report, key, as_of, options.raise_alerts)
        finite: dict[str, Any] = _finite(report)
        return finite

    def drift(self, until: dt.date, points: int = 6, step_days: int = 30) -> dict[str, Any]:
        """Score and input PSI of the active model over ``points`` windows of ``step_days`` ending on ``until``.

        For charts of drift over time: each point is the stability of the window's champion decisions against
        the training reference (as ``run`` computes it for one window), oldest first; nothing is graded or raised.
        """
        if not 1 <= points <= 24:
            raise ValidationError("points", "from 1 to 24 windows")
        if not 1 <= step_days <= 366:
            raise ValidationError("step_days", "from 1 to 366 days")
        model = self.references.active()
        out = []
        for k in reversed(range(points)):
            as_of = until - dt.timedelta(days=k * step_days)
            end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            window = self.decisions.between(end - dt.timedelta(days=step_days), end, inputs=True)
            found = stability(model.reference, [d for d in window if d.model == model.model_id and d.pd is not None])
            score = found.get("score")
            out.append({"as_of": as_of.isoformat(), "decisions": found["decisions"],
                        "score_psi": None if score is None else score["psi"], "inputs": found["inputs"]})  # fmt: skip
        drifted: dict[str, Any] = _finite({"model": model.model_id, "step_days": step_days, "points": out})
        return drifted

    def _pds(self, records: Sequence[DecisionOutcome], as_of: dt.date) -> dict[str, float]:
        """The PD of each outcome's decision (read back from the decisions of the outcomes' decision days)."""
        days = [r.decision.decided_at for r in records if r.decision is not None]
        if not days:
            return {}
        first = min(days)
        last = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        found = self.decisions.between(first, max(last, max(days) + dt.timedelta(seconds=1)), inputs=False)
        return {d.decision_id: d.pd for d in found if d.pd is not None}

    def _grade(self, report: Mapping[str, Any], key: str, as_of: dt.date, raise_alerts: bool) -> dict[str, Any]:
        crossed: list[tuple[str, float, Crossed]] = []
        for metric, value in report["metrics"].items():
            if value is None:
                continue
            outcome = self.rules.evaluate(key, {"metric": metric, "value": value})
            if outcome.error is not None:
                raise ConfigError(f"model-monitoring policy {key} failed for {metric}: {outcome.error.message}")
            hit = read_crossed(key, metric, outcome.result)
            if hit is not None:
                crossed.append((metric, value, hit))
        raised = [model_alert(report, key, as_of, metric, value, hit) for metric, value, hit in crossed]
        out: dict[str, Any] = {
            "crossed": [{"metric": m, "value": v, "rule": h.rule, "level": h.level, "threshold": h.threshold}
                        for m, v, h in crossed],
        }  # fmt: skip
        if raise_alerts and raised:
            out |= self.alerts.raise_many(raised, actor=ACTOR).to_dict()
        elif raise_alerts:
            out |= {"raised": 0, "upgraded": 0, "unchanged": 0, "alert_ids": []}
        return out


def stability(ref: Mapping[str, Any], scored: Sequence[MonitoredDecision]) -> dict[str, Any]:
    """Score and input PSI of ``scored`` against the reference bins, and the characteristic analysis."""
    score_bins = fig.Bins.from_dict(ref["score"])
    pds = np.asarray([d.pd for d in scored], dtype=np.float64)
    out: dict[str, Any] = {"decisions": len(scored), "reference_rows": ref.get("rows")}
    if not scored:
        return out | {"score": None, "inputs": {}, "characteristic": {}}
    out["score"] = {"edges": list(score_bins.edges), **fig.psi_against(score_bins, pds)}
    inputs, character = {}, {}
    rows = [model_values(d.inputs) for d in scored]
    for name, bins in ref["inputs"].items():
        values = fig.floats([row.get(name) for row in rows])
        inputs[name] = fig.psi_against(fig.Bins.from_dict(bins), values)["psi"]
        means = ref.get("band_means", {}).get(name)
        if means is not None:
            character[name] = fig.characteristic(values, pds, score_bins.edges, means)
    out["inputs"] = dict(sorted(inputs.items(), key=lambda kv: (-kv[1], kv[0])))
    top = list(out["inputs"])[:TOP_INPUTS]
    out["characteristic"] = {n: character[n] for n in top if n in character}
    return out


def model_values(stored: Mapping[str, Any]) -> dict[str, float | None]:
    """The model's input row of a stored decision (as the decision path built it; identifiers are not read)."""
    if not stored:
        return {}
    request = {k: v for k, v in stored["request"].items() if k not in REQUEST_FIELDS}
    f, g = stored.get("features"), stored.get("graph")
    features = None if f is None else PublishedFeatures(f["credit_code"], f["feature_set"],
        dt.date.fromisoformat(f["as_of"]), dt.datetime.fromisoformat(f["published_at"]), f["values"])  # fmt: skip
    return model_inputs(DecisionRequest(**request), features, None if g is None else GraphSignals.from_dict(g))


@dataclass(frozen=True)
class Matured:
    """One matured loan of the model: its vintage, the PD of its decision and whether it went bad."""

    vintage: str
    pd: float
    bad: int


def matured(
    records: Iterable[DecisionOutcome], pds: Mapping[str, float], model_id: str, as_of: dt.date, horizon: int
) -> list[Matured]:
    """Loans drawn on ``model_id``'s decisions whose ``horizon`` has passed by ``as_of``, with bad read as of then."""
    out = []
    for r in records:
        d, o = r.decision, r.outcome
        if d is None or _model_id(d.model) != model_id or d.decision_id not in pds:
            continue
        first_bad = o.first_bad_day if o.first_bad_day is not None and o.first_bad_day <= as_of else None
        [h] = horizon_view(o.disbursed_date, first_bad, as_of, (horizon,))
        if h.matured:
            out.append(Matured(o.vintage, pds[d.decision_id], int(bool(h.bad))))
    return out


def performance(ref: Mapping[str, Any], loans: Sequence[Matured], options: Options) -> dict[str, Any]:
    """Discrimination and calibration by vintage, and over the latest matured vintages against the baseline."""
    by_vintage: dict[str, list[Matured]] = defaultdict(list)
    for loan in loans:
        by_vintage[loan.vintage].append(loan)
    vintages = [{"vintage": v, **_figures(by_vintage[v])} for v in sorted(by_vintage)]
    recent_months = sorted(by_vintage)[-options.recent_vintages :]
    recent = [loan for v in recent_months for loan in by_vintage[v]]
    baseline = dict(ref.get("baseline", {}))
    out: dict[str, Any] = {"baseline": baseline, "vintages": vintages, "recent_vintages": recent_months}
    out["recent"] = _figures(recent)
    if recent:
        edges = fig.Bins.from_dict(ref["score"]).edges
        y, pd_ = [x.bad for x in recent], [x.pd for x in recent]
        out["calibration"] = fig.calibration_by_band(y, pd_, edges)
    return out


def decision_mix(
    window: Sequence[MonitoredDecision], records: Sequence[DecisionOutcome], as_of: dt.date, horizon: int
) -> dict[str, Any]:
    """Approval, straight-through and bad rate by tier and by strategy version."""
    bads: dict[str, dict[str, list[int]]] = {"tier": defaultdict(list), "strategy": defaultdict(list)}
    for r in records:
        if r.decision is None:
            continue
        o = r.outcome
        first_bad = o.first_bad_day if o.first_bad_day is not None and o.first_bad_day <= as_of else None
        [h] = horizon_view(o.disbursed_date, first_bad, as_of, (horizon,))
        if h.matured:
            bads["tier"][r.decision.tier].append(int(bool(h.bad)))
            bads["strategy"][r.decision.strategy].append(int(bool(h.bad)))
    keys: dict[str, Callable[[MonitoredDecision], str]] = {"tier": lambda d: d.tier, "strategy": lambda d: d.strategy}
    out: dict[str, Any] = {
        "decisions": len(window),
        "overall": _mix(window, [b for v in bads["tier"].values() for b in v]),
    }
    for name, key in keys.items():
        groups: dict[str, list[MonitoredDecision]] = defaultdict(list)
        for d in window:
            groups[key(d)].append(d)
        names = sorted(set(groups) | set(bads[name]))
        out[f"by_{name}"] = {g: _mix(groups.get(g, []), bads[name].get(g, [])) for g in names}
    return out


def metrics(report: Mapping[str, Any]) -> dict[str, float | None]:
    """The graded figures (``None``: not enough rows to grade)."""
    stab, perf = report["stability"], report["performance"]
    enough = stab["decisions"] >= MIN_ROWS
    score_psi = stab["score"]["psi"] if enough and stab["score"] else None
    input_psi = max(stab["inputs"].values(), default=None) if enough else None
    recent, base = perf["recent"], perf["baseline"]
    graded = recent["rows"] >= MIN_ROWS and MIN_BADS <= recent["bads"] <= recent["rows"] - MIN_BADS
    out: dict[str, float | None] = {"score_psi": score_psi, "input_psi": input_psi}
    out["auc_drop"] = _drop(base.get("auc"), recent["auc"]) if graded else None
    out["ks_drop"] = _drop(base.get("ks"), recent["ks"]) if graded else None
    ratio = recent["observed"] / recent["predicted"] if graded and recent["predicted"] else None
    out["calibration_ratio"] = ratio
    return out


def model_alert(  # noqa: PLR0917 - what one alert says
    report: Mapping[str, Any], key: str, as_of: dt.date, metric: str, value: float, hit: Crossed
) -> RaisedAlert:
    """The alert of ``metric`` crossing ``hit``: one per model, metric and month."""
    name, version = key.split("@")
    signals = [SignalValue(metric, round(value, 6), hit.threshold)]
    if metric == "input_psi":  # name the shifted inputs
        shifted = [(n, v) for n, v in report["stability"]["inputs"].items() if v >= hit.threshold][:TOP_INPUTS]
        signals += [SignalValue(f"input_psi.{n.lower()}", round(v, 6)) for n, v in shifted if _signal_ok(n)]
    model_id = str(report["model"]).lower()
    return RaisedAlert(
        credit_code=MODEL_SUBJECT,
        level=hit.level,
        signal=f"model.{metric}:{model_id}"[:80],
        period=as_of.strftime("%Y-%m"),
        origin=MODEL,
        evidence=Evidence(tuple(signals), name, int(version)),
    )


def _figures(loans: Sequence[Matured]) -> dict[str, Any]:
    y = [x.bad for x in loans]
    pd_ = [x.pd for x in loans]
    bads = int(sum(y))
    return {
        "rows": len(loans),
        "bads": bads,
        "auc": fig.auc(y, pd_) if loans else None,
        "ks": fig.ks(y, pd_) if loans else None,
        "predicted": float(np.mean(pd_)) if loans else None,
        "observed": bads / len(loans) if loans else None,
    }


def _mix(decisions: Sequence[MonitoredDecision], bad: Sequence[int]) -> dict[str, Any]:
    n = len(decisions)
    approved = sum(d.final_outcome == "approved" for d in decisions)
    straight = sum(not Tier(d.tier).needs_human for d in decisions)
    return {
        "decisions": n,
        "approved": approved,
        "approval_rate": approved / n if n else None,
        "straight_through_rate": straight / n if n else None,
        "matured_loans": len(bad),
        "bad_rate": sum(bad) / len(bad) if bad else None,
    }


def _drop(baseline: Any, now: Any) -> float | None:
    if not isinstance(baseline, int | float) or now is None or not math.isfinite(now):
        return None
    return float(baseline) - float(now)


def _model_id(version: str) -> str:
    """The model id of a decision's model version (``<folder>:<manifest digest>``)."""
    return version.split(":", 1)[0]


def _signal_ok(name: str) -> bool:
    return name.lower().replace("_", "a").isalnum() and name[:1].isalpha() and len(name) <= 70


def _finite(value: Any) -> Any:
    """NaN and infinities as None, so the report is standard JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
