"""Off-policy estimators on a simulated bandit whose true value is known: unbiased, honest errors, DR steadier."""

from __future__ import annotations

import numpy as np
import pytest

from riskloop.collection.ope import Logged, evaluate
from riskloop.errors import ValidationError

K = 4


def mean_reward(x: np.ndarray) -> np.ndarray:
    """Known expected reward of every arm at context x in [0, 1] (rounds x arms)."""
    return np.column_stack([1.0 + 0 * x, 2.0 * x, 2.0 - 2.0 * x, 0.5 + x**2])


def logging_pmf(x: np.ndarray) -> np.ndarray:
    """A known, context-dependent logging policy, every arm at least 5 %."""
    logits = np.column_stack([0 * x, 3 * x, -3 * x, 0 * x])
    soft = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return 0.05 + (1 - 0.05 * K) * soft


def target_pmf(x: np.ndarray) -> np.ndarray:
    """The candidate: greedy on the true means with 10 % uniform exploration."""
    pmf = np.full((len(x), K), 0.1 / K)
    pmf[np.arange(len(x)), np.argmax(mean_reward(x), axis=1)] += 0.9
    return pmf


def simulate(n: int, rng: np.random.Generator) -> tuple[np.ndarray, Logged]:
    x = rng.random(n)
    p = logging_pmf(x)
    arms = (p.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
    reward = mean_reward(x)[np.arange(n), arms] + rng.normal(0, 1.0, n)
    q = mean_reward(x) + 0.3  # a biased reward model: DR stays unbiased
    return x, Logged(arms, p[np.arange(n), arms], reward, q)


def true_value() -> float:
    x = (np.arange(200_000) + 0.5) / 200_000  # the integral over x ~ U(0, 1), by the midpoint rule
    return float((target_pmf(x) * mean_reward(x)).sum(axis=1).mean())


def test_ips_and_dr_are_unbiased_and_their_errors_honest() -> None:
    truth = true_value()
    runs = [evaluate(target_pmf(x), lg) for x, lg in (simulate(1_000, np.random.default_rng(s)) for s in range(300))]
    for name in ("ips", "dr"):
        values = np.array([getattr(r, name).value for r in runs])
        ses = np.array([getattr(r, name).se for r in runs])
        assert abs(values.mean() - truth) < 3 * values.std() / np.sqrt(len(values)), name
        assert 0.8 < ses.mean() / values.std() < 1.25, name  # the reported SE matches the spread across seeds
        covered = np.mean([getattr(r, name).low <= truth <= getattr(r, name).high for r in runs])
        assert covered > 0.9, name
    ips = np.array([r.ips.value for r in runs])
    dr = np.array([r.dr.value for r in runs if r.dr is not None])
    assert dr.std() < 0.7 * ips.std()
    assert abs(np.mean([r.snips.value for r in runs]) - truth) < 0.02 * truth
    logged = np.mean([r.logged.value for r in runs])
    assert logged < truth - 0.2  # the candidate is better than the logging policy: the estimators must see it


def test_a_deterministic_candidate_is_read_as_one_hot() -> None:
    x, lg = simulate(2_000, np.random.default_rng(1))
    greedy = np.argmax(mean_reward(x), axis=1)
    one_hot = np.eye(K)[greedy]
    assert evaluate(greedy, lg).ips == evaluate(one_hot, lg).ips
    report = evaluate(greedy, lg).to_dict()
    assert report["rounds"] == 2_000
    assert 0 < report["effective_sample_size"] < 2_000


@pytest.mark.parametrize("bad", [0.0, 1.5, float("nan"), -0.1])
def test_a_propensity_outside_the_unit_interval_is_refused(bad: float) -> None:
    p = np.full(10, 0.25)
    p[6] = bad
    with pytest.raises(ValidationError, match="row 6"):
        Logged(np.zeros(10, dtype=int), p, np.ones(10))


def test_a_pmf_that_does_not_sum_to_one_is_refused() -> None:
    _, lg = simulate(10, np.random.default_rng(1))
    with pytest.raises(ValidationError, match="target"):
        evaluate(np.full((10, K), 0.3), lg)
