"""EnsembleScorer: the Scorer port over a fused-model bundle (fast serving path for scores).

It loads through ``scoring.bundle``, which reads the bundle's plain files (points tables, LightGBM text, JSON
coefficients, reason catalogue) after checking their sha256: serving never imports the training stack
(``riskloop.modeling``, scikit-learn, optbinning) nor the ``lightgbm`` Python package (see
``scoring.booster``).

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

from riskloop.domain.decision import DecisionReason
from riskloop.errors import DataSourceError
from riskloop.scoring.bundle import load_serving, served_version
from riskloop.scoring.model import ServingEnsemble, availability
from riskloop.scoring.reasons import ReasonCatalog, explain
from riskloop.service.row_reasons import RowExplainer


class EnsembleScorer:
    """Scores with ``ServingEnsemble.score_row`` and explains with the bundle's reason catalogue.

    Examples
    --------
    >>> scorer = EnsembleScorer.load(Path("models/demo/ensemble"))  # doctest: +SKIP
    >>> scorer.score({"tax_grade_score": 3.0, "app_bureau_score": 650.0, ...})  # doctest: +SKIP
    (0.031, 638.2)

    """

    def __init__(self, serving: ServingEnsemble, catalog: ReasonCatalog, version: str) -> None:
        self.serving, self.catalog = serving, catalog
        self._version = version
        self._explainer = RowExplainer(serving, catalog)
        self._sources = tuple((availability(name), name, cols) for name, cols in serving.sources.items())

    @classmethod
    def load(cls, folder: Path, manifest_sha256: str | None = None) -> EnsembleScorer:
        """The bundle in ``folder`` (its manifest checked against ``manifest_sha256`` when given).

        Its version is the folder name and the first 16 hex digits of the manifest's sha256.
        """
        bundle = load_serving(folder, manifest_sha256)
        return cls(bundle.serving, bundle.catalog, served_version(folder, bundle.manifest_sha256))

    @property
    def version(self) -> str:
        """Bundle name and manifest digest."""
        return self._version

    @property
    def reasons_version(self) -> str:
        """Version of the model reason catalogue."""
        return self.catalog.version

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every column the model reads."""
        return self.serving.columns

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """PD and points of one row; a source the row does not supply at all is an error."""
        unserved = [n for flag, n, cols in self._sources if flag not in values and not any(c in values for c in cols)]
        if unserved:
            raise DataSourceError(f"model {self._version} needs sources the decision path does not supply: {unserved}")
        return self.serving.score_row(values)

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """Top ``top_k`` adverse factors of one row (the same as ``Ensemble.reasons`` on that row)."""
        return self._explainer.reasons(values, top_k)

    def frame_reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """The same through the batch explainer on a one-row frame (for parity checks; imports pandas)."""
        import pandas as pd

        columns = list(self.serving.columns) + [n for n in values if n.startswith("avail_")]
        row = np.array([[np.nan if (v := values.get(c)) is None else float(v) for c in columns]], dtype=np.float64)
        frame = pd.DataFrame(row, columns=columns, copy=False)
        found = explain(self.serving, frame, self.catalog, top_k)[0]
        return [DecisionReason(r.code, "model", r.text, r.text_zh) for r in found]
