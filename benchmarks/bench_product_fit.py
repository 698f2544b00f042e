"""Product fit for a screening run: ``ProductFit.recommend_many`` on 100k prospect profiles, against bare zen-engine.

Run: ``.venv/bin/python -m benchmarks.bench_product_fit [--prospects 100000] [--repeats 3] [--seed 0]``

A fresh workspace (SQLite, in a temporary folder) releases the shipped catalogue ``products-v1.json`` through the
strategy lifecycle (four eyes, the catalogue validator), and ``Workspace.product_fit()`` recommends a product to
each of ``--prospects`` synthetic profiles (seeded; tax grades, ages, PDs, sales and graph risks of a plausible
SME population; 3 % blacklisted, 5 % excluded, 1 % gang). Timed, median of ``--repeats``:

- ``baseline``: zen-engine alone evaluating the catalogue table once per profile (``ZenEngine.evaluate``,
  profiles already normalised), the floor of any design that keeps zen as the authority;
- ``recommend_many``: the use case: the active version read, profiles normalised, barred ones skipped, zen per
  profile, the offer chosen.

Prints one JSON object: microseconds per prospect of both, their ratio, the offers by product and the share with
none.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.domain.access import ANALYST, APPROVER, Principal
from riskloop.domain.product_conditions import normalise_profile
from riskloop.domain.products import PRODUCTS
from riskloop.domain.tables import INDUSTRY_SECTIONS, TAX_GRADES

ANALYST_P = Principal("bench-analyst", frozenset({ANALYST}), "key_a")
APPROVER_P = Principal("bench-approver", frozenset({APPROVER}), "key_b")


def profiles(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` seeded prospect profiles (the seam's keys)."""
    g = np.random.default_rng(seed)
    last = np.exp(g.normal(np.log(1.5e6), 1.2, n))
    growth = g.normal(0.08, 0.3, n)
    rows = {
        "tax_grade": np.array([*TAX_GRADES, None], dtype=object)[
            g.choice(6, n, p=[0.25, 0.35, 0.12, 0.08, 0.03, 0.17])
        ],
        "years_in_business": g.gamma(2.0, 3.0, n),
        "pd": g.beta(1.2, 40, n),
        "last_12m_sales": last,
        "sales_12m_forecast": last * (1 + growth),
        "growth_12m": growth,
        "related_risk": g.beta(1, 6, n),
        "propagated_risk": g.beta(1, 10, n),
        "gang": g.random(n) < 0.01,
        "bad_neighbours": g.poisson(0.3, n),
        "individual": g.random(n) < 0.35,
        "section": g.choice(list(INDUSTRY_SECTIONS), n),
        "blacklisted": g.random(n) < 0.03,
        "excluded": g.random(n) < 0.05,
    }
    columns = {k: v.tolist() for k, v in rows.items()}
    return [{k: columns[k][i] for k in columns} for i in range(n)]


def timed(repeats: int, run: Any) -> tuple[float, Any]:
    """The median seconds of ``repeats`` calls of ``run`` and its last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Parse the arguments, time both, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import zen

    from riskloop.config import Settings
    from riskloop.jobs.demo_serving import release_strategy
    from riskloop.rules.loaders import PackageStrategyLoader
    from riskloop.workspace import Workspace

    batch = profiles(args.prospects, args.seed)
    shipped = PackageStrategyLoader().load(f"{PRODUCTS}@1")
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        with Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")) as ws:
            released = release_strategy(ws.strategies(), ws.strategy_repository(), ANALYST_P, APPROVER_P, shipped)
            fit = ws.product_fit()
            fit.recommend(batch[0])  # the version parsed and the engine built outside the timings
            content = zen.ZenDecisionContent(shipped.content)
            engine = zen.ZenEngine({"loader": lambda _key: content})
            contexts = [normalise_profile(p) for p in batch]
            base, _ = timed(args.repeats, lambda: [engine.evaluate("products", c) for c in contexts])
            used, offers = timed(args.repeats, lambda: fit.recommend_many(batch))
    counts = Counter(o.code if o else None for o in offers)
    per = 1e6 / args.prospects
    print(json.dumps({
        "prospects": args.prospects,
        "catalogue": released["key"],
        "repeats": args.repeats,
        "baseline_zen_us_per_prospect": round(base * per, 2),
        "recommend_many_us_per_prospect": round(used * per, 2),
        "ratio_to_baseline": round(used / base, 2),
        "recommend_many_seconds": round(used, 3),
        "offers": {str(k): v for k, v in sorted(counts.items(), key=lambda kv: -kv[1])},
        "share_without_offer": round(counts[None] / args.prospects, 4),
    }, ensure_ascii=False, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
