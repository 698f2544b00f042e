"""Cut-offs of the behaviour score per warning level, chosen on a training period within a false-alarm budget.

For each level, the false alarms of a loan-month are counted against the snapshots whose observed outcome is
good (no 90+ days past due within the horizon). The other rules at that level or above already spend part of
the budget; the cut-off is the lowest PD at which the policy's false alarms (those rules, or the PD at or
above the cut-off) stay within the level's budget per 1,000 good loan-months. A level whose other rules alone
exceed the budget gets no behaviour rule (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError
from riskloop.monitoring.policy import RANKS

DEFAULT_BUDGETS = {"warning": 15.0, "attention": 60.0, "notice": 150.0}  # false alarms per 1,000 good loan-months


def propose_cutoffs(
    pd: npt.ArrayLike,
    bad: npt.ArrayLike,
    other_rank: npt.ArrayLike,
    budgets: Mapping[str, float] = DEFAULT_BUDGETS,
) -> dict[str, float | None]:
    """The PD cut-off of each level of ``budgets`` (see the module).

    ``pd`` is each snapshot's behaviour PD, ``bad`` its observed outcome (0/1) and ``other_rank`` the rank
    (3 warning, 2 attention, 1 notice, 0 none) the policy's other rules gave it.

    Examples
    --------
    >>> propose_cutoffs([0.9, 0.5, 0.2, 0.1], [1, 0, 0, 0], [0, 0, 0, 0], {"warning": 400.0})
    {'warning': 0.200001}

    """
    p, y, rank = (np.asarray(a, dtype=np.float64) for a in (pd, bad, other_rank))
    good = y == 0
    if not good.any():
        raise ValidationError("labels", "no good loan-month to count false alarms against")
    out: dict[str, float | None] = {}
    for level, budget in budgets.items():
        if level not in RANKS:
            raise ValidationError("budget", f"unknown level {level!r}; valid: {', '.join(RANKS)}")
        allowed = int(np.floor(budget * good.sum() / 1000.0))
        spent = int((good & (rank >= RANKS[level])).sum())
        free = np.sort(p[good & (rank < RANKS[level])])[::-1]  # good loan-months the PD alone would alarm
        room = allowed - spent
        if room < 0:
            out[level] = None
        elif room >= free.size:
            out[level] = float(free[-1]) if free.size else 1.0
        else:  # just above the (room+1)-th highest good PD (6 decimals), so at most ``room`` of them reach it
            out[level] = float(np.floor(free[room] * 1e6 + 1.0) / 1e6)
    return out
