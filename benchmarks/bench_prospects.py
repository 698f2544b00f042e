"""Prospect screening against the universe's truth: who grows >= 20 % without defaulting, and product fit.

Run: ``.venv/bin/python -m benchmarks.bench_prospects [--home bench-home/prospects] [--enterprises 100000]``

The workspace is ``riskloop demo``'s (built first when ``--home`` holds none: generate, ingest, train, graph,
the forecast and the product catalogue released with four eyes). One screening as of the
universe's today ranks every enterprise the screening policy keeps; the truth (``truth/prospect_outcomes``, read
here only) says which of them grew by at least 20 % over the next twelve months without defaulting.

Printed as one JSON object:

- ``precision``: precision@1,000 and @10,000 of that event for the screening's ranking, for ranking the same pool
  by current revenue (last twelve months' sales, largest first) and by the credit model's PD alone (smallest
  first), all in this run; ``lift`` is the screening's precision over the better baseline (goal >= 1.5);
  ``unscreened``: the same two baselines over every enterprise with sales, no exclusion applied (``lift_unscreened``);
- ``product_fit``: the share of recommended products the enterprise is eligible for, checked twice — by zen on
  the catalogue table and by the catalogue's parsed conditions — with the limit inside the product's bounds
  (must be 1.0); and the realised default rate of recommended prospects that later borrow, next to that of the
  pool's borrowers and of all borrowers;
- ``headroom``: what any ranking on these inputs can reach: a gradient-boosted classifier fitted to the truth
  itself on the screening's inputs (forecast, tax grade, PD, size, age, graph signals) over one random half of the
  pool, its precision on the other half at 500 and 5,000 (the half's @1,000 and @10,000) next to revenue's there;
  and the Spearman correlation of each graph signal with the universe's true PD (why the related-party score is
  given no weight);
- ``seconds``: the screening's wall time by stage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from riskloop.config import load_settings
from riskloop.domain.access import ANALYST, APPROVER, Principal
from riskloop.domain.product_conditions import normalise_profile
from riskloop.jobs.demo_prospects import ensure_prospect_inputs
from riskloop.openmp import bounded_spin
from riskloop.service.prospects import Screening
from riskloop.workspace import Workspace

bounded_spin()  # as the riskloop command does: OpenMP threads spin briefly (riskloop.openmp)
BIN = Path(sys.executable).parent
EVENT_GROWTH = 0.2
KS = (1_000, 10_000)
ANALYST_P = Principal("bench-analyst", frozenset({ANALYST}), "bench")
APPROVER_P = Principal("bench-approver", frozenset({APPROVER}), "bench")


def build(home: Path, enterprises: int) -> None:
    """The demo's workspace of ``enterprises`` enterprises."""
    cli = str(BIN / "riskloop")
    subprocess.run([cli, "--home", str(home), "demo", "--enterprises", str(enterprises)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def truth_of(universe: Path, codes: np.ndarray) -> dict[str, np.ndarray]:
    """The event, default and take-up of ``codes`` from ``truth/prospect_outcomes`` (evaluation only)."""
    table = pq.read_table(universe / "truth" / "prospect_outcomes.parquet").to_pandas().set_index("credit_code")
    rows = table.reindex(codes)
    growth = rows["growth_12m"].to_numpy(dtype=np.float64, na_value=np.nan)
    defaulted = rows["defaulted_12m"].fillna(False).to_numpy(dtype=bool)
    return {
        "event": (growth >= EVENT_GROWTH) & ~defaulted,
        "defaulted": defaulted,
        "borrows": rows["borrows_12m"].fillna(False).to_numpy(dtype=bool),
    }


def precision_at(order: np.ndarray, event: np.ndarray, k: int) -> float:
    """Share of events among the first ``k`` of ``order``."""
    top = order[:k]
    return float(event[top].mean()) if len(top) else float("nan")


def precision(screening: Screening, event: np.ndarray) -> dict[str, Any]:
    """The screening's ranking against current revenue and PD alone, over the same pool (the policy's)."""
    pool = screening.order
    s = screening.frame.screened
    by_revenue = pool[np.argsort(-s.last_12m_sales[pool], kind="stable")]
    by_pd = pool[np.argsort(s.pd[pool], kind="stable")]
    # the same baselines over every enterprise with sales, no exclusion applied: what ranking without screening gives
    sold = np.flatnonzero(np.nan_to_num(s.last_12m_sales) > 0)
    all_revenue = sold[np.argsort(-s.last_12m_sales[sold], kind="stable")]
    all_pd = sold[np.argsort(np.nan_to_num(s.pd[sold], nan=1.0), kind="stable")]
    out: dict[str, Any] = {"pool": len(pool), "base_rate": float(event[pool].mean()),
                           "with_sales": len(sold), "base_rate_with_sales": float(event[sold].mean())}  # fmt: skip
    for k in KS:
        ours, revenue, pd_ = (precision_at(o, event, k) for o in (pool, by_revenue, by_pd))
        whole = {"by_revenue": precision_at(all_revenue, event, k), "by_pd": precision_at(all_pd, event, k)}
        out[f"at_{k}"] = {"screening": ours, "by_revenue": revenue, "by_pd": pd_,
                          "lift": ours / max(revenue, pd_) if max(revenue, pd_) > 0 else None,
                          "unscreened": whole, "lift_unscreened": ours / max(whole.values())}  # fmt: skip
    return out


def product_fit(ws: Workspace, screening: Screening, truth: dict[str, np.ndarray]) -> dict[str, Any]:
    """Eligibility of every recommended product, by zen and by the parsed catalogue, and realised default rates."""
    fit = ws.product_fit()
    _, catalogue = fit.catalogue()
    order = screening.order
    profiles = [screening.frame.profile(int(i)) for i in order]
    offers = fit.recommend_many(profiles)
    recommended = [(int(i), p, o) for i, p, o in zip(order, profiles, offers, strict=True) if o is not None]
    by_zen = fit.eligible_many([p for _, p, _ in recommended])
    ok_zen = ok_terms = 0
    for (_, profile, offer), zen in zip(recommended, by_zen, strict=True):
        product = catalogue.product(offer.code)
        ok_zen += offer.code in zen
        bounded = product.amount_min * 100 <= offer.limit_cents <= product.amount_max * 100
        ok_terms += product.admits(normalise_profile(profile)) and bounded
    rows = np.array([i for i, _, _ in recommended], dtype=np.int64)
    borrowers = rows[truth["borrows"][rows]]
    pool_borrowers = order[truth["borrows"][order]]
    all_borrowers = np.flatnonzero(truth["borrows"])
    n = max(len(recommended), 1)
    return {
        "recommended": len(recommended),
        "eligible_share_zen": ok_zen / n,
        "eligible_share_catalogue": ok_terms / n,
        "by_product": _counts([o.code for _, _, o in recommended]),
        "bad_rate_recommended_borrowers": _rate(truth["defaulted"], borrowers),
        "bad_rate_pool_borrowers": _rate(truth["defaulted"], pool_borrowers),
        "bad_rate_all_borrowers": _rate(truth["defaulted"], all_borrowers),
        "recommended_borrowers": len(borrowers),
    }


def headroom(screening: Screening, universe: Path, event: np.ndarray) -> dict[str, Any]:
    """A classifier fitted to the truth on the screening's inputs (evaluation only), and graph signals against PD."""
    from scipy.stats import spearmanr
    from sklearn.ensemble import HistGradientBoostingClassifier

    f, s, pool = screening.frame, screening.frame.screened, screening.order
    grades = {"A": 4, "B": 3, "M": 2, "C": 1, "D": 0}
    grade = np.array([grades.get(g, -1) if g else -1 for g in f.facts.column("tax_grade").to_pylist()], dtype=float)
    growth = [f.forecast[f"growth_12m{b}"] for b in ("", "_lo", "_hi")]
    inputs = [s.p_growth, *growth, grade, s.pd, np.log1p(s.last_12m_sales), s.years, s.bad_neighbours,
              s.propagated_risk, s.related_risk]  # fmt: skip
    x, y = np.nan_to_num(np.column_stack(inputs))[pool], event[pool]
    fit = np.random.default_rng(0).random(len(pool)) < 0.5
    model = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(x[fit], y[fit])
    ranked = np.argsort(-model.predict_proba(x[~fit])[:, 1], kind="stable")
    by_revenue = np.argsort(-x[~fit][:, 6], kind="stable")
    out: dict[str, Any] = {}
    for k in (500, 5_000):
        fitted, revenue = float(y[~fit][ranked[:k]].mean()), float(y[~fit][by_revenue[:k]].mean())
        out[f"truth_fitted_at_{k}"] = {"precision": fitted, "by_revenue": revenue, "lift": fitted / revenue}
    truth = pq.read_table(universe / "truth" / "enterprises.parquet").to_pandas().set_index("credit_code")
    true_pd = truth["pd_12m"].reindex(f.codes).to_numpy(dtype=np.float64)
    known = ~np.isnan(true_pd)
    out["spearman_with_true_pd"] = {
        name: float(spearmanr(values[known], true_pd[known]).statistic)
        for name, values in (("related_risk", s.related_risk), ("bad_neighbours", s.bad_neighbours),
                             ("propagated_risk", s.propagated_risk), ("pd_without_application", s.pd))
    }  # fmt: skip
    return out


def _rate(flags: np.ndarray, rows: np.ndarray) -> float | None:
    return float(flags[rows].mean()) if len(rows) else None


def _counts(codes: list[str]) -> dict[str, int]:
    values, counts = np.unique(np.array(codes, dtype=object), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("bench-home/prospects"))
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--retrain", action="store_true", help="train and release a new forecaster first")
    args = parser.parse_args()
    if not (args.home / "riskloop.db").exists():
        build(args.home, args.enterprises)
    with Workspace.open(load_settings(args.home), create=False) as ws:
        universe = next(ws.settings.universes.glob("demo-seed-*"))
        as_of = dt.date.fromisoformat(json.loads((universe / "manifest.json").read_text())["as_of"])
        day = as_of  # the universe's today: its last complete month is the forecast's last month
        started = time.perf_counter()
        inputs = ensure_prospect_inputs(ws, ANALYST_P, APPROVER_P, as_of=day, retrain=args.retrain, full=True)
        inputs_seconds = time.perf_counter() - started
        screen = ws.prospect_screen()
        stages: dict[str, float] = {}
        last = [time.perf_counter(), "start"]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
            last[:] = [now, stage]

        started = time.perf_counter()
        screening = screen.screening(day, screen.policy(), progress)
        seconds = time.perf_counter() - started
        truth = truth_of(universe, screening.frame.codes)
        figures = {
            "enterprises": len(screening.frame.codes),
            "as_of": day.isoformat(),
            "precision": precision(screening, truth["event"]),
            "product_fit": product_fit(ws, screening, truth),
            "headroom": headroom(screening, universe, truth["event"]),
            "forecast_model": inputs["forecast"].get("model_id"),
            "seconds": {
                "inputs (forecast training when new)": round(inputs_seconds, 2),
                "screening": round(seconds, 2),
                **{k: round(v, 2) for k, v in stages.items() if k != "start"},
            },
        }
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
