"""Reason codes of one row without pandas: the same impacts and grouping as ``scoring.reasons.explain``.

``explain`` works on frames (batch); the decision path explains one application at a time, where building
a frame, and LightGBM's per-call input checks, cost more than the arithmetic. This computes the identical
impacts on plain floats, with tree contributions from LightGBM's single-row fast path
(``scoring.contrib``); tests check parity with ``Ensemble.reasons``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from riskloop.domain.decision import DecisionReason
from riskloop.scoring.contrib import RowContributions
from riskloop.scoring.model import SCORECARD, ServingEnsemble, availability
from riskloop.scoring.reasons import ReasonCatalog


class RowExplainer:
    """Top adverse factors of one row of a serving ensemble, as catalogue reasons."""

    def __init__(self, serving: ServingEnsemble, catalog: ReasonCatalog) -> None:
        self.serving, self.catalog = serving, catalog
        index = {c: i for i, c in enumerate(serving.columns)}
        self._cols = {s: [index[f] for f in fs] for s, fs in serving.sources.items()}
        self._keys = {s: [(s, f) for f in fs] for s, fs in serving.sources.items()}
        self._direct = [index[d] for d in serving.fusion.direct]
        self._entries: dict[tuple[str, str], tuple[str, str, str, str]] = {}
        self._contrib = {
            m.name: RowContributions(serving.booster(m.name)) for m in serving.sub_models if m.kind != SCORECARD
        }

    def _entry(self, source: str, feature: str) -> tuple[str, str, str, str]:
        key = (source, feature)
        if key not in self._entries:
            e = self.catalog.entry(source, feature)
            self._entries[key] = (e.code, e.source, e.en, e.zh)
        return self._entries[key]

    def impacts(self, values: Mapping[str, float | None]) -> dict[tuple[str, str], float]:
        """Adverse impact of each (source, feature) on the fused log-odds (as ``ServingEnsemble.impacts``)."""
        s, fusion = self.serving, self.serving.fusion
        coef = fusion.explaining  # the stacker's, also when the score is one sub-model alone
        x = [math.nan if (v := values.get(c)) is None else float(v) for c in s.columns]
        has = {}
        for source, cols in self._cols.items():
            avail = values.get(availability(source), 1.0)
            present = avail is not None and float(avail) > 0 and not all(math.isnan(x[i]) for i in cols)
            has[source] = 1.0 if present else 0.0
        out: dict[tuple[str, str], float] = {}
        for j, m in enumerate(s.sub_models):
            weight, keys = coef[j], self._keys[m.source]
            if weight == 0.0 or not has[m.source]:  # its impacts are all zero: no TreeSHAP, the same keys
                for key in keys:
                    out[key] = out.get(key, 0.0) + 0.0
                continue
            row = [x[i] for i in self._cols[m.source]]
            if m.kind == SCORECARD:
                parts = s.tables[m.name].adverse_row(row)
            else:
                parts = self._contrib[m.name].row(np.array(row, dtype=np.float64))[:-1].tolist()
            for key, part in zip(keys, parts, strict=True):
                out[key] = out.get(key, 0.0) + weight * part
        k = len(s.sub_models)
        for i, source in enumerate(s.sources):
            key = (source, "")
            out[key] = out.get(key, 0.0) + -coef[k + i] * (1.0 - has[source])
        k += len(s.sources)
        n = len(fusion.direct)
        for d, name in enumerate(fusion.direct):
            value = x[self._direct[d]]
            missing = math.isnan(value)
            scaled = 0.0 if missing else (value - fusion.direct_mean[d]) / fusion.direct_scale[d]
            out[("direct", name)] = out.get(("direct", name), 0.0) + coef[k + d] * scaled
            gap = ("direct", f"missing:{name}")
            out[gap] = out.get(gap, 0.0) + coef[k + n + d] * (1.0 if missing else 0.0)
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
