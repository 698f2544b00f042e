"""EnsembleScorer: the Scorer port over a fused-model bundle (fast serving path for scores).

A source the model was trained with but the decision path does not supply at all (no feature key and no
``avail_<source>`` flag in the row: a source no port computes, or graph checks that give no features, such as
a stand-in) is a scoring error, so the decision is referred: scoring as if that source were missing for every
applicant would shift every score away from what the model learned. The graph source is supplied by the
graph checks (``GraphSignals.features``), or flagged missing when they fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from riskloop.domain.decision import DecisionReason
from riskloop.errors import DataSourceError
from riskloop.modeling.ensemble import Ensemble
from riskloop.modeling.registry import manifest_digest
from riskloop.scoring.model import availability
from riskloop.service.row_reasons import RowExplainer


class EnsembleScorer:
    """Scores with ``Ensemble.score_row`` and explains with the ensemble's reason catalogue."""

    def __init__(self, ensemble: Ensemble, version: str) -> None:
        self.ensemble = ensemble
        self._version = version
        self._explainer = RowExplainer(ensemble.serving, ensemble.catalog)
        self._sources = tuple((availability(s.name), s.name, s.features) for s in ensemble.sources)

    @classmethod
    def load(cls, folder: Path) -> EnsembleScorer:
        """The bundle in ``folder``; its version is the folder name and the manifest's sha256."""
        digest = manifest_digest(folder)[:16]
        return cls(Ensemble.load(folder), f"{folder.name}:{digest}")

    @property
    def version(self) -> str:
        """Bundle name and manifest digest."""
        return self._version

    @property
    def reasons_version(self) -> str:
        """Version of the model reason catalogue."""
        return self.ensemble.catalog.version

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every column the model reads."""
        return self.ensemble.features

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """PD and points of one row; a source the row does not supply at all is an error."""
        unserved = [n for flag, n, cols in self._sources if flag not in values and not any(c in values for c in cols)]
        if unserved:
            raise DataSourceError(f"model {self._version} needs sources the decision path does not supply: {unserved}")
        return self.ensemble.score_row(values)

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """Top ``top_k`` adverse factors of one row (the same as ``Ensemble.reasons`` on that row)."""
        return self._explainer.reasons(values, top_k)

    def frame_reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """The same through ``Ensemble.reasons`` on a one-row frame (the batch path; for parity checks)."""
        columns = list(self.ensemble.features) + [n for n in values if n.startswith("avail_")]
        row = np.array([[np.nan if (v := values.get(c)) is None else float(v) for c in columns]], dtype=np.float64)
        frame = pd.DataFrame(row, columns=columns, copy=False)
        found = self.ensemble.reasons(frame, top_k=top_k)[0]
        return [DecisionReason(r.code, "model", r.text, r.text_zh) for r in found]
