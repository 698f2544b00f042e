"""Reason codes of one row without pandas: the same impacts and grouping as ``scoring.reasons.explain``.

``explain`` works on frames (batch); the decision path explains one application at a time, where building
a frame costs more than the arithmetic. This computes the identical impacts on a NumPy row (tests check
parity with ``Ensemble.reasons``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from riskloop.domain.decision import DecisionReason
from riskloop.scoring.model import SCORECARD, ServingEnsemble, availability
from riskloop.scoring.reasons import ReasonCatalog


class RowExplainer:
    """Top adverse factors of one row of a serving ensemble, as catalogue reasons."""

    def __init__(self, serving: ServingEnsemble, catalog: ReasonCatalog) -> None:
        self.serving, self.catalog = serving, catalog
        index = {c: i for i, c in enumerate(serving.columns)}
        self._cols = {s: [index[f] for f in fs] for s, fs in serving.sources.items()}
        self._direct = [index[d] for d in serving.fusion.direct]
        self._entries: dict[tuple[str, str], tuple[str, str, str, str]] = {}

    def _entry(self, source: str, feature: str) -> tuple[str, str, str, str]:
        key = (source, feature)
        if key not in self._entries:
            e = self.catalog.entry(source, feature)
            self._entries[key] = (e.code, e.source, e.en, e.zh)
        return self._entries[key]

    def impacts(self, values: Mapping[str, float | None]) -> dict[tuple[str, str], float]:
        """Adverse impact of each (source, feature) on the fused log-odds (as ``ServingEnsemble.impacts``)."""
        s = self.serving
        x = np.array([[math.nan if (v := values.get(c)) is None else float(v) for c in s.columns]])
        has = {}
        for source, cols in self._cols.items():
            avail = values.get(availability(source), 1.0)
            has[source] = float(avail is not None and float(avail) > 0 and not np.isnan(x[0, cols]).all())
        out: dict[tuple[str, str], float] = {}

        def add(key: tuple[str, str], value: float) -> None:
            out[key] = out.get(key, 0.0) + value

        for j, m in enumerate(s.sub_models):
            cols = self._cols[m.source]
            if m.kind == SCORECARD:
                parts = s.tables[m.name].adverse(x[:, cols])[0]
            else:
                parts = np.asarray(s.booster(m.name).predict(x[:, cols], pred_contrib=True, num_threads=1))[0, :-1]
            for f, feature in enumerate(s.sources[m.source]):
                add((m.source, feature), float(s.fusion.coef[j] * parts[f] * has[m.source]))
        k = len(s.sub_models)
        for i, source in enumerate(s.sources):
            add((source, ""), float(-s.fusion.coef[k + i] * (1.0 - has[source])))
        k += len(s.sources)
        direct = x[:, self._direct]
        has_row = np.array([[has[src] for src in s.sources]])
        design = s.fusion.design(np.zeros((1, len(s.sub_models))), has_row, direct)[0]
        n = len(s.fusion.direct)
        for d, name in enumerate(s.fusion.direct):
            add(("direct", name), float(s.fusion.coef[k + d] * design[k + d]))
            add(("direct", f"missing:{name}"), float(s.fusion.coef[k + n + d] * design[k + n + d]))
        return out

    def reasons(self, values: Mapping[str, float | None], top_k: int = 4) -> list[DecisionReason]:
        """Top ``top_k`` adverse reasons: impacts summed per code, strongest first; at least one."""
        impacts = self.impacts(values)
        by_code: dict[str, float] = {}
        best: dict[str, tuple[float, tuple[str, str]]] = {}
        for key, value in impacts.items():
            code = self._entry(*key)[0]
            by_code[code] = by_code.get(code, 0.0) + value
            if code not in best or value > best[code][0]:
                best[code] = (value, key)
        order = sorted(by_code, key=lambda c: -by_code[c])  # stable: ties keep first-seen order, like argsort
        chosen = [c for c in order[:top_k] if by_code[c] > 0] or order[:1]
        out = []
        for code in chosen:
            _, (source, feature) = best[code]
            _, _, en, zh = self._entry(source, feature)
            out.append(DecisionReason(code, "model", en, zh))
        return out
