"""The chunk's firms: latent creditworthiness, its noisy per-dimension views, and the base attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.synth import ids
from riskloop.synth.arrays import Arr, weighted_choice
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.vocab import vocab

# Independent noise per dimension: each dimension sees z + noise, so no single source is decisive.
NOISE_SD = {"reg": 1.0, "fin": 0.85, "gov": 0.85, "tax": 0.9, "risk": 0.6, "bureau": 0.95}
PD_INTERCEPT, PD_SLOPE = -4.3, 1.5
STATUS_ACTIVE, STATUS_ABNORMAL, STATUS_REVOKED = 0, 1, 2
STATUSES = ("active", "abnormal", "revoked")


def sigmoid(x: Arr) -> Arr:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Firms:
    """Column arrays of the enterprises of one chunk (mutable: ring planting overrides some rows)."""

    index: Arr  # global enterprise index
    individual: Arr
    region: Arr
    section: Arr
    z: Arr  # latent creditworthiness (truth)
    views: dict[str, Arr]  # noisy per-dimension views of z
    established: Arr  # datetime64[D]
    capital_cents: Arr
    headcount: Arr
    revenue0: Arr  # monthly revenue (CNY) at the start of the revenue window
    growth: Arr  # monthly log growth
    status: Arr
    is_shell: Arr
    legal_rep: Arr  # global person index of the legal representative
    officer: Arr  # global person index of the supervisor / finance officer (shared inside shell rings)
    hub: Arr  # registered at a business-centre hub address (index into hub list, -1 none)

    @property
    def n(self) -> int:
        """Number of firms in the chunk."""
        return len(self.index)

    @property
    def pd_12m(self) -> Arr:
        """True 12-month probability of default implied by the latent score."""
        return sigmoid(PD_INTERCEPT - PD_SLOPE * self.z)

    def refresh_views(self, rows: Arr, generator: np.random.Generator) -> None:
        """Redraw the noisy views of ``rows`` after their latent score was overridden."""
        for name, sd in NOISE_SD.items():
            self.views[name][rows] = self.z[rows] + generator.normal(0.0, sd, len(rows))


def make_firms(params: UniverseParams, chunk: int) -> Firms:
    """Draw the base attributes of the enterprises of ``chunk``.

    Parameters
    ----------
    params : UniverseParams
        Universe parameters.
    chunk : int
        Chunk number.

    Returns
    -------
    Firms
        Arrays for the chunk's enterprises, before fraud rings are planted.

    """
    g = rng(params, chunk, Stream.FIRMS)
    start, stop = params.chunk_bounds(chunk)
    index = np.arange(start, stop, dtype=np.int64)
    n = len(index)
    individual = ids.is_individual(params.seed, index)
    region = ids.region_of(params.seed, index)
    v = vocab()
    section = np.where(
        individual, weighted_choice(g, v.individual_weights, n), weighted_choice(g, v.company_weights, n)
    )
    z = g.standard_normal(n)
    views = {name: z + g.normal(0.0, sd, n) for name, sd in NOISE_SD.items()}
    zr = views["reg"]
    age_years = np.exp(g.normal(np.log(4.5) + 0.3 * zr - 0.2 * individual, 0.85)).clip(0.08, 35.0)
    established = params.as_of_day - (age_years * 365.25).astype("timedelta64[D]")
    log_cap = np.where(
        individual, g.normal(4.6, 0.35, n).clip(4.0, 5.7), g.normal(5.6 + 0.15 * zr, 0.65, n).clip(4.0, np.log10(5e7))
    )
    capital_cny = np.where(individual, np.round(10**log_cap / 1000) * 1000, np.round(10**log_cap / 10000) * 10000)
    headcount = np.where(
        individual,
        g.poisson(0.8, n) * (g.random(n) < 0.5),
        np.floor(np.exp(g.normal(np.log(4.0) + 0.35 * (log_cap - 5.6) + 0.15 * views["gov"], 0.9))).clip(0, 2000),
    ).astype(np.int64)
    revenue0 = np.where(
        individual,
        np.exp(g.normal(9.9 + 0.1 * views["tax"], 0.6)),
        np.exp(g.normal(11.0 + 0.6 * np.log1p(headcount) + 0.1 * views["tax"], 0.7)),
    )
    growth = 0.003 + 0.006 * views["tax"] + g.normal(0.0, 0.006, n)
    abnormal = g.random(n) < sigmoid(-3.4 - 0.9 * zr)
    revoked = g.random(n) < 0.01
    status = np.where(revoked, STATUS_REVOKED, np.where(abnormal, STATUS_ABNORMAL, STATUS_ACTIVE))
    hub_regions = np.array([v.region_codes.index(code) for code, _ in v.hub_addresses])
    matches = region[:, None] == hub_regions[None, :]
    hub = np.where(matches.any(axis=1) & (g.random(n) < 0.06), matches.argmax(axis=1), -1)
    return Firms(
        index=index,
        individual=individual,
        region=region,
        section=section,
        z=z,
        views=views,
        established=established,
        capital_cents=(capital_cny * 100).astype(np.int64),
        headcount=headcount,
        revenue0=revenue0,
        growth=growth,
        status=status,
        is_shell=np.zeros(n, dtype=bool),
        legal_rep=ids.person_index(index, 0),
        officer=ids.person_index(index, 2),
        hub=hub,
    )
