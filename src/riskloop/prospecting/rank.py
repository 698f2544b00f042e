"""Exclusions and the prospect score over every screened enterprise at once (numpy, no I/O).

The score estimates the event a relationship manager wants: sales grow by at least 20 % over the next twelve
months and the enterprise does not default in them. Growth and default are treated as independent given the
inputs, so the score is the forecast probability of growth times the probability of not defaulting, the latter
taken from the credit model's PD and discounted for graph risk the model did not see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.domain.prospect import EXCLUSIONS
from riskloop.prospecting.policy import ScreeningPolicy

NONE = -1  # not excluded


@dataclass(frozen=True)
class Screened:
    """The inputs of every screened enterprise, aligned arrays of one length."""

    blacklisted: np.ndarray  # bool
    active: np.ndarray  # bool: its status is one the policy keeps
    defaulted: np.ndarray  # bool: a default known by the day
    dishonest: np.ndarray  # bool: listed as a dishonest debtor or under enforcement by the day
    gang: np.ndarray  # bool
    years: np.ndarray  # float: years since establishment
    last_12m_sales: np.ndarray  # float yuan, NaN when no sales history
    p_growth: np.ndarray  # float in [0, 1], NaN when no forecast
    pd: np.ndarray  # float in [0, 1], NaN when not scored
    related_risk: np.ndarray
    propagated_risk: np.ndarray
    bad_neighbours: np.ndarray  # int


def exclusions(s: Screened, policy: ScreeningPolicy) -> np.ndarray:
    """Index into ``EXCLUSIONS`` of the first exclusion that applies to each enterprise, ``NONE`` when none does.

    An input that is missing (no sales history, no PD) excludes: screening never recommends on what it cannot see.
    """
    rules = {
        "BLACKLISTED": s.blacklisted,
        "STATUS_NOT_ACTIVE": ~s.active,
        "DEFAULTED": s.defaulted & policy.exclude_defaulted,
        "DISHONEST": s.dishonest & policy.exclude_dishonest,
        "GANG_MEMBER": s.gang & policy.exclude_gang_members,
        "TOO_YOUNG": ~(s.years >= policy.min_years),
        "NO_SALES": ~(s.last_12m_sales >= max(policy.min_last_12m_sales_yuan, 1e-9)) | np.isnan(s.p_growth),
        "PD_ABOVE_CEILING": ~(s.pd <= policy.pd_ceiling),
    }
    out = np.full(len(s.years), NONE, dtype=np.int64)
    for code in reversed(EXCLUSIONS):  # the first in EXCLUSIONS wins: applied last
        out = np.where(rules[code], EXCLUSIONS.index(code), out)
    return out


def survival(s: Screened, policy: ScreeningPolicy) -> np.ndarray:
    """Probability of not defaulting: ``1 - pd``, discounted for related-party, propagated and neighbour risk."""
    bad = np.minimum(s.bad_neighbours, policy.max_bad_neighbours)
    out: np.ndarray = (
        (1.0 - np.nan_to_num(s.pd, nan=1.0))
        * (1.0 - policy.related_risk * np.clip(s.related_risk, 0.0, 1.0))
        * (1.0 - policy.propagated_risk * np.clip(s.propagated_risk, 0.0, 1.0))
        * np.clip(1.0 - policy.per_bad_neighbour * bad, 0.0, 1.0)
    )
    return out


def scores(s: Screened, policy: ScreeningPolicy) -> np.ndarray:
    """The prospect score of every enterprise (0 where an input is missing)."""
    out: np.ndarray = np.clip(np.nan_to_num(s.p_growth, nan=0.0) * survival(s, policy), 0.0, 1.0)
    return out


def ranking(score: np.ndarray, excluded: np.ndarray, codes: np.ndarray, keep: int) -> np.ndarray:
    """Positions of the prospects, best first (ties by credit code, so a run is reproducible), at most ``keep``."""
    eligible = np.flatnonzero(excluded == NONE)
    order = np.lexsort((codes[eligible], -score[eligible]))
    out: np.ndarray = eligible[order][:keep]
    return out


def exclusion_counts(excluded: np.ndarray) -> dict[str, int]:
    """Enterprises per exclusion code (codes with none left out)."""
    counts = np.bincount(excluded[excluded != NONE], minlength=len(EXCLUSIONS))
    return {code: int(n) for code, n in zip(EXCLUSIONS, counts, strict=True) if n}
