"""Off-policy evaluation: the value of a candidate collection policy estimated from the logged history.

For logged rounds ``(x_i, a_i, p_i, r_i)`` (context, logged arm, its logged propensity, net reward) and a
candidate's probabilities ``pi(a | x_i)``, with importance weights ``w_i = pi(a_i | x_i) / p_i``:

- IPS: ``mean(w_i r_i)``, unbiased when the propensities are exact and positive wherever the candidate acts;
- SNIPS: ``sum(w_i r_i) / sum(w_i)``, self-normalised, slightly biased, much less variable;
- DR: ``mean(sum_a pi(a|x_i) q(x_i, a) + w_i (r_i - q(x_i, a_i)))`` with a direct-method reward model ``q``
  cross-fitted on folds of cases (each round's ``q`` from a model that never saw its case), unbiased like IPS
  whatever ``q`` is, and less variable the better ``q`` is.

Each comes with its standard error and a 95 % normal interval; the report adds the logged policy's own value,
the effective sample size ``(sum w)^2 / sum w^2`` and the largest weight. A propensity outside (0, 1] is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from riskloop.errors import ValidationError

Z95 = 1.959964


@dataclass(frozen=True)
class Estimate:
    """A value estimate with its standard error."""

    value: float
    se: float

    @property
    def low(self) -> float:
        """Lower end of the 95 % interval."""
        return self.value - Z95 * self.se

    @property
    def high(self) -> float:
        """Upper end of the 95 % interval."""
        return self.value + Z95 * self.se

    def to_dict(self) -> dict[str, float]:
        """Plain figures: value, se, low, high."""
        return {"value": self.value, "se": self.se, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Logged:
    """Logged rounds: the arm index (into ``ARM_KEYS``), its propensity, the reward and optionally ``q``.

    ``q`` (rounds x arms) is a cross-fitted direct-method estimate of every arm's reward; without it the
    report has no DR estimate.
    """

    arms: np.ndarray
    propensity: np.ndarray
    reward: np.ndarray
    q: np.ndarray | None = None

    def __post_init__(self) -> None:
        """Refuse mismatched lengths and propensities outside (0, 1]."""
        n = len(self.arms)
        if len(self.propensity) != n or len(self.reward) != n or (self.q is not None and len(self.q) != n):
            raise ValidationError("logged", "arms, propensity, reward (and q) must have one entry per round")
        check_propensities(self.propensity)


@dataclass(frozen=True)
class OPEReport:
    """A candidate's estimated value per round next to the logged policy's."""

    rounds: int
    logged: Estimate
    ips: Estimate
    snips: Estimate
    dr: Estimate | None
    effective_sample_size: float
    max_weight: float

    def to_dict(self) -> dict[str, Any]:
        """Plain types, for JSON and the API."""
        out = asdict(self)
        for name in ("logged", "ips", "snips", "dr"):
            est = getattr(self, name)
            out[name] = None if est is None else est.to_dict()
        return out


def check_propensities(propensity: np.ndarray, field: str = "propensity") -> np.ndarray:
    """The propensities as floats if every one lies in (0, 1]; a ValidationError naming the first bad row."""
    p = np.asarray(propensity, dtype="float64")
    bad = np.flatnonzero(~((p > 0) & (p <= 1)))
    if bad.size:
        raise ValidationError(field, f"row {int(bad[0])}: {p[bad[0]]} outside (0, 1]")
    return p


def as_pmf(target: np.ndarray, arms: int) -> np.ndarray:
    """A candidate as probabilities: a (rounds x arms) pmf as given, a vector of chosen arm indices one-hot."""
    t = np.asarray(target)
    if t.ndim == 1:
        pmf = np.zeros((len(t), arms))
        pmf[np.arange(len(t)), t.astype(int)] = 1.0
        return pmf
    if not np.allclose(t.sum(axis=1), 1.0, atol=1e-6) or (t < 0).any():
        raise ValidationError("target", "every row of a pmf must be non-negative and sum to 1")
    return t.astype("float64")


def evaluate(target: np.ndarray, logged: Logged, arms: int | None = None) -> OPEReport:
    """Estimate a candidate's mean reward per round from the logged rounds.

    Parameters
    ----------
    target
        The candidate on the logged rounds: a (rounds x arms) pmf, or one chosen arm index per round.
    logged
        The logged rounds (same order).
    arms
        How many arms there are (needed only for a vector ``target`` without ``logged.q``).

    Examples
    --------
    >>> lg = Logged(np.array([0, 1]), np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    >>> evaluate(np.array([0, 0]), lg, arms=2).ips.value
    1.0

    """
    k = arms or (logged.q.shape[1] if logged.q is not None else int(np.max(logged.arms)) + 1)
    pmf = as_pmf(target, k)
    if len(pmf) != len(logged.arms):
        raise ValidationError("target", f"{len(pmf)} rounds, the log has {len(logged.arms)}")
    rows = np.arange(len(pmf))
    w = pmf[rows, logged.arms] / logged.propensity
    r = logged.reward.astype("float64")
    dr = None
    if logged.q is not None:
        q = logged.q.astype("float64")
        terms = (pmf * q).sum(axis=1) + w * (r - q[rows, logged.arms])
        dr = _mean(terms)
    snips_value = float((w * r).sum() / w.sum()) if w.sum() > 0 else float("nan")
    snips_se = float(np.sqrt(((w * (r - snips_value)) ** 2).sum()) / w.sum()) if w.sum() > 0 else float("nan")
    return OPEReport(
        rounds=len(r),
        logged=_mean(r),
        ips=_mean(w * r),
        snips=Estimate(snips_value, snips_se),
        dr=dr,
        effective_sample_size=float(w.sum() ** 2 / (w**2).sum()) if (w > 0).any() else 0.0,
        max_weight=float(w.max()) if len(w) else 0.0,
    )


def _mean(x: np.ndarray) -> Estimate:
    n = len(x)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan"))
