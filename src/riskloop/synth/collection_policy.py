"""The bank's historical collection policy: a days-past-due bucket rule, softened by randomisation.

The rule picks actions by days past due (reminders early, calls next, visits, letters and restructuring late) and
sends large amounts to a field visit sooner; it knows nothing of the debtor's kind or the time of day beyond office
hours. A share ``EXPLORE`` of choices is uniform over all arms, so every arm has a propensity of at least
``EXPLORE / len(ARMS)`` (about 0.6 %) and off-policy evaluation of any policy is possible.
"""

from __future__ import annotations

import numpy as np

from riskloop.domain.collection import ARM_KEYS
from riskloop.synth.arrays import Arr

EXPLORE = 0.12
HISTORICAL = "historical"
_LARGE_CENTS = 5_000_000  # 50,000 yuan overdue: the rule sends a collector sooner
# (upper dpd bound of the bucket, {arm: weight}); the last bucket is open-ended.
_BUCKETS: tuple[tuple[int, dict[str, float]], ...] = (
    (
        7,
        {
            "sms@morning": 0.30,
            "sms@afternoon": 0.10,
            "wechat@morning": 0.15,
            "ivr@morning": 0.10,
            "ivr@afternoon": 0.20,
            "agent_call@afternoon": 0.15,
        },
    ),
    (
        30,
        {
            "sms@morning": 0.10,
            "ivr@morning": 0.10,
            "ivr@afternoon": 0.15,
            "agent_call@morning": 0.25,
            "agent_call@afternoon": 0.30,
            "wechat@afternoon": 0.05,
            "restructure_offer@afternoon": 0.05,
        },
    ),
    (
        60,
        {
            "agent_call@morning": 0.20,
            "agent_call@afternoon": 0.20,
            "restructure_offer@morning": 0.10,
            "restructure_offer@afternoon": 0.05,
            "field_visit@morning": 0.10,
            "field_visit@afternoon": 0.10,
            "legal_letter@morning": 0.15,
            "sms@morning": 0.10,
        },
    ),
    (
        10_000,
        {
            "legal_letter@morning": 0.20,
            "legal_letter@afternoon": 0.15,
            "field_visit@morning": 0.15,
            "field_visit@afternoon": 0.10,
            "agent_call@afternoon": 0.20,
            "restructure_offer@afternoon": 0.10,
            "sms@morning": 0.10,
        },
    ),
)


def _weights(arms: dict[str, float]) -> Arr:
    raw = np.array([arms.get(k, 0.0) for k in ARM_KEYS])
    out: Arr = raw / raw.sum()
    return out


_RULE = np.stack([_weights(arms) for _, arms in _BUCKETS])
_BOUNDS = np.array([b for b, _ in _BUCKETS])
_VISIT = np.array([k.startswith("field_visit@") for k in ARM_KEYS], dtype=float)


def historical_propensities(dpd: Arr, remaining_cents: Arr) -> Arr:
    """Probability of every arm (columns in ``ARMS`` order) for each context; rows sum to one.

    Parameters
    ----------
    dpd : numpy.ndarray
        Days past due at the round.
    remaining_cents : numpy.ndarray
        Overdue amount still unpaid.

    Returns
    -------
    numpy.ndarray
        ``(n, len(ARMS))`` probabilities, each at least ``EXPLORE / len(ARMS)``.

    """
    rule: Arr = _RULE[np.searchsorted(_BOUNDS, dpd, side="left").clip(max=len(_BOUNDS) - 1)]
    large = (remaining_cents >= _LARGE_CENTS) & (dpd > 7)
    rule = np.where(large[:, None], 0.7 * rule + 0.3 * _VISIT / _VISIT.sum(), rule)
    out: Arr = (1 - EXPLORE) * rule + EXPLORE / len(ARM_KEYS)
    return out
