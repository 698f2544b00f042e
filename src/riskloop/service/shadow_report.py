"""Shadow report (issue 14): a challenger model's shadow decisions against the champion's, application by application.

Reads only. Each shadow decision the model made (role ``shadow``, ``versions.model`` its served version) is
paired with the champion decision of the same application, channel and moment (they are stored together).
A shadow row whose champion was scored by the same model is not the model's shadow decision (a challenger
strategy's, or a pair made after the model was activated) and is left out. Reported:

- ``pairs``, the agreement (same tier) rate and the tier move matrix (champion tier → shadow tier);
- swap sets: ``swap_in`` (the shadow approves, the champion does not) and ``swap_out`` (the reverse), with
  their bad rates where outcomes exist and a few example pairs of decision ids (never applicants' data);
- the mean PD of each model and their correlation on the pairs both scored;
- on pairs whose loan has an outcome record (``decision_outcomes``, drawn on the champion's decision) with
  ``horizon`` months on book matured: the bad count and both models' AUC.

The per-model summaries (approval, straight-through and bad rates, expected loss, by tier) and the swap sets are
the backtest's (``service.backtest.summarise``, ``swap_sets``). Outcomes exist only where the champion's decision
led to a loan, so swap-in bad rates are mostly unknown: that is the reject-inference problem, not a fault here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskloop.domain.decision import TIER_ORDER, Decision
from riskloop.domain.decision_record import StoredDecision
from riskloop.domain.outcome import HORIZONS
from riskloop.errors import ValidationError
from riskloop.monitoring.model_figures import auc
from riskloop.scoring.registry import is_application_model
from riskloop.service.backtest import Case, summarise, swap_sets
from riskloop.service.model_monitoring_ports import OutcomeRecords
from riskloop.service.shadow_ports import PairedDecisions, RegisteredModels

EXAMPLES = 5
DEFAULT_HORIZON = 6


@dataclass(frozen=True)
class Pair:
    """A shadow decision and the champion decision of the same application; ``bad`` from its loan's outcome."""

    champion: StoredDecision
    shadow: StoredDecision
    bad: bool | None  # None: no loan drawn, or the horizon not matured

    def case(self) -> Case:
        """The backtest's case of this pair, named by the champion's decision id (never the application's)."""
        return Case(self.champion.decision_id, self.bad, self.champion.decision, self.shadow.decision)


class ShadowReport:
    """Compares a model's shadow decisions with the champion's (see the module)."""

    def __init__(self, decisions: PairedDecisions, models: RegisteredModels, outcomes: OutcomeRecords) -> None:
        self.decisions, self.models, self.outcomes = decisions, models, outcomes

    def run(
        self,
        model_id: str,
        since: dt.date | None = None,
        until: dt.date | None = None,
        horizon: int = DEFAULT_HORIZON,
    ) -> dict[str, Any]:
        """The report of ``model_id``'s shadow decisions decided in ``[since, until)`` (JSON-ready)."""
        if horizon not in HORIZONS:
            raise ValidationError("horizon", f"{', '.join(map(str, HORIZONS))} months on book, got {horizon}")
        if since is not None and until is not None and until <= since:
            raise ValidationError("until", f"must be after since ({since.isoformat()})")
        model = self.models.get(model_id)
        if not is_application_model(model.kind):
            raise ValidationError("model_id", f"{model_id} is a {model.kind} model; shadow models score applications")
        version = model.served_version
        pairs, unpaired = self._pairs(version, _start(since), _start(until), horizon)
        cases = [p.case() for p in pairs]
        swaps = swap_sets(cases)
        same = int(swaps["unchanged_tier"])
        return {
            "model": {"model_id": model.model_id, "status": model.status, "version": version},
            "period": {"since": _day(since), "until": _day(until)},
            "horizon_months": horizon,
            "pairs": len(pairs),
            "unpaired": unpaired,
            "agreement": {"same_tier": same, "rate": same / len(pairs) if pairs else None},
            "tier_matrix": tier_matrix(pairs),
            "swap_in": {**swaps["swap_in"], "examples": _examples(pairs, into=True)},
            "swap_out": {**swaps["swap_out"], "examples": _examples(pairs, into=False)},
            "pd": pd_figures(pairs),
            "outcomes": outcome_figures(pairs),
            "champion": {
                "models": dict(Counter(p.champion.decision.versions.model for p in pairs).most_common()),
                **_summary([(c.champion, c.bad) for c in cases]),
            },
            "shadow": {"model": version, **_summary([(c.candidate, c.bad) for c in cases])},
        }

    def _pairs(
        self, version: str, start: dt.datetime | None, end: dt.datetime | None, horizon: int
    ) -> tuple[list[Pair], int]:
        shadows = [s for s in self.decisions.shadows(start, end) if s.decision.versions.model == version]
        if not shadows:
            return [], 0
        champions = {_key(c): c for c in self.decisions.champions(sorted({s.decision.application_id for s in shadows}))}
        records = [r for r in self.outcomes.all() if r.decision is not None]
        bad = {r.decision.decision_id: r.outcome.horizon(horizon).bad for r in records if r.decision is not None}
        pairs, unpaired = [], 0
        for shadow in shadows:
            champion = champions.get(_key(shadow))
            if champion is None:
                unpaired += 1
            elif champion.decision.versions.model != version:  # else not this model's shadow decision
                pairs.append(Pair(champion, shadow, bad.get(champion.decision_id)))
        return pairs, unpaired


