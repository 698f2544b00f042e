"""Backtest: historical applications with known outcomes through a candidate and the active strategy.

Nothing is written anywhere: features are computed point-in-time (as of each application's date) from the
warehouse, profiles are read, and both strategies decide the same inputs in memory. The report gives, per
strategy, approval rate, bad rate of approvals, expected loss and straight-through rate, the same by tier,
and the swap sets (applications one strategy approves and the other does not) with their bad rates.

Outcomes are the ground truth of a synthetic universe (``truth``, known for every application) or, for a
bank's own data, the observed loan outcomes (funded applications only).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.clock import ReplayClock
from riskloop.domain.decision import TIER_ORDER, Decision, Tier
from riskloop.domain.outcome import LGD
from riskloop.errors import DataSourceError, NotFoundError, ValidationError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS
from riskloop.features.labels import observed_outcomes
from riskloop.features.online import PublishedFeatures, clean_value
from riskloop.features.publish import ENTERPRISE_FEATURE_SET, ENTERPRISE_GROUPS
from riskloop.features.spine import application_spine
from riskloop.rules.engine import KEY_SEPARATOR, Strategy, StrategyLoader, parse_key
from riskloop.rules.loaders import ChainStrategyLoader, MemoryStrategyLoader
from riskloop.service.applications import recorded_requests
from riskloop.service.decide import Decider, DecisionInputs
from riskloop.service.ports import GraphChecks, IdentityOpener, Progress, no_progress

PROGRESS_EVERY = 250
SAMPLE_SEED = 20_260_701  # a sample of the history is the same on every run
ENTERPRISE_COLUMNS = frozenset(
    [f for g in ENTERPRISE_GROUPS for f in g.feature_names] + [f"avail_{g.name}" for g in ENTERPRISE_GROUPS]
)


@dataclass(frozen=True)
class BacktestOptions:
    """What to backtest: candidate and champion strategy keys, the period, where outcomes come from."""

    candidate: str
    champion: str
    since: dt.date | None = None
    until: dt.date | None = None
    truth: Path | None = None  # a synthetic universe's truth/ directory
    observed_on: dt.date | None = None  # else: outcomes observed on this date (funded loans only)
    lgd: float = LGD


class StrategyVersions(Protocol):
    """What a backtest reads of stored strategies: the active version of a name, any version's content."""

    def active(self, name: str) -> Any:
        """The active version of ``name`` (with ``.key``), or ``None``."""
        ...

    def content(self, name: str, version: int) -> str | None:
        """JDM JSON of ``name@version``, or ``None``."""
        ...


def backtest_strategies(
    versions: StrategyVersions,
    loader: StrategyLoader,
    *,
    candidate: str | None,
    candidate_json: str | None,
    champion: str,
) -> tuple[StrategyLoader, str, str]:
    """The loader, candidate key and champion key of a backtest.

    The candidate is a key (a loadable strategy, or a stored draft not approved yet) or, with
    ``candidate_json``, a JDM document read from a file (key ``candidate@0``); a champion given by name is its
    active version.
    """
    if (candidate is None) == (candidate_json is None):
        raise ValidationError("candidate", "give exactly one of --candidate and --candidate-file")
    memory = MemoryStrategyLoader()
    chain = ChainStrategyLoader(loader, memory)
    if candidate_json is not None:
        memory.add(Strategy.of("candidate", 0, candidate_json))
        candidate = "candidate@0"
    assert candidate is not None
    try:
        chain.load(candidate)
    except NotFoundError:  # a stored draft can be backtested too
        name, version = parse_key(candidate)
        stored = versions.content(name, version)
        if stored is None:
            raise NotFoundError(f"strategy {candidate} does not exist") from None
        memory.add(Strategy.of(name, version, stored))
    if KEY_SEPARATOR not in champion:
        active = versions.active(champion)
        if active is None:
            raise NotFoundError(f"strategy {champion}: no active version")
        champion = str(active.key)
    return chain, candidate, champion


@dataclass(frozen=True)
class Case:
    """One historical application: outcome and both decisions."""

    application_id: str
    bad: bool | None
    champion: Decision
    candidate: Decision


