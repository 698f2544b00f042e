"""Screening figures against the planted truth (benchmarks and evaluation tests only: truth never serves)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from riskloop.domain.registration import ACCEPT, BLOCK, OUTCOMES, STEP_UP

HONEST = "honest"


def figures(outcomes: Mapping[str, str], attacks: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Per attack shape (and for honest registrations): counts, blocked share and blocked-or-stepped-up share.

    ``outcomes`` maps every screened registration to its outcome; ``attacks`` gives ``(registration_id, shape)``
    of the planted ones (truth). A registration not in ``attacks`` is honest.
    """
    shape_of = dict(attacks)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for reg_id, outcome in outcomes.items():
        counts[shape_of.get(reg_id, HONEST)][outcome] += 1
    out: dict[str, Any] = {}
    for group in sorted(counts, key=lambda g: (g == HONEST, g)):
        c = counts[group]
        n = sum(c.values())
        out[group] = {
            "registrations": n,
            **{o: c[o] for o in OUTCOMES},
            "blocked_share": c[BLOCK] / n,
            "intercepted_share": (c[BLOCK] + c[STEP_UP]) / n,
            "accepted_share": c[ACCEPT] / n,
        }
    planted = [g for g in out if g != HONEST]
    if planted:
        n = sum(out[g]["registrations"] for g in planted)
        out["all_attacks"] = {
            "registrations": n,
            "blocked_share": sum(out[g][BLOCK] for g in planted) / n,
            "intercepted_share": sum(out[g][BLOCK] + out[g][STEP_UP] for g in planted) / n,
        }
    return out
