"""The decision path's one-row explainer gives exactly the reasons of the batch explainer (Ensemble.reasons)."""

from __future__ import annotations

from pathlib import Path

from riskloop.config import load_settings
from riskloop.domain.clock import SystemClock
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.service.applications import recorded_requests
from riskloop.service.decide import model_inputs
from riskloop.service.runtime import model_folder
from riskloop.service.scorer import EnsembleScorer
from riskloop.storage.engine import make_engine
from riskloop.storage.feature_store import SQLFeatureStore


def test_row_reasons_equal_frame_reasons(decision_workspace: Path) -> None:
    settings = load_settings(decision_workspace)
    engine = make_engine(settings.database_url)
    store = SQLFeatureStore(engine, SystemClock())
    scorer = EnsembleScorer.load(model_folder(settings, engine, None))
    rows = [model_inputs(r, store.lookup(ENTERPRISE_FEATURE_SET, r.credit_code)) for r, _ in recorded_requests(
        settings.warehouse, limit=300)]  # fmt: skip
    rows.append(model_inputs(recorded_requests(settings.warehouse, limit=1)[0][0], None))  # no features at all
    engine.dispose()
    for values in rows:
        assert scorer.reasons(values, 4) == scorer.frame_reasons(values, 4)