class GraphTimeline:
    """Graph checks as of each replayed application: rebuilt from the tables every ``step_days`` days.

    ``build(day, clock)`` returns checks of the graph of the records dated before ``day`` whose clock is
    ``clock`` (``graph_checks_as_of`` on ``Warehouse.connect(before=day)``). The boundaries are fixed from
    ``since`` (``since``, ``since + step``, ...), so the graph an application is checked against depends only on
    the records dated before its own day: the build before its boundary, plus the applications the checks
    recorded since then, each at its own time. Between two builds other new records (a new shareholder) are
    not seen yet: the graph is at most ``step_days`` behind, never ahead.
    """

    def __init__(self, build: Callable[[dt.date, ReplayClock], GraphChecks], since: dt.date, step_days: int) -> None:
        if step_days < 1:
            raise ValidationError("graph_step_days", f"at least 1 day, got {step_days}")
        self.build, self.since, self.step = build, since, dt.timedelta(days=step_days)
        self.builds = 0
        self._until: dt.date | None = None
        self._checks: GraphChecks | None = None
        self._clock: ReplayClock | None = None

    def at(self, when: dt.datetime) -> GraphChecks:
        """The checks for an application made at ``when`` (applications come oldest first)."""
        day = when.date()
        if self._checks is None or self._until is None or day >= self._until:
            start = self.since + self.step * ((day - self.since) // self.step)
            self._clock = ReplayClock(dt.datetime.combine(start, dt.time(), dt.UTC))
            self._checks = self.build(start, self._clock)
            self._until = start + self.step
            self.builds += 1
        assert self._clock is not None
        self._clock.move_to(when)
        return self._checks


def historical_inputs(
    decider: Decider,
    tables: Path,
    since: dt.date | None,
    until: dt.date | None,
    *,
    opener: IdentityOpener,
    graph_clock: ReplayClock | None = None,
    timeline: GraphTimeline | None = None,
    progress: Progress = no_progress,
    sample: int | None = None,
) -> list[tuple[DecisionInputs, dt.datetime]]:
    """Inputs of every application in ``[since, until)`` as they were on its date (features point-in-time).

    Applications are gathered oldest first. ``graph_clock``: the clock of the decider's graph checks, moved to
    each application's time before its check (checks built on the graph as it stood at ``since`` then see and
    record every application when it was made, as the live checks do). ``timeline``: instead of the decider's
    graph checks, those of the graph as of each application's date (rebuilt as time passes).
    """
    spine = application_spine(tables, since=since, until=until)
    if spine.num_rows == 0:
        raise DataSourceError(f"{tables}: no applications in the period")
    frame = DuckDBFeatureEngine(tables).compute(spine, GROUPS).to_pylist()
    by_id = {row["application_id"]: row for row in frame}
    out = []
    for request, applied_at in recorded_requests(tables, opener):
        row = by_id.get(request.application_id)
        if row is None:
            continue
        if graph_clock is not None:
            graph_clock.move_to(applied_at)
        checks = decider.graph if timeline is None else timeline.at(applied_at)
        values = {k: clean_value(v) for k, v in row.items() if k in ENTERPRISE_COLUMNS}
        features = PublishedFeatures(request.credit_code, ENTERPRISE_FEATURE_SET, applied_at.date(), applied_at, values)
        profile = decider.profiles.profile(request.credit_code, applied_at.date())
        failures: list[tuple[str, str]] = []
        try:
            graph = checks.check(request)
        except Exception as exc:  # as in live decisions: a failed check is a missing source
            graph = None
            failures.append(("graph", f"{type(exc).__name__}: {exc}"))
        out.append((DecisionInputs(request, profile, features, graph, tuple(failures)), applied_at))
        if len(out) % PROGRESS_EVERY == 0:
            progress("gather", len(out), len(by_id))
    return out


def outcomes(tables: Path, options: BacktestOptions) -> dict[str, bool]:
    """Known outcome (True = bad) by application id."""
    if options.truth is not None:
        path = options.truth / "applications.parquet"
        if not path.is_file():
            raise DataSourceError(f"{path}: ground truth not found (only synthetic universes have it)")
        table = pq.read_table(path, columns=["application_id", "defaulted"]).to_pylist()
        return {r["application_id"]: bool(r["defaulted"]) for r in table}
    if options.observed_on is None:
        raise ValidationError("outcomes", "give truth (a synthetic universe) or observed_on (loan outcomes)")
    observed = observed_outcomes(tables, options.observed_on).to_pylist()
    return {r["application_id"]: bool(r["bad"]) for r in observed}


def run_backtest(decider: Decider, tables: Path, options: BacktestOptions, opener: IdentityOpener) -> dict[str, Any]:
    """Decide every historical application with both strategies and compare them on known outcomes."""
    if not 0 <= options.lgd <= 1:
        raise ValidationError("lgd", f"must be in [0, 1], got {options.lgd}")
    known = outcomes(tables, options)
    cases = []
    for inputs, at in historical_inputs(decider, tables, options.since, options.until, opener=opener):
        champion = decider.decide_inputs(inputs, at, options.champion).decision
        candidate = decider.decide_inputs(inputs, at, options.candidate).decision
        cases.append(Case(inputs.request.application_id, known.get(inputs.request.application_id), champion, candidate))
    return {
        "applications": len(cases),
        "with_outcome": sum(c.bad is not None for c in cases),
        "period": {
            "since": None if options.since is None else options.since.isoformat(),
            "until": None if options.until is None else options.until.isoformat(),
        },
        "outcomes": "ground truth" if options.truth is not None else f"observed on {options.observed_on}",
        "lgd": options.lgd,
        "champion": {"strategy": options.champion, **summarise([(c.champion, c.bad) for c in cases], options.lgd)},
        "candidate": {"strategy": options.candidate, **summarise([(c.candidate, c.bad) for c in cases], options.lgd)},
        "swap": swap_sets(cases),
        "writes": 0,
    }


def _rate(bads: Sequence[bool | None]) -> float | None:
    known = [b for b in bads if b is not None]
    return sum(known) / len(known) if known else None


def summarise(decided: Sequence[tuple[Decision, bool | None]], lgd: float = LGD) -> dict[str, Any]:
    """Approval, bad, straight-through rates and expected loss, overall and by tier."""
    n = len(decided)
    approved = [(d, bad) for d, bad in decided if d.tier.approves]
    exposure = sum(d.limit_cents for d, _ in approved)
    loss = sum((d.pd if d.pd is not None and math.isfinite(d.pd) else 0.0) * lgd * d.limit_cents for d, _ in approved)
    by_tier = {}
    for tier in TIER_ORDER:
        rows = [(d, bad) for d, bad in decided if d.tier is tier]
        pds = [d.pd for d, _ in rows if d.pd is not None]
        by_tier[tier.value] = {
            "count": len(rows),
            "share": len(rows) / n if n else 0.0,
            "bad_rate": _rate([bad for _, bad in rows]),
            "mean_pd": sum(pds) / len(pds) if pds else None,
        }
    auto = [bad for d, bad in decided if d.tier is Tier.AUTO_APPROVE]
    return {
        "approval_rate": len(approved) / n if n else 0.0,
        "bad_rate_approved": _rate([bad for _, bad in approved]),
        "bad_rate_auto_approved": _rate(auto),
        "straight_through_rate": sum(not d.tier.needs_human for d, _ in decided) / n if n else 0.0,
        "approved_limit_cents": exposure,
        "expected_loss_cents": round(loss),
        "expected_loss_rate": loss / exposure if exposure else None,
        "by_tier": by_tier,
        "top_reasons": Counter(r.code for d, _ in decided for r in d.reasons).most_common(8),
    }


def swap_sets(cases: Sequence[Case]) -> dict[str, Any]:
    """Who moves in and out of approval, and how tiers move from champion to candidate."""
    swap_in = [c for c in cases if c.candidate.tier.approves and not c.champion.tier.approves]
    swap_out = [c for c in cases if c.champion.tier.approves and not c.candidate.tier.approves]
    moves: Counter[tuple[str, str]] = Counter((c.champion.tier.value, c.candidate.tier.value) for c in cases)
    return {
        "swap_in": {"count": len(swap_in), "bad_rate": _rate([c.bad for c in swap_in])},
        "swap_out": {"count": len(swap_out), "bad_rate": _rate([c.bad for c in swap_out])},
        "unchanged_tier": sum(c.champion.tier is c.candidate.tier for c in cases),
        "tier_moves": [{"champion": a, "candidate": b, "count": k} for (a, b), k in sorted(moves.items()) if a != b],
        "examples_in": [c.application_id for c in swap_in[:5]],
        "examples_out": [c.application_id for c in swap_out[:5]],
    }


def as_mapping(result: Mapping[str, Any]) -> dict[str, Any]:
    """The report with tuples as lists (JSON-ready)."""
    out = dict(result)
    for side in ("champion", "candidate"):
        out[side] = {**out[side], "top_reasons": [list(x) for x in out[side]["top_reasons"]]}
    return out
