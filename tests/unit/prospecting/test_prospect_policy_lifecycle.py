"""The screening policy and the forecaster are released with four eyes; what a run reads follows the registry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from riskloop.domain.clock import FixedClock
from riskloop.domain.prospect import FORECAST_KIND, SCREENING_KIND
from riskloop.errors import DataSourceError, ForbiddenError, NotFoundError, ValidationError
from riskloop.prospecting.policy import SHIPPED
from riskloop.scoring.registry import is_application_model
from riskloop.service.models import ModelLifecycle
from riskloop.service.ports import ModelHome
from riskloop.service.prospect_models import (
    POLICY_FILE,
    ActiveForecast,
    ActiveScreeningPolicy,
    register_screening_policy,
)
from riskloop.testing.fake_registry import InMemoryModelRegistry

T0 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
SHIPPED_FILE = Path(__file__).parents[3] / "src/riskloop/prospecting/data" / SHIPPED


@pytest.fixture
def home(tmp_path: Path) -> ModelHome:
    return ModelHome(tmp_path / "wh", tmp_path / "models", InMemoryModelRegistry(FixedClock(T0)), lambda: b"")


def _bank_policy(tmp_path: Path, pd_ceiling: float = 0.04) -> Path:
    data = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    data["version"] = "bank-1"
    data["exclusions"]["pd_ceiling"] = pd_ceiling
    path = tmp_path / "bank-1.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_shipped_policy_applies_until_another_person_activates_a_registered_one(
    home: ModelHome, tmp_path: Path
) -> None:
    active = ActiveScreeningPolicy(home.registry)
    assert active().pd_ceiling == 0.1
    registered = register_screening_policy(home, _bank_policy(tmp_path), author="rita")
    assert active().pd_ceiling == 0.1  # registered is not released
    lifecycle = ModelLifecycle(home.registry)  # type: ignore[arg-type]
    with pytest.raises(ForbiddenError):
        lifecycle.approve(registered["model_id"], "rita")  # never by its author
    lifecycle.approve(registered["model_id"], "otto")
    lifecycle.activate(registered["model_id"], "otto")
    assert active().pd_ceiling == 0.04
    assert active().version == "bank-1"
    assert not is_application_model(SCREENING_KIND)
    assert not is_application_model(FORECAST_KIND)


def test_a_bad_policy_is_refused_at_registration_and_a_tampered_one_when_read(home: ModelHome, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        register_screening_policy(home, _bank_policy(tmp_path, pd_ceiling=2.0), author="rita")
    assert err.value.field == "exclusions.pd_ceiling"
    registered = register_screening_policy(home, _bank_policy(tmp_path), author="rita")
    lifecycle = ModelLifecycle(home.registry)  # type: ignore[arg-type]
    lifecycle.approve(registered["model_id"], "otto")
    lifecycle.activate(registered["model_id"], "otto")
    folder = home.models / registered["model_id"]
    (folder / POLICY_FILE).write_text((folder / POLICY_FILE).read_text().replace("0.04", "0.4"), encoding="utf-8")
    with pytest.raises(DataSourceError, match="sha256"):
        ActiveScreeningPolicy(home.registry)()


def test_no_active_forecast_is_a_clear_not_found(home: ModelHome) -> None:
    with pytest.raises(NotFoundError, match="train-forecast"):
        ActiveForecast(home.registry, home.warehouse).forecast(dt.date(2026, 6, 30))