def tier_matrix(pairs: Sequence[Pair]) -> dict[str, dict[str, int]]:
    """Counts of champion tier (rows) → shadow tier (columns), every tier listed, best first."""
    moves = Counter((p.champion.decision.tier, p.shadow.decision.tier) for p in pairs)
    return {a.value: {b.value: moves[a, b] for b in TIER_ORDER} for a in TIER_ORDER}


def pd_figures(pairs: Sequence[Pair]) -> dict[str, Any]:
    """Mean PD of each model (over the pairs it scored) and their Pearson correlation on pairs both scored."""
    champion = [p.champion.decision.pd for p in pairs if p.champion.decision.pd is not None]
    shadow = [p.shadow.decision.pd for p in pairs if p.shadow.decision.pd is not None]
    both = [(p.champion.decision.pd, p.shadow.decision.pd) for p in pairs]
    scored = [(a, b) for a, b in both if a is not None and b is not None]
    return {
        "scored_pairs": len(scored),
        "champion_mean": _mean(champion),
        "shadow_mean": _mean(shadow),
        "correlation": correlation([a for a, _ in scored], [b for _, b in scored]),
    }


def outcome_figures(pairs: Sequence[Pair]) -> dict[str, Any]:
    """Bad count and both models' AUC over pairs with a matured outcome that both models scored."""
    matured = [p for p in pairs if p.bad is not None]
    scored = [(p.bad, p.champion.decision.pd, p.shadow.decision.pd) for p in matured]
    rows = [(int(bool(bad)), a, b) for bad, a, b in scored if a is not None and b is not None]
    labels = [y for y, _, _ in rows]
    return {
        "matured_pairs": len(matured),
        "bad": sum(bool(p.bad) for p in matured),
        "scored_pairs": len(rows),
        "champion_auc": _finite(auc(labels, [a for _, a, _ in rows])) if rows else None,
        "shadow_auc": _finite(auc(labels, [b for _, _, b in rows])) if rows else None,
    }


def correlation(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Pearson correlation of ``a`` and ``b``; None with fewer than two pairs or a constant side.

    Examples
    --------
    >>> correlation([0.1, 0.2, 0.3], [0.3, 0.5, 0.7])
    1.0

    """
    if len(a) < 2:
        return None
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    dx, dy = x - x.mean(), y - y.mean()
    scale = math.sqrt(float(dx @ dx) * float(dy @ dy))
    return round(float(dx @ dy) / scale, 12) if scale > 0 else None


def _summary(decided: Sequence[tuple[Decision, bool | None]]) -> dict[str, Any]:
    out = summarise(decided)
    out["top_reasons"] = [list(x) for x in out["top_reasons"]]
    return out


def _examples(pairs: Sequence[Pair], *, into: bool) -> list[dict[str, str]]:
    out = []
    for p in pairs:
        shadow, champion = p.shadow.decision.tier.approves, p.champion.decision.tier.approves
        if (shadow and not champion) if into else (champion and not shadow):
            out.append({"champion_decision": p.champion.decision_id, "shadow_decision": p.shadow.decision_id})
        if len(out) == EXAMPLES:
            break
    return out


def _key(d: StoredDecision) -> tuple[str, str | None, dt.datetime]:
    """Shadow and champion decisions of one application are stored together: same id, channel and moment."""
    return d.decision.application_id, d.owner, d.decision.decided_at


def _start(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
