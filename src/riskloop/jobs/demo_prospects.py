"""The demo's marketing stage (issue 18): forecast, catalogue, screening, a campaign, and a look at the truth.

The analyst trains the business-scale forecaster and the approver releases it; the shipped product catalogue
(``products@1``) is released through the strategies' four eyes; the analyst screens every enterprise as of the
universe's today and hands the top ``CAMPAIGN_SIZE`` to marketing as a campaign. Precision of the top of the list
is read against the universe's ``truth/prospect_outcomes`` (the benchmark does this at 100,000 enterprises).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from riskloop.domain.access import Principal
from riskloop.domain.products import PRODUCTS
from riskloop.domain.prospect import FORECAST_KIND
from riskloop.jobs.demo_serving import release_model, release_strategy
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.scoring.registry import ACTIVE
from riskloop.service.ports import Progress, no_progress
from riskloop.workspace import Workspace

CAMPAIGN_SIZE = 200
# The demo's time budget: 30,000 sampled rows and 60 rounds at twice the learning rate (about 15 s instead of
# 2-4 min at 100,000 enterprises; `riskloop prospects train-forecast` trains with the defaults, ADR 0033).
DEMO_ROWS, DEMO_ROUNDS, DEMO_LEARNING_RATE = 30_000, 60, 0.1
EVENT_GROWTH = 0.2


def ensure_prospect_inputs(
    ws: Workspace, analyst: Principal, approver: Principal, *, as_of: dt.date, seed: int = 0,
    progress: Progress = no_progress, retrain: bool = False, full: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The catalogue and a forecaster active (each released by ``approver`` after ``analyst``), as needed.

    ``retrain``: train and release a new forecaster even when one is active; ``full``: with the default training
    budget instead of the demo's.
    """
    catalogue = release_strategy(ws.strategies(), ws.strategy_repository(), analyst, approver,
                                 shipped=PackageStrategyLoader().load(f"{PRODUCTS}@1"))  # fmt: skip
    active = [m for m in ws.model_registry().list(FORECAST_KIND) if m.status == ACTIVE]
    if active and not retrain:
        return {"catalogue": catalogue, "forecast": {"model_id": active[0].model_id, "status": ACTIVE}}
    from riskloop.forecast.train import ForecastConfig
    from riskloop.service.forecast_training import train_and_register_forecast

    config = None if full else ForecastConfig(max_rows=DEMO_ROWS, rounds=DEMO_ROUNDS, learning_rate=DEMO_LEARNING_RATE)
    trained = train_and_register_forecast(ws.model_home(), as_of, seed=seed, author=analyst.name, config=config,
                                          progress=lambda s, d, t: progress(f"forecast {s}", d, t))  # fmt: skip
    return {"catalogue": catalogue, "forecast": release_model(ws, trained["model_id"], approver)}


def run_prospects(
    ws: Workspace, universe: Path, analyst: Principal, approver: Principal, *, as_of: dt.date, seed: int,
    progress: Progress = no_progress,
) -> dict[str, Any]:  # fmt: skip
    """Release the inputs, screen, take a campaign of the top prospects and read the top against the truth."""
    inputs = ensure_prospect_inputs(ws, analyst, approver, as_of=as_of, seed=seed, progress=progress)
    run = ws.prospect_screen().run(analyst, as_of, lambda s, d, t: progress(f"prospects {s}", d, t))
    campaign = ws.prospect_desk().create_campaign(analyst, run_id=run.run_id, name=f"{as_of:%Y-%m} 营销名单 (demo)",
                                                  top=CAMPAIGN_SIZE)  # fmt: skip
    top = ws.prospect_store().prospects(run.run_id, top=CAMPAIGN_SIZE)
    return {
        "run": run.to_dict(),
        "forecast": inputs["forecast"].get("model_id"),
        "catalogue": f"{PRODUCTS}@{inputs['catalogue'].get('version')}",
        "campaign": campaign.to_dict(),
        "with_offer": sum(p.offer is not None for p in top),
        "vs_truth": _vs_truth(universe, [p.credit_code for p in top]),
    }


def _vs_truth(universe: Path, codes: list[str]) -> dict[str, Any]:
    """Share of the campaign that grew >= 20 % without defaulting, next to the universe's base rate."""
    path = universe / "truth" / "prospect_outcomes.parquet"
    if not path.exists():
        return {"skipped": "the universe has no prospect truth (generated before 1.9.0)"}
    truth = pq.read_table(path).to_pandas().set_index("credit_code")
    event = (truth["growth_12m"].fillna(-1.0) >= EVENT_GROWTH) & ~truth["defaulted_12m"]
    hits = event.reindex(codes).fillna(False).to_numpy(dtype=bool)
    return {"campaign_event_rate": float(hits.mean()) if len(hits) else None, "base_rate": float(np.mean(event))}
