"""A small generated universe and one forecaster trained on it (as of 12 months before its as-of day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from riskloop.forecast.model import ForecastModel
from riskloop.forecast.series import shift_months
from riskloop.forecast.train import ForecastConfig, train_forecaster
from riskloop.synth.universe import UniverseParams, generate_universe

UNIVERSE = UniverseParams(enterprises=1_500, seed=29)
CONFIG = ForecastConfig(rounds=60, max_rows=40_000, threads=1)


@pytest.fixture(scope="session")
def forecast_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forecast-universe")
    generate_universe(UNIVERSE, out, workers=1)
    return out / "tables"


@pytest.fixture(scope="session")
def forecast_cut() -> dt.date:
    """The held-out day: 12 months before the universe's as-of day, so 12 observed months follow it."""
    return shift_months(UNIVERSE.as_of, -12)


@pytest.fixture(scope="session")
def forecast_folder(forecast_tables: Path, forecast_cut: dt.date, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_forecaster(forecast_tables, forecast_cut, tmp_path_factory.mktemp("forecast-model"), config=CONFIG)


@pytest.fixture(scope="session")
def forecast_model(forecast_folder: Path) -> ForecastModel:
    return ForecastModel.load(forecast_folder)
