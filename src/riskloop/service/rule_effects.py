"""What each rule of a strategy does on a backtest: how often it fires, when it decides the tier, and on whom.

A rule's floor can only make a decision more cautious (``docs/strategy.md``), so its effect on an application is
the tier the application would get without it: ``max(score rank, floors of the other rules that fired)``. The
rule *binds* when that is better than the tier it got. Its swap set is the binding applications: how many, the
tiers they would move to, and their bad rate (and fraud rate where the truth knows it) next to the approved
applications'. A rule earns its place when the applications it holds back are worse than those let through.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.domain.decision import Decision, Tier

TIERS = tuple(Tier)


@dataclass(frozen=True)
class Judged:
    """One backtest decision with what is known of its applicant (None: not known)."""

    decision: Decision
    bad: bool | None
    fraud: bool | None = None


def hits(decision: Decision) -> list[tuple[str, int]]:
    """The rules that fired (code, floor), from the decision's trace (the ``rule_floor`` node's ``all_hits``)."""
    for step in decision.trace:
        if step.get("node") == "rule_floor":
            return [(str(h["code"]), int(h["floor"])) for h in step.get("values", {}).get("all_hits", [])]
    return []


def score_rank(decision: Decision) -> int | None:
    """The rank the score alone gave (the ``score_tiers`` node), or None when the trace does not hold it."""
    for step in decision.trace:
        values = step.get("values", {})
        if "score_rank" in values and values["score_rank"] is not None:
            return int(values["score_rank"])
    return None


def held_by(decision: Decision, codes: frozenset[str]) -> bool:
    """Whether rules of ``codes`` decide the tier: without them the decision would get a better one."""
    found = hits(decision)
    base = score_rank(decision)
    if base is None or not any(c in codes for c, _ in found):
        return False
    without = max([base, *(f for c, f in found if c not in codes)])
    return without < TIERS.index(decision.tier)


def _rate(values: Sequence[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def rule_effects(cases: Sequence[Judged]) -> dict[str, Any]:
    """Per rule code: hits, binding applications, the tiers they would get without it, bad and fraud rates."""
    fired: Counter[str] = Counter()
    binding: dict[str, list[Judged]] = defaultdict(list)
    moved: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        found = hits(case.decision)
        base = score_rank(case.decision)
        if base is None:
            continue
        rank = TIERS.index(case.decision.tier)
        for i, (code, _floor) in enumerate(found):
            fired[code] += 1
            others = [f for j, (_, f) in enumerate(found) if j != i]
            without = max([base, *others])
            if without < rank:
                binding[code].append(case)
                moved[code][TIERS[without].value] += 1
    approved = [c for c in cases if c.decision.tier.approves]
    out: dict[str, Any] = {
        "approved": {
            "count": len(approved),
            "bad_rate": _rate([c.bad for c in approved]),
            "fraud_rate": _rate([c.fraud for c in approved]),
        },
        "rules": {},
    }
    for code in sorted(fired, key=lambda c: (-len(binding[c]), c)):
        held = binding[code]
        out["rules"][code] = {
            "hits": fired[code],
            "binding": len(held),
            "without_it": dict(moved[code].most_common()),
            "binding_bad_rate": _rate([c.bad for c in held]),
            "binding_fraud_rate": _rate([c.fraud for c in held]),
        }
    return out


def blocking_codes(cases: Sequence[Judged], top: int = 10) -> dict[str, int]:
    """Of the decisions that need a human, the most severe rule code that put them there (score alone: ``SCORE``)."""
    counts: Counter[str] = Counter()
    for case in cases:
        d = case.decision
        if not d.tier.needs_human:
            continue
        found = sorted(hits(d), key=lambda h: -h[1])
        rank = TIERS.index(d.tier)
        code = next((c for c, f in found if f == rank), "SCORE")
        counts[code] += 1
    return dict(counts.most_common(top))
