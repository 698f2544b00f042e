"""A collection policy's exact value on logged rounds, from the universe's counterfactual truth.

Evaluation code only (benchmarks, the demo's summary, tests): ``truth/collection_responses`` holds every arm's
potential outcome of every logged (case, round), drawn with common random numbers, so the value of any policy
given as a pmf over ``ARM_KEYS`` per round is exact. Product code never reads truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from riskloop.domain.collection import ARM_KEYS, COST_CENTS, parse_arm
from riskloop.errors import DataSourceError

ARM_COST = np.array([COST_CENTS[parse_arm(k).action] for k in ARM_KEYS], dtype="float64")
RESPONSES = "collection_responses.parquet"


def read_truth(truth_dir: Path, rounds: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every arm's potential outcome on ``rounds`` (rounds x arms, ``ARM_KEYS`` order): paid, cured, expected paid."""
    truth = pq.read_table(truth_dir / RESPONSES).to_pandas()
    keys = rounds[["case_id", "round_no"]].assign(row=np.arange(len(rounds)))
    t = truth.merge(keys, on=["case_id", "round_no"])
    col = t["arm"].map({k: i for i, k in enumerate(ARM_KEYS)}).to_numpy()
    out = {}
    for name in ("paid_cents", "cured", "expected_paid_cents"):
        m = np.full((len(rounds), len(ARM_KEYS)), np.nan)
        m[t["row"].to_numpy(), col] = t[name].to_numpy(dtype="float64")
        out[name] = m
    if np.isnan(out["paid_cents"]).any():
        raise DataSourceError(f"{truth_dir / RESPONSES}: some round lacks an arm's potential outcome")
    return out


def true_figures(pmf: np.ndarray, truth: dict[str, np.ndarray], cases: int) -> dict[str, float]:
    """Exact value of a policy (a pmf per round) on the rounds of ``truth``: per 100 cases and per round."""
    paid = (pmf * truth["paid_cents"]).sum(axis=1)
    cost = pmf @ ARM_COST
    expected = (pmf * truth["expected_paid_cents"]).sum(axis=1) - cost
    return {
        "net_per_100_cases_yuan": float((paid - cost).sum() / cases * 100 / 100),
        "gross_per_100_cases_yuan": float(paid.sum() / cases * 100 / 100),
        "expected_net_per_100_cases_yuan": float(expected.sum() / cases * 100 / 100),
        "cure_rate_per_round": float((pmf * truth["cured"]).sum(axis=1).mean()),
        "net_per_round_cents": float((paid - cost).mean()),
    }


def best_fixed_arm(truth: dict[str, np.ndarray]) -> int:
    """The single arm with the highest true net recovery on these rounds (the strongest fixed baseline)."""
    return int(np.argmax((truth["paid_cents"] - ARM_COST).sum(axis=0)))
