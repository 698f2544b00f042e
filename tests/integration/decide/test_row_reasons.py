"""The decision path's one-row explainer gives exactly the reasons of the batch explainer (Ensemble.reasons)."""

from __future__ import annotations

from pathlib import Path

from riskloop.config import load_settings
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.service.decide import model_inputs
from riskloop.service.scorer import EnsembleScorer
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace


def test_row_reasons_equal_frame_reasons(decision_workspace: Path) -> None:
    settings = load_settings(decision_workspace)
    with Workspace.open(settings, migrate=False) as ws:
        scorer = EnsembleScorer.load(ws.model_folder())
    recorded = workspace_requests(decision_workspace, limit=300)
    with Workspace.open(settings, migrate=False) as ws:
        store = ws.feature_store()
        rows = [model_inputs(r, store.lookup(ENTERPRISE_FEATURE_SET, r.credit_code)) for r, _ in recorded]
    rows.append(model_inputs(recorded[0][0], None))  # no features at all
    for values in rows:
        assert scorer.reasons(values, 4) == scorer.frame_reasons(values, 4)
