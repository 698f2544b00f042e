"""Small synthetic collection logs whose best arm per case is known by construction (test helpers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskloop.collection.facts import CATEGORICAL, NUMERIC
from riskloop.domain.collection import ARM_KEYS, COST_CENTS, parse_arm

COMPANY_BEST, INDIVIDUAL_BEST = "legal_letter@morning", "sms@evening"


def random_contexts(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Context rows with every column the policy reads; kind splits the cases in two segments."""
    frame = pd.DataFrame(
        {
            "case_id": [f"C{i:06d}" for i in range(n)],
            "round_no": rng.integers(1, 6, n),
            "acted_at": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        }
    )
    for col in CATEGORICAL:
        frame[col] = pd.Series(rng.choice(["x", "y", "z"], n), dtype="string")
    frame["kind"] = pd.Series(rng.choice(["company", "individual_business"], n), dtype="string")
    for col in NUMERIC:
        frame[col] = rng.gamma(2.0, 50.0, n)
    frame["remaining_cents"] = rng.integers(200_000, 2_000_000, n).astype(float)
    return frame


def true_paid_share(contexts: pd.DataFrame) -> np.ndarray:
    """Expected share of the remaining debt each arm recovers (rounds x arms): one best arm per kind."""
    company = (contexts["kind"] == "company").to_numpy()
    share = np.full((len(contexts), len(ARM_KEYS)), 0.05)
    share[company, ARM_KEYS.index(COMPANY_BEST)] = 0.35
    share[~company, ARM_KEYS.index(INDIVIDUAL_BEST)] = 0.30
    return share


def logged_uniform(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """A log of a uniformly random historical policy on random contexts, rewards drawn from ``true_paid_share``."""
    ctx = random_contexts(n, rng)
    k = len(ARM_KEYS)
    arms = rng.integers(0, k, n)
    share = true_paid_share(ctx)[np.arange(n), arms]
    paid = rng.binomial(1, np.clip(share * 2, 0, 1)) * 0.5 * ctx["remaining_cents"].to_numpy()
    parsed = [parse_arm(ARM_KEYS[a]) for a in arms]
    return ctx.assign(
        action=[a.action for a in parsed],
        time_window=[a.window for a in parsed],
        propensity=1.0 / k,
        amount_paid_cents=paid.round(),
        cost_cents=[COST_CENTS[a.action] for a in parsed],
    )
