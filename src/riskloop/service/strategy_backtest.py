"""StrategyBacktest: a strategy version (the challenger) against its active version (the champion) on history.

For the console (``POST /v1/strategies/{name}/versions/{version}/backtest``): a bounded sample of the workspace's
historical applications, features point-in-time, each decided by both versions in memory
(``service.backtest``: nothing is written but the audit of the identifiers opened to decide them as posted).
Outcomes are the loans observed as of today (funded applications only); without a loan book the report has no
bad rates. A workspace that cannot answer (no history ingested, no active version to compare with, no model)
is a ConflictError naming what is missing and the command that provides it, never a crash.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from riskloop.domain.access import Principal, can, require_role
from riskloop.domain.clock import Clock
from riskloop.domain.decision import TIER_ORDER
from riskloop.errors import ConflictError, DataSourceError, NotFoundError, ValidationError
from riskloop.rules.engine import StrategyLoader, strategy_key
from riskloop.service.backtest import (
    BacktestOptions,
    Case,
    backtest_strategies,
    historical_inputs,
    outcomes,
    summarise,
    swap_sets,
)
from riskloop.service.decide import Decider
from riskloop.service.ports import IdentityOpener
from riskloop.service.strategy_ports import StrategyStore

DEFAULT_SAMPLE, MAX_SAMPLE = 300, 3000  # the default answers in seconds on the demo workspace
EXAMPLES = 5
_T = TypeVar("_T")


@dataclass(frozen=True)
class BacktestSources:
    """What a backtest reads of the workspace (wired by the composition root).

    ``history``: checks the history a backtest decides is ingested (else NotFoundError or DataSourceError naming
    the command to run); ``decider``: a decision pipeline deciding with the strategies of the loader given (the active model, the
    stored graph when one was built); ``opener``: an audited opener of the warehouse's identifiers for an actor;
    ``graph``: how the pipeline checks the graph (said in the report).
    """

    tables: Path
    history: Callable[[], str]
    decider: Callable[[StrategyLoader], Decider]
    opener: Callable[[str], IdentityOpener]
    graph: Callable[[], str]


class StrategyBacktest:
    """Backtests of strategy versions for analysts and approvers."""

    def __init__(self, store: StrategyStore, loader: StrategyLoader, sources: BacktestSources, clock: Clock) -> None:
        self.store, self.loader, self.sources, self.clock = store, loader, sources, clock

    def run(self, principal: Principal, name: str, version: int, sample: int = DEFAULT_SAMPLE) -> dict[str, Any]:
        """``name@version`` against the active version of ``name`` on at most ``sample`` historical applications."""
        require_role(principal, can("strategy.backtest"), "backtesting a strategy")
        if not 1 <= sample <= MAX_SAMPLE:
            raise ValidationError("sample", f"from 1 to {MAX_SAMPLE} applications")
        if self.store.find(name, version) is None:
            raise NotFoundError(f"strategy {strategy_key(name, version)} does not exist")
        active = self.store.active(name)
        if active is None:
            raise ConflictError("name", f"strategy {name} has no active version to compare against")
        _needed("warehouse", self.sources.history)  # first: an empty workspace is told to ingest, not to train
        loader, candidate, champion = backtest_strategies(
            self.store, self.loader, candidate=strategy_key(name, version), candidate_json=None, champion=active.key
        )
        decider = _needed("model", lambda: self.sources.decider(loader))
        opener = self.sources.opener(f"api:{principal.name}")
        gathered = _needed(
            "warehouse",
            lambda: historical_inputs(decider, self.sources.tables, None, None, opener=opener, sample=sample),
        )
        known, told = self._outcomes()
        cases = []
        for inputs, at in gathered:
            app_id = inputs.request.application_id
            old = decider.decide_inputs(inputs, at, champion).decision
            new = decider.decide_inputs(inputs, at, candidate).decision
            cases.append(Case(app_id, known.get(app_id), old, new))
        return report(cases, champion, candidate, sample, outcomes=told, graph=self.sources.graph())

    def _outcomes(self) -> tuple[dict[str, bool], str]:
        today = self.clock.now().date()
        try:
            return outcomes(self.sources.tables, BacktestOptions("", "", observed_on=today)), f"observed on {today}"
        except DataSourceError as exc:
            return {}, f"none: no loan outcomes to read ({exc})"


def _needed(what: str, build: Callable[[], _T]) -> _T:
    """``build()``; a missing source (no model, no history ingested) is a ConflictError naming ``what``."""
    try:
        return build()
    except (NotFoundError, DataSourceError) as exc:
        raise ConflictError(what, f"the workspace cannot backtest: {exc}") from None


def report(
    cases: Sequence[Case], champion: str, candidate: str, sample: int, *, outcomes: str, graph: str
) -> dict[str, Any]:
    """Champion against challenger: rates, expected loss, swap sets with examples, series by tier."""
    sides = {"champion": (champion, [(c.champion, c.bad) for c in cases]),
             "candidate": (candidate, [(c.candidate, c.bad) for c in cases])}  # fmt: skip
    out: dict[str, Any] = {
        "applications": len(cases),
        "sample": sample,
        "with_outcome": sum(c.bad is not None for c in cases),
        "outcomes": outcomes,
        "graph": graph,
    }
    for side, (key, decided) in sides.items():
        summary = summarise(decided)
        summary["top_reasons"] = [{"code": code, "count": n} for code, n in summary["top_reasons"]]
        out[side] = {"strategy": key, **summary}
    out["swap"] = {**swap_sets(cases), "examples": examples(cases)}
    out["series"] = series(cases)
    out["writes"] = 0
    return out


def examples(cases: Sequence[Case]) -> dict[str, list[dict[str, Any]]]:
    """A few applications of each swap set with both tiers and the outcome."""
    swap_in = [c for c in cases if c.candidate.tier.approves and not c.champion.tier.approves]
    swap_out = [c for c in cases if c.champion.tier.approves and not c.candidate.tier.approves]
    return {"in": [_example(c) for c in swap_in[:EXAMPLES]], "out": [_example(c) for c in swap_out[:EXAMPLES]]}


def _example(case: Case) -> dict[str, Any]:
    return {"application_id": case.application_id, "champion_tier": case.champion.tier.value,
            "candidate_tier": case.candidate.tier.value, "bad": case.bad}  # fmt: skip


def series(cases: Sequence[Case]) -> dict[str, list[dict[str, Any]]]:
    """Counts for charts: by tier, and by outcome (approved, referred, declined), for each side."""
    tiers = {side: Counter(getattr(c, side).tier.value for c in cases) for side in ("champion", "candidate")}
    kinds = {side: Counter(_kind(getattr(c, side)) for c in cases) for side in ("champion", "candidate")}
    return {
        "by_tier": [{"tier": t.value, "champion": tiers["champion"][t.value], "candidate": tiers["candidate"][t.value]}
                    for t in TIER_ORDER],
        "by_outcome": [{"outcome": k, "champion": kinds["champion"][k], "candidate": kinds["candidate"][k]}
                       for k in ("approved", "referred", "declined")],
    }  # fmt: skip


def _kind(decision: Any) -> str:
    if decision.tier.approves:
        return "approved"
    return "referred" if decision.tier.needs_human else "declined"
