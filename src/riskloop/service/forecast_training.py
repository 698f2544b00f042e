"""Train the business-scale forecaster on the warehouse and register it (training stack: the CLI and jobs only)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from riskloop.forecast.train import ForecastConfig, train_forecaster
from riskloop.scoring.bundle import MANIFEST
from riskloop.scoring.registry import UNKNOWN_AUTHOR
from riskloop.service.ports import ModelHome, Progress, no_progress
from riskloop.service.prospect_models import forecast_folder, register_forecast


def train_and_register_forecast(
    home: ModelHome,
    as_of: dt.date,
    *,
    seed: int = 0,
    author: str = UNKNOWN_AUTHOR,
    progress: Progress = no_progress,
    config: ForecastConfig | None = None,
) -> dict[str, Any]:
    """Train on what was known on ``as_of``, register the bundle (status ``registered``) and say how to release it."""
    folder = train_forecaster(home.warehouse, as_of, forecast_folder(home), seed, progress, config=config)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    training = manifest.get("training", {})
    metrics = {"as_of": as_of.isoformat(), "seed": seed, "enterprises": training.get("enterprises"),
               "rows": training.get("rows")}  # fmt: skip
    model_id = register_forecast(home, folder, metrics, author)
    return {"model_id": model_id, "folder": str(folder), **metrics, "status": "registered",
            "next": f"riskloop models approve {model_id}, then activate (another person)"}  # fmt: skip
